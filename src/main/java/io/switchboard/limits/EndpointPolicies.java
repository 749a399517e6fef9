package io.switchboard.limits;

import io.switchboard.core.tenancy.RateClass;
import io.switchboard.errors.RequestPaths;
import java.util.List;
import java.util.Locale;

/**
 * The one table of per-endpoint operational policy: which rate-limit class a request counts against and
 * how large its body may be. First matching row wins; add new endpoints here.
 *
 * <p>Patterns: {@code /a/b} matches that path (with or without a trailing slash); {@code /a/*} matches
 * exactly one more segment; {@code /a/**} matches {@code /a} and everything below it.
 */
public final class EndpointPolicies {
    public static final long KB = 1024;
    public static final long MB = 1024 * KB;
    /** Default request body limit (operations.md). */
    public static final long DEFAULT_BODY = 5 * MB;
    /** Profile endpoints. */
    public static final long PROFILE_BODY = 100 * KB;
    /** One Segment-spec message (Segment's own limit). */
    public static final long MESSAGE_BODY = 32 * KB;
    /** One Segment-spec batch (Segment's own limit). */
    public static final long BATCH_BODY = 500 * KB;

    /** What applies to a request. {@code rateClass} is null when the request is not rate limited. */
    public record Policy(RateClass rateClass, long maxBodyBytes) {}

    private record Row(String method, String pattern, Policy policy, int kind, String base) {
        static final int EXACT = 0, ONE_SEGMENT = 1, SUBTREE = 2;

        Row(String method, String pattern, Policy policy) {
            this(method, pattern, policy,
                    pattern.endsWith("/**") ? SUBTREE : pattern.endsWith("/*") ? ONE_SEGMENT : EXACT,
                    pattern.endsWith("/**") ? pattern.substring(0, pattern.length() - 3)
                            : pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 1) : pattern);
        }

        boolean matches(String m, String path) {
            if (!method.equals("*") && !method.equals(m)) return false;
            return switch (kind) {
                case SUBTREE -> base.isEmpty() || (path.startsWith(base)
                        && (path.length() == base.length() || path.charAt(base.length()) == '/'));
                case ONE_SEGMENT -> path.startsWith(base) && path.length() > base.length()
                        && path.indexOf('/', base.length()) < 0;
                default -> path.equals(base);
            };
        }
    }

    private static Row row(String method, String pattern, RateClass rateClass, long maxBody) {
        return new Row(method, pattern, new Policy(rateClass, maxBody));
    }

    // method ("*" = any), path pattern, rate class, body limit
    private static final List<Row> ROWS = List.of(
            // Klaviyo client (?company_id=)
            row("*", "/client/event-bulk-create", RateClass.BULK, DEFAULT_BODY),
            row("*", "/client/profiles", RateClass.CLIENT, PROFILE_BODY),
            row("*", "/client/**", RateClass.CLIENT, DEFAULT_BODY),
            // Parcelvoy (campaign trigger first: it is under /api/client but needs a secret key)
            row("*", "/api/client/campaigns/**", RateClass.TRIGGER, DEFAULT_BODY),
            row("*", "/api/client/**", RateClass.INGESTION, DEFAULT_BODY),
            // Dittofeed
            row("*", "/api/public/apps/batch", RateClass.INGESTION, BATCH_BODY),
            row("*", "/api/public/apps/**", RateClass.INGESTION, MESSAGE_BODY),
            // Segment (/v1/b: analytics.js batching; /v1/import: analytics-java — both are /v1/batch)
            row("*", "/v1/batch", RateClass.INGESTION, BATCH_BODY),
            row("*", "/v1/b", RateClass.INGESTION, BATCH_BODY),
            row("*", "/v1/import", RateClass.INGESTION, BATCH_BODY),
            row("*", "/v1/**", RateClass.INGESTION, MESSAGE_BODY),
            // Klaviyo server (secret key)
            row("*", "/api/profile-merge", RateClass.BULK, DEFAULT_BODY),
            row("*", "/api/data-privacy-deletion-jobs", RateClass.BULK, DEFAULT_BODY),
            row("POST", "/api/profile-bulk-import-jobs", RateClass.BULK, DEFAULT_BODY),
            row("POST", "/api/event-bulk-create-jobs", RateClass.BULK, DEFAULT_BODY),
            row("*", "/api/profile-import", RateClass.SERVER_PROFILES, PROFILE_BODY),
            row("*", "/api/profiles/**", RateClass.SERVER_PROFILES, PROFILE_BODY),
            row("*", "/api/events/**", RateClass.SERVER_EVENTS, DEFAULT_BODY),
            row("*", "/api/**", RateClass.SERVER, DEFAULT_BODY),
            // Switchboard admin
            row("*", "/admin/**", RateClass.ADMIN, DEFAULT_BODY),
            // anything else (unknown routes answer 404 anyway)
            row("*", "/**", null, DEFAULT_BODY));

    private EndpointPolicies() {}

    /** The policy of a request; {@code path} may or may not start with a slash. */
    public static Policy of(String method, String path) {
        return ofNormalized(method, normalize(path));
    }

    /** As {@link #of}, for a path already through {@link #normalize}. */
    public static Policy ofNormalized(String method, String p) {
        String m = method == null ? "" : method.toUpperCase(Locale.ROOT);
        for (Row r : ROWS) {
            if (r.matches(m, p)) {
                return r.policy;
            }
        }
        throw new IllegalStateException("the catch-all row must match " + p);
    }

    public static RateClass rateClass(String method, String path) {
        return of(method, path).rateClass();
    }

    public static long maxBodyBytes(String method, String path) {
        return of(method, path).maxBodyBytes();
    }

    /** The one path normalization every policy decision uses: see {@link RequestPaths#normalize}. */
    public static String normalize(String path) {
        return RequestPaths.normalize(path);
    }

    /** Whether a raw (undecoded) path carries matrix parameters. */
    public static boolean hasMatrixParameters(String rawPath) {
        return RequestPaths.hasMatrixParameters(rawPath);
    }

    static boolean matches(String pattern, String path) {
        return new Row("*", pattern, null).matches("*", path);
    }
}
