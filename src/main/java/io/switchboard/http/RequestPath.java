package io.switchboard.http;

import io.switchboard.errors.Dialect;
import io.switchboard.limits.EndpointPolicies;
import io.switchboard.core.tenancy.RateClass;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * A request's path, classified once: the normalized path ({@link EndpointPolicies#normalize}: matrix
 * parameters stripped, decoded, slashes collapsed, lower case) and everything every filter decides from
 * it — the dialect (error shape), the rate-limit class and body limit, whether the endpoint takes part in
 * CORS and names its company in the query, and whether the request log must mask it. Computed once, by
 * the Jetty handler in front of the servlet ({@link RequestBodyGate}, as a request attribute, which
 * Jersey shows as a property) or else by the first pre-matching filter ({@link PathGuardFilter}), and kept, so body limits,
 * rate limits, CORS, outage handling, error mappers and the request log all see the same answer.
 */
public record RequestPath(String normalized, boolean matrixParameters, Dialect dialect,
                          EndpointPolicies.Policy policy, boolean corsPublic, boolean companyInQuery) {
    public static final String PROPERTY = "switchboard.requestPath";

    /**
     * Recent classifications by method and raw path: nearly every request repeats one of a few paths (the
     * ingestion endpoints), and the result is immutable. Bounded: cleared when full, so paths naming ids
     * (or a client sending random paths) cannot grow it.
     */
    private static final int CACHE_MAX = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<String, RequestPath> CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();

    public static RequestPath of(String method, String rawPath) {
        if (method == null || rawPath == null || rawPath.length() > 512) return classify(method, rawPath);
        String key = method + ' ' + rawPath;
        RequestPath rp = CACHE.get(key);
        if (rp == null) {
            rp = classify(method, rawPath);
            if (CACHE.size() >= CACHE_MAX) CACHE.clear();
            CACHE.put(key, rp);
        }
        return rp;
    }

    static RequestPath classify(String method, String rawPath) {
        String n = EndpointPolicies.normalize(rawPath);
        return new RequestPath(n, EndpointPolicies.hasMatrixParameters(rawPath), Dialect.forNormalizedPath(n),
                EndpointPolicies.ofNormalized(method, n), Cors.isPublicNormalized(n), Cors.companyInQueryNormalized(n));
    }

    static int cachedEntries() {
        return CACHE.size();
    }

    /** The request's classification (computed on first use and kept for the rest of the request). */
    public static RequestPath of(ContainerRequestContext ctx) {
        if (ctx.getProperty(PROPERTY) instanceof RequestPath rp) return rp;
        RequestPath rp = of(ctx.getMethod(), "/" + ctx.getUriInfo().getPath(false));
        ctx.setProperty(PROPERTY, rp);
        return rp;
    }

    public RateClass rateClass() {
        return policy.rateClass();
    }

    public long maxBodyBytes() {
        return policy.maxBodyBytes();
    }
}
