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
 * application port's {@code /health}. Called from {@code Application.run}.
 */
public final class Edge {
    private Edge() {}

    public static RequestBodyGate install(Environment env, HttpEdgeConfig cfg, String adminToken) {
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
        env.healthChecks().register("http", new HttpSaturationHealthCheck(server::get, gate::waitingForBodies,
                cfg.getSaturationQueuedJobs()).withSlowBodiesCut(gate::slowBodiesCut));
        env.jersey().register(new HealthResource(env.healthChecks()));
        return gate;
    }
}
