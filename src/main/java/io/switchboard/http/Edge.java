package io.switchboard.http;

import io.dropwizard.core.setup.Environment;
import io.switchboard.errors.JsonErrorHandler;
import io.switchboard.health.HealthResource;
import io.switchboard.health.HttpSaturationHealthCheck;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Wires the HTTP edge (issue 11): the credential guard on the logs, admin-port authentication, the
 * request-body gate, Jetty's errors as JSON, the connection cap, the saturation health check and the
 * application port's {@code /health}. Called from {@code Application.run}, which registers the last two.
 */
public final class Edge {
    private final RequestBodyGate gate;
    private final HttpSaturationHealthCheck saturation;
    private final HealthResource health;

    private Edge(RequestBodyGate gate, HttpSaturationHealthCheck saturation, HealthResource health) {
        this.gate = gate;
        this.saturation = saturation;
        this.health = health;
    }

    public RequestBodyGate gate() { return gate; }

    /** The "http" health check (registered by the wiring root). */
    public HttpSaturationHealthCheck saturationHealthCheck() { return saturation; }

    /** The application port's {@code /health} resource (registered by the wiring root). */
    public HealthResource healthResource() { return health; }

    /**
     * Installs the Jetty-level pieces (servlet filter, handler, error handlers, connection cap); the
     * health check and {@code /health} resource it returns are registered by the wiring root.
     */
    public static Edge install(Environment env, HttpEdgeConfig cfg, String adminToken) {
        CredentialLogGuard.install(adminToken);
        env.admin().addFilter("admin-guard", new AdminGuard(adminToken, env.healthChecks()))
                .addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), false, "/*");

        RequestBodyGate gate = new RequestBodyGate(cfg.getBodyTimeout().toMilliseconds(),
                cfg.getMinBodyBytesPerSecond(), cfg.getMinRateGrace().toMilliseconds());
        env.getApplicationContext().insertHandler(gate);
        env.getApplicationContext().setErrorHandler(new JsonErrorHandler.Servlet());

        AtomicReference<Server> server = new AtomicReference<>();
        env.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server s) {
                    server.set(s);
                    s.setErrorHandler(new JsonErrorHandler.Server());
                    if (cfg.getMaxConnections() > 0 && s.getBean(NetworkConnectionLimit.class) == null) {
                        s.addBean(new NetworkConnectionLimit(cfg.getMaxConnections(), s));
                    }
                }
            }
        });
        HttpSaturationHealthCheck saturation = new HttpSaturationHealthCheck(server::get, gate::waitingForBodies,
                cfg.getSaturationQueuedJobs()).withSlowBodiesCut(gate::slowBodiesCut);
        return new Edge(gate, saturation, new HealthResource(env.healthChecks()));
    }
}
