package io.switchboard.errors;

/**
 * The wire dialect of a request, told by its path. Decides the error shape and how a validation
 * error's status is spelled (Parcelvoy: 422; the others: 400).
 */
public enum Dialect {
    KLAVIYO_CLIENT, KLAVIYO_SERVER, PARCELVOY, DITTOFEED, SEGMENT, ADMIN, OTHER;

    /**
     * The 403 a public (or client) credential gets on a secret-key-only endpoint, in this dialect's words:
     * one sentence whether the check is {@code @RolesAllowed(Caller.ROLE_SECRET)} (answered by
     * {@code WebApplicationExceptionMapper}) or a resource's own check.
     */
    public String secretKeyRequired() {
        return switch (this) {
            case KLAVIYO_CLIENT, KLAVIYO_SERVER -> "This endpoint needs a private (secret) API key: "
                    + "`Authorization: Klaviyo-API-Key sk_...`; public keys may only call ingestion endpoints.";
            default -> "This endpoint needs a secret key (sk_…); public keys may only call ingestion endpoints.";
        };
    }

    /** The dialect of a path as it arrived (normalized first: see {@link RequestPaths#normalize}). */
    public static Dialect forPath(String rawPath) {
        return forNormalizedPath(RequestPaths.normalize(rawPath));
    }

    /** The dialect of a path already through {@code EndpointPolicies.normalize}. */
    public static Dialect forNormalizedPath(String p) {
        if (p.startsWith("/client/") || p.equals("/client")) return KLAVIYO_CLIENT;
        if (p.startsWith("/api/client/") || p.equals("/api/client")) return PARCELVOY;
        if (p.startsWith("/api/public/") || p.equals("/api/public")) return DITTOFEED;
        if (p.startsWith("/v1/") || p.equals("/v1")) return SEGMENT;
        if (p.startsWith("/api/")) return KLAVIYO_SERVER;
        if (p.startsWith("/admin/") || p.equals("/admin")) return ADMIN;
        return OTHER;
    }

    public boolean isJsonApi() {
        return this == KLAVIYO_CLIENT || this == KLAVIYO_SERVER || this == ADMIN || this == OTHER;
    }

    /** The HTTP status this dialect uses for a kind of error. */
    public int statusFor(ErrorKind kind) {
        if (kind == ErrorKind.INVALID && this == PARCELVOY) {
            return 422;
        }
        return kind.status();
    }
}
