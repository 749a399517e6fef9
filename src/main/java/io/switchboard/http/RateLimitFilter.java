package io.switchboard.http;

import io.switchboard.auth.Caller;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import io.switchboard.core.tenancy.CompanySettingsCache;
import io.switchboard.limits.EndpointPolicies;
import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import io.switchboard.limits.RateLimiter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.security.Principal;
import java.util.Map;

/**
 * Rate limits per company and endpoint class ({@link EndpointPolicies}), after authentication: the
 * company is the authenticated {@link Caller}'s. Over the limit: 429 in the dialect's shape with
 * {@code Retry-After} (seconds) and no RateLimit-* headers; otherwise the response carries
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}.
 *
 * <p>Requests without an authenticated caller (the bootstrap admin token, or endpoints that
 * authenticate from the body such as Segment's {@code writeKey}) are not limited here; such a resource
 * calls {@link #enforce(ContainerRequestContext, Caller)} itself once it knows the caller.
 */
@Priority(Priorities.AUTHORIZATION + 200)
public class RateLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {
    static final String DECISION = "switchboard.ratelimit.decision";

    private final RateLimiter limiter;
    private final CompanySettingsCache settings;

    public RateLimitFilter(RateLimiter limiter, CompanySettingsCache settings) {
        this.limiter = limiter;
        this.settings = settings;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        Principal p = ctx.getSecurityContext() == null ? null : ctx.getSecurityContext().getUserPrincipal();
        if (p instanceof Caller caller) {
            enforce(ctx, caller);
        }
    }

    /**
     * Counts the request against its company's bucket; throws a 429 {@link ApiException} when over the
     * limit. Also for resources that authenticate from the body (call it before doing any work).
     */
    public void enforce(ContainerRequestContext ctx, Caller caller) {
        if (!limiter.config().isEnabled() || caller.isAdmin() || ctx.getProperty(DECISION) != null) return;
        RateClass cls = RequestPath.of(ctx).rateClass();
        if (cls == null) return;
        RateLimit limit = limiter.config().limitFor(cls, caller.publicId(), settings.get(caller.companyId()));
        RateLimiter.Decision d = limiter.acquire(caller.companyId(), cls, limit);
        if (limit.unlimited()) return;
        ctx.setProperty(DECISION, d);
        if (!d.allowed()) {
            long s = d.retryAfterSeconds();
            throw new ApiException(ErrorKind.THROTTLED,
                    "Request was throttled. Expected available in " + s + (s == 1 ? " second." : " seconds."),
                    null, null, null, Map.of("Retry-After", Long.toString(s)));
        }
    }

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        if (!(req.getProperty(DECISION) instanceof RateLimiter.Decision d) || !d.allowed() || res.getStatus() == 429) {
            return;
        }
        MultivaluedMap<String, Object> h = res.getHeaders();
        h.putSingle("RateLimit-Limit", Long.toString(d.limit()));
        h.putSingle("RateLimit-Remaining", Long.toString(d.remaining()));
        h.putSingle("RateLimit-Reset", Long.toString(d.resetSeconds()));
    }
}
