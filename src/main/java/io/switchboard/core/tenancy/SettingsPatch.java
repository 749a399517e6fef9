package io.switchboard.core.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.switchboard.errors.ApiException;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * JSON merge patch (RFC 7396) of {@link CompanySettings}, then strict validation of the result: only the
 * known keys, each with its type and bounds, so a typo is a 400 naming the field instead of a silently
 * ignored (or silently wiped) setting.
 */
public final class SettingsPatch {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ORIGINS = 100;
    static final int MAX_BLOCKED = 1000;
    static final int MAX_STRING = 256;
    static final long MAX_RATE = 1_000_000_000L;
    private static final Set<String> KEYS = Set.of("default_region", "cors_origins", "identifier_block_list", "rate_limits",
            "default_timezone");
    private static final Set<String> LIMIT_KEYS = Set.of("burst_per_second", "steady_per_minute");

    private SettingsPatch() {}

    /** The settings after {@code patch}; a 400 with a pointer under {@code pointer} when the result is invalid. */
    public static CompanySettings apply(CompanySettings current, JsonNode patch, String pointer) {
        return apply(current, patch, pointer, c -> io.switchboard.core.tenancy.RateLimit.UNLIMITED);
    }

    /**
     * The same, and every rate-limit window the patch sets must be within {@code ceiling} of its class
     * (a window of the ceiling that is 0 has none): a company may lower its limits, not raise them above
     * what the operator allows nor switch a window off (400 naming the field).
     */
    public static CompanySettings apply(CompanySettings current, JsonNode patch, String pointer,
                                        java.util.function.Function<RateClass, io.switchboard.core.tenancy.RateLimit> ceiling) {
        if (patch == null || patch.isMissingNode()) return current;
        if (patch.isNull()) return CompanySettings.DEFAULTS;
        if (!patch.isObject()) {
            throw ApiException.invalid(pointer, "`settings` must be an object (a JSON merge patch: keys you leave out "
                    + "keep their values, `null` removes a key).");
        }
        JsonNode merged = merge(withoutNulls(JSON.valueToTree(current)), patch);
        validate((ObjectNode) merged, pointer);
        JsonNode limits = patch.get("rate_limits");
        if (limits != null && limits.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = limits.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isObject()) continue; // null: back to the default
                io.switchboard.core.tenancy.RateLimit cap = ceiling.apply(RateClass.forKey(e.getKey()));
                for (String w : List.of("burst_per_second", "steady_per_minute")) {
                    JsonNode n = e.getValue().get(w);
                    if (n == null || n.isNull()) continue;
                    String problem = overCeiling(e.getKey(), w, n.asLong(),
                            w.startsWith("burst") ? cap.burstPerSecond() : cap.steadyPerMinute());
                    if (problem != null) {
                        throw ApiException.invalid(pointer + "/rate_limits/" + e.getKey() + "/" + w, problem);
                    }
                }
            }
        }
        try {
            return JSON.treeToValue(merged, CompanySettings.class);
        } catch (Exception e) {
            throw ApiException.invalid(pointer, "`settings` could not be read: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Why a company may not set {@code window} ({@code burst_per_second} or {@code steady_per_minute}) of a
     * class to {@code value} under {@code ceiling} (0: none); null when it may.
     */
    public static String overCeiling(String classKey, String window, long value, long ceiling) {
        if (ceiling <= 0 || (value > 0 && value <= ceiling)) return null;
        return "`" + window + "` of `" + classKey + "` must be from 1 to " + ceiling + ": a company may lower its "
                + "rate limits, not raise them above its ceiling nor switch a window off (0). The operator raises a "
                + "company's limits in the server configuration (rateLimits.companies, docs/operations.md).";
    }

    private static JsonNode withoutNulls(JsonNode n) {
        if (n instanceof ObjectNode o) {
            ObjectNode out = JSON.createObjectNode();
            o.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) out.set(e.getKey(), withoutNulls(e.getValue()));
            });
            return out;
        }
        return n;
    }

    /** RFC 7396 MergePatch(Target, Patch). */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch;
        ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) out.remove(e.getKey());
            else out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    private static void validate(ObjectNode s, String p) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw ApiException.invalid(p + "/" + k, "Unknown setting `" + k + "`; settings are default_region, "
                        + "cors_origins, identifier_block_list, rate_limits and default_timezone.");
            }
        }
        JsonNode tz = s.get("default_timezone");
        if (tz != null && !(tz.isTextual() && tz.asText().length() <= 64 && io.switchboard.core.Times.isZone(tz.asText()))) {
            throw ApiException.invalid(p + "/default_timezone", "`default_timezone` must be an IANA time zone name, "
                    + "e.g. Europe/Berlin or America/New_York.");
        }
        JsonNode region = s.get("default_region");
        if (region != null) {
            String r = region.isTextual() ? region.asText().toUpperCase(Locale.ROOT) : "";
            if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(r)) {
                throw ApiException.invalid(p + "/default_region", "`default_region` must be an ISO 3166 region code "
                        + "with phone numbering, e.g. US, GB or DE.");
            }
        }
        JsonNode origins = s.get("cors_origins");
        if (origins != null) {
            strings(origins, p + "/cors_origins", MAX_ORIGINS);
            for (int i = 0; i < origins.size(); i++) {
                if (!origin(origins.get(i).asText())) {
                    throw ApiException.invalid(p + "/cors_origins/" + i, "Each of `cors_origins` is `*` or an origin "
                            + "such as https://shop.example.com, https://*.example.com or http://localhost:3000 "
                            + "(scheme and host, optional port, no path).");
                }
            }
        }
        JsonNode blocked = s.get("identifier_block_list");
        if (blocked != null) strings(blocked, p + "/identifier_block_list", MAX_BLOCKED);
        JsonNode limits = s.get("rate_limits");
        if (limits != null) {
            if (!limits.isObject()) {
                throw ApiException.invalid(p + "/rate_limits", "`rate_limits` must be an object keyed by endpoint class.");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = limits.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = p + "/rate_limits/" + e.getKey();
                if (RateClass.forKey(e.getKey()) == null || !e.getKey().equals(RateClass.forKey(e.getKey()).key())) {
                    throw ApiException.invalid(at, "Unknown endpoint class `" + e.getKey() + "`; classes are "
                            + String.join(", ", java.util.Arrays.stream(RateClass.values()).map(RateClass::key).toList()) + ".");
                }
                if (!e.getValue().isObject()) {
                    throw ApiException.invalid(at, "A rate limit is an object with burst_per_second and/or steady_per_minute.");
                }
                for (Iterator<Map.Entry<String, JsonNode>> f = e.getValue().fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> w = f.next();
                    if (!LIMIT_KEYS.contains(w.getKey())) {
                        throw ApiException.invalid(at + "/" + w.getKey(), "A rate limit has only burst_per_second and "
                                + "steady_per_minute.");
                    }
                    JsonNode n = w.getValue();
                    if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > MAX_RATE) {
                        throw ApiException.invalid(at + "/" + w.getKey(), "`" + w.getKey() + "` must be an integer from "
                                + "0 (window off) to " + MAX_RATE + ".");
                    }
                }
            }
        }
    }

    private static void strings(JsonNode a, String at, int max) {
        if (!a.isArray() || a.size() > max) {
            throw ApiException.invalid(at, "Must be an array of at most " + max + " strings.");
        }
        for (int i = 0; i < a.size(); i++) {
            JsonNode v = a.get(i);
            if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > MAX_STRING || v.asText().indexOf('\0') >= 0) {
                throw ApiException.invalid(at + "/" + i, "Must be a non-empty string of at most " + MAX_STRING + " characters.");
            }
        }
    }

    static boolean origin(String o) {
        if (o.equals("*")) return true;
        try {
            URI u = URI.create(o.replace("://*.", "://wildcard."));
            if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))) {
                return false;
            }
            String path = u.getRawPath();
            return u.getHost() != null && u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null
                    && (path == null || path.isEmpty() || path.equals("/"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
