package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET /health} on the application port, for orchestrators and load balancers that cannot reach
 * the admin port (it listens on 127.0.0.1 by default): 200 {@code {"status":"ok"}} or 503
 * {@code {"status":"unavailable"}}, no details (those are on the admin port's {@code /healthcheck}
 * with the admin token). No credentials needed, not rate limited; the checks run at most once a second
 * whatever the request rate.
 */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private static final long TTL_NANOS = 1_000_000_000L;
    private final HealthCheckRegistry registry;
    private volatile long checkedAt;
    private volatile boolean healthy = true;
    private volatile boolean checked;

    public HealthResource(HealthCheckRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Response health() {
        long now = System.nanoTime();
        if (!checked || now - checkedAt > TTL_NANOS) {
            synchronized (this) {
                if (!checked || System.nanoTime() - checkedAt > TTL_NANOS) {
                    healthy = registry.runHealthChecks().values().stream().allMatch(HealthCheck.Result::isHealthy);
                    checkedAt = System.nanoTime();
                    checked = true;
                }
            }
        }
        return Response.status(healthy ? 200 : 503).header("Cache-Control", "no-store")
                .entity(Map.of("status", healthy ? "ok" : "unavailable")).build();
    }
}
