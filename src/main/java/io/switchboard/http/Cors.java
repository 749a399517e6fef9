package io.switchboard.http;

import io.switchboard.core.tenancy.RateLimit;
import java.util.List;
import java.util.Locale;

/**
 * The CORS policy (operations.md, "Browsers"). Only the public endpoints take part:
 * {@code /client/*}, {@code /api/client/*} except the campaign trigger, {@code /api/public/apps/*} and
 * {@code /v1/*}. Secret-key and admin endpoints send no CORS headers at all, so browsers cannot read
 * their answers from another origin.
 */
public final class Cors {
    public static final String ALLOW_METHODS = "GET, POST, OPTIONS";
    public static final String ALLOW_HEADERS = "Authorization, Content-Type, revision, PublicWriteKey, "
            + "Idempotency-Key, X-Klaviyo-Revision-Fall-Forward-Opt-Out, X-Klaviyo-Mobile, X-Klaviyo-Attempt-Count, "
            + "AnonymousId";
    public static final String EXPOSE_HEADERS = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
            + "Retry-After, X-RateLimit-Reset, revision";
    public static final String MAX_AGE = "600";

    private Cors() {}

    private static final java.util.regex.Pattern HEADER_LIST =
            java.util.regex.Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+(\\s*,\\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*");

    /**
     * The preflight's {@code Access-Control-Allow-Headers}: the known list plus whatever request headers the
     * browser asked for (well-formed names only, bounded). SDKs add their own headers (RudderStack's
     * {@code AnonymousId}, {@code SentAt}, {@code rsa-*}; Klaviyo's {@code X-Klaviyo-*}); a header grants
     * nothing here — credentials are keys, never cookies, and the origin rule is enforced on the request.
     */
    public static String allowHeaders(String requested) {
        if (requested == null) return ALLOW_HEADERS;
        String r = requested.trim();
        if (r.isEmpty() || r.length() > 1000 || !HEADER_LIST.matcher(r).matches()) return ALLOW_HEADERS;
        return ALLOW_HEADERS + ", " + r;
    }

    /** Whether a path (with or without leading slash) is one of the browser-facing public endpoints. */
    public static boolean isPublic(String rawPath) {
        return isPublicNormalized(io.switchboard.limits.EndpointPolicies.normalize(rawPath));
    }

    /** As {@link #isPublic}, for a path already through {@code EndpointPolicies.normalize}. */
    public static boolean isPublicNormalized(String p) {
        if (p.startsWith("/client/") || p.equals("/client")) return true;
        if (p.startsWith("/api/client/campaigns/") || p.equals("/api/client/campaigns")) return false;
        return p.startsWith("/api/client/") || p.startsWith("/api/public/apps/") || p.startsWith("/v1/");
    }

    /** Klaviyo's client endpoints name their company in the query ({@code ?company_id=}). */
    public static boolean companyInQuery(String rawPath) {
        return companyInQueryNormalized(io.switchboard.limits.EndpointPolicies.normalize(rawPath));
    }

    public static boolean companyInQueryNormalized(String p) {
        return p.startsWith("/client/") || p.equals("/client");
    }

    /**
     * Whether {@code origin} is allowed by a company's {@code cors_origins}: empty means any; otherwise an
     * exact origin ({@code https://shop.example.com}, compared case-insensitively, default ports
     * ignored), {@code *}, or a subdomain wildcard ({@code https://*.example.com}).
     */
    public static boolean allowed(String origin, List<String> allowedOrigins) {
        if (allowedOrigins == null || allowedOrigins.isEmpty()) return true;
        String o = normalize(origin);
        for (String a : allowedOrigins) {
            if (a == null) continue;
            String n = normalize(a);
            if (n.equals("*") || n.equals(o)) return true;
            int star = n.indexOf("://*.");
            if (star > 0) {
                String scheme = n.substring(0, star + 3);
                String suffix = n.substring(star + 4); // ".example.com[:port]"
                if (o.startsWith(scheme) && o.endsWith(suffix) && o.length() > scheme.length() + suffix.length()) {
                    String host = o.substring(scheme.length(), o.length() - suffix.length());
                    if (!host.contains("/") && !host.contains(":")) return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code origin} is the server's own origin (its host and port are the request's {@code Host}): a
     * page this server serves, such as the demo signup form, is always allowed, whatever {@code cors_origins}
     * says. Browsers send {@code Origin} on same-origin POSTs too; a cross-origin page cannot choose {@code Host}.
     */
    public static boolean sameOrigin(String origin, String host) {
        if (origin == null || host == null || host.isBlank()) return false;
        String o = normalize(origin);
        int scheme = o.indexOf("://");
        if (scheme < 0) return false;
        String authority = o.substring(scheme + 3);
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (o.startsWith("https://") && h.endsWith(":443")) h = h.substring(0, h.length() - 4);
        if (o.startsWith("http://") && h.endsWith(":80")) h = h.substring(0, h.length() - 3);
        return !authority.isEmpty() && authority.equals(h);
    }

    static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        while (o.endsWith("/")) o = o.substring(0, o.length() - 1);
        if (o.startsWith("https://") && o.endsWith(":443")) o = o.substring(0, o.length() - 4);
        if (o.startsWith("http://") && o.endsWith(":80")) o = o.substring(0, o.length() - 3);
        return o;
    }
}
