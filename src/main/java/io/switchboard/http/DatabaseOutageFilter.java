package io.switchboard.http;

import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import io.switchboard.health.DatabaseMonitor;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.util.Map;

/**
 * While the {@link DatabaseMonitor} knows PostgreSQL to be down, every request is answered at once with
 * 503 and {@code Retry-After} in its dialect's shape, without waiting for a pool connection. (Between
 * the moment the database goes away and the monitor's next probe, requests fail on their own connection
 * and the catch-all mapper gives the same 503.) CORS preflights are answered before this filter.
 */
@PreMatching
@Priority(200)
public class DatabaseOutageFilter implements ContainerRequestFilter {
    public static final String RETRY_AFTER_SECONDS = "1";
    private final DatabaseMonitor monitor;

    public DatabaseOutageFilter(DatabaseMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (monitor.isUp()) return;
        ctx.abortWith(ErrorResponses.build(RequestPath.of(ctx).dialect(), ErrorKind.UNAVAILABLE,
                "The database is unavailable; retry shortly.", null, null, null,
                Map.of("Retry-After", RETRY_AFTER_SECONDS), null));
    }
}
