package io.switchboard.resources.segment;

import io.switchboard.core.tenancy.RateLimit;
import io.switchboard.errors.Dialect;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * Segment's 429: besides {@code Retry-After}, {@code X-RateLimit-Reset} with the same number of seconds —
 * analytics.js reads only that header (seconds to wait; 5 s when absent) before retrying a throttled call.
 */
public class SegmentRetryHeaders implements ContainerResponseFilter {
    public static final String RESET = "X-RateLimit-Reset";

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        if (res.getStatus() != 429 || Dialect.forPath("/" + req.getUriInfo().getPath()) != Dialect.SEGMENT) return;
        Object retryAfter = res.getHeaders().getFirst("Retry-After");
        if (retryAfter != null && !res.getHeaders().containsKey(RESET)) {
            res.getHeaders().putSingle(RESET, retryAfter.toString());
        }
    }
}
