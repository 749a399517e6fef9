package io.switchboard;

import ch.qos.logback.access.jetty.RequestLogImpl;
import ch.qos.logback.core.status.Status;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import io.switchboard.core.tenancy.TenancyService;
import java.io.PrintStream;
import java.util.Locale;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start shows on the console (docs/decisions.md, "The first start").
 *
 * <ul>
 *   <li>The Demo company: created only on a <em>keyless first start</em> (no admin token configured, no company in
 *       the database), or when {@code createDemoCompany: true} is set explicitly. Its keys are printed once, to
 *       stdout only (never through the logging system), after the server is ready, as a line to paste.
 *       A configured deployment (admin token set) never creates it and never prints a secret.
 *   <li>One "ready" block once the server listens: where the API is and what to do next.
 *   <li>No logback-access status dump: its version check cannot read versions inside a shaded jar (and
 *       logback-access 2.0.9 looks for a file name it does not ship), so every start printed two false
 *       "versions are different" warnings. The request log is made quiet; real errors of its set-up are still
 *       logged, as warnings.
 * </ul>
 */
public final class FirstStart {
    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);

    /** {@code createDemoCompany}: auto (keyless first start only), true (explicit), false (never). */
    public enum DemoMode {
        AUTO, TRUE, FALSE;

        public static DemoMode parse(String v) {
            String s = v == null ? "auto" : v.trim().toLowerCase(Locale.ROOT);
            return switch (s) {
                case "", "auto" -> AUTO;
                case "true", "yes", "on" -> TRUE;
                case "false", "no", "off" -> FALSE;
                default -> throw new IllegalArgumentException("createDemoCompany (SWITCHBOARD_CREATE_DEMO_COMPANY) "
                        + "must be auto, true or false; got `" + v + "`");
            };
        }
    }

    private FirstStart() {}

    /** Whether this start creates the Demo company. */
    public static boolean createsDemo(DemoMode mode, boolean adminTokenConfigured, long companies) {
        if (companies > 0) return false;
        return switch (mode) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> !adminTokenConfigured;
        };
    }

    /**
     * Registers the console output of the start: once the server listens, the Demo company (when this start
     * calls for it) and the "ready" block.
     */
    public static void install(Environment env, SwitchboardConfiguration config, TenancyService tenancy,
                               java.util.function.LongFunction<String> ownerInvitation) {
        DemoMode mode = DemoMode.parse(config.getCreateDemoCompany());
        boolean adminToken = !config.getAdminToken().isEmpty();
        env.lifecycle().addEventListener(quietRequestLog());
        env.lifecycle().addServerLifecycleListener(new ServerLifecycleListener() {
            @Override
            public void serverStarted(Server server) {
                // created once the server listens: a start that fails (port in use…) must not use up the one
                // time the keys are shown
                TenancyService.CreatedCompany demo = createsDemo(mode, adminToken, tenancy.companyCount())
                        ? tenancy.createCompany("Demo") : null;
                String api = "http://localhost:" + getLocalPort(server);
                String admin = "http://localhost:" + getAdminPort(server);
                if (demo != null) {
                    printDemo(System.out, api, admin, demo.company().publicId(), demo.publicKey().plaintext(),
                            demo.secretKey().plaintext(), adminToken, ownerInvitation.apply(demo.company().id()));
                } else {
                    LOG.info("Switchboard is ready: API {}, admin {} (/healthcheck)", api, admin);
                    if (!adminToken) {
                        LOG.info("No admin token is configured, so POST /admin/companies is off: set "
                                + "SWITCHBOARD_ADMIN_TOKEN to create companies over HTTP, or run `java -jar "
                                + "target/switchboard.jar company create --name Acme config.yml` (README.md)");
                    }
                }
            }
        });
    }

    /** The block printed after a start that created the Demo company (stdout only, once). */
    static void printDemo(PrintStream out, String api, String admin, String companyId, String publicKey,
                          String secretKey, boolean adminToken, String invitationUrl) {
        String rule = "=".repeat(78);
        StringBuilder b = new StringBuilder();
        b.append(rule).append('\n');
        b.append(" Switchboard is ready: API ").append(api).append(", admin ").append(admin).append('\n');
        b.append('\n');
        b.append(" A Demo company was created. Open the portal and become its owner (a one-time link):\n");
        b.append('\n');
        b.append("   ").append(invitationUrl).append('\n');
        b.append('\n');
        b.append(" Its first keys are shown this once; paste this line into a shell to use curl:\n");
        b.append('\n');
        b.append("   export SB=").append(api).append(" CO=").append(companyId).append(" PK=").append(publicKey)
                .append(" SK=").append(secretKey).append('\n');
        b.append('\n');
        b.append(" Next: README.md, \"First steps\" (send an event, read it back).\n");
        if (!adminToken) {
            b.append(" No admin token is configured (a local trial): to create companies over HTTP, restart with\n");
            b.append(" SWITCHBOARD_ADMIN_TOKEN set; the Demo company is then no longer created on new databases.\n");
        }
        b.append(rule).append('\n');
        out.print(b);
        out.flush();
    }

    /** Makes logback-access quiet at start (see the class comment); logs its set-up errors, if any. */
    static LifeCycle.Listener quietRequestLog() {
        return new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server) {
                    RequestLogImpl log = find(server.getRequestLog());
                    if (log != null) log.setQuiet(true);
                }
            }

            @Override
            public void lifeCycleStarted(LifeCycle event) {
                if (event instanceof Server server) {
                    RequestLogImpl log = find(server.getRequestLog());
                    if (log == null) return;
                    for (Status s : log.getStatusManager().getCopyOfStatusList()) {
                        if (s.getLevel() >= Status.ERROR) LOG.warn("request log: {}", s.getMessage());
                    }
                }
            }
        };
    }

    private static RequestLogImpl find(RequestLog log) {
        if (log instanceof RequestLogImpl impl) return impl;
        if (log instanceof ContainerLifeCycle c) {
            for (RequestLogImpl impl : c.getBeans(RequestLogImpl.class)) return impl;
        }
        return null;
    }
}
