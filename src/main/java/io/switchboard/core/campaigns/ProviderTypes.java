package io.switchboard.core.campaigns;

import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per provider type: the configuration keys it accepts, which are required, and which are secrets
 * (never returned by the API: shown as {@value #REDACTED}; sending that value back keeps the stored one).
 */
public final class ProviderTypes {
    public static final String REDACTED = "********";
    public static final Set<String> TYPES = Set.of("smtp", "twilio", "fcm", "apns", "webhook", "log");

    /** {@code destination}: the keys that say where the provider connects (changing one needs the secrets again). */
    record Spec(List<String> keys, Set<String> required, Set<String> secrets, Set<String> destination) {}

    private static final Map<String, Spec> SPECS = Map.of(
            "smtp", new Spec(List.of("host", "port", "tls", "username", "password", "from", "timeout_ms"),
                    Set.of("host"), Set.of("password"), Set.of("host", "port", "tls")),
            "twilio", new Spec(List.of("account_sid", "auth_token", "from", "messaging_service_sid", "base_url"),
                    Set.of("account_sid", "auth_token"), Set.of("auth_token"), Set.of("base_url")),
            "fcm", new Spec(List.of("project_id", "access_token", "service_account", "base_url"),
                    Set.of("project_id"), Set.of("access_token", "service_account"), Set.of("base_url")),
            "apns", new Spec(List.of("key_id", "team_id", "topic", "signing_key", "production", "host", "port",
                    "trusted_certificate"), Set.of("key_id", "team_id", "topic", "signing_key"), Set.of("signing_key"),
                    Set.of("host", "port", "production", "trusted_certificate")),
            "webhook", new Spec(List.of("url", "headers"), Set.of("url"), Set.of(), Set.of("url")),
            "log", new Spec(List.of(), Set.of(), Set.of(), Set.of()));

    private ProviderTypes() {}

    /** Validates a complete configuration for a type; pointers are under {@code /data/attributes/config}. */
    public static void validate(String type, Map<String, Object> config) {
        String base = "/data/attributes/config";
        Spec spec = SPECS.get(type);
        for (String k : config.keySet()) {
            if (!spec.keys().contains(k)) {
                throw ApiException.invalid(base + "/" + k, "Unknown configuration key `" + k + "` for a " + type
                        + " provider; allowed: " + (spec.keys().isEmpty() ? "none" : String.join(", ", spec.keys())) + ".");
            }
        }
        for (String k : spec.required()) {
            Object v = config.get(k);
            if (v == null || v.toString().isBlank()) {
                throw ApiException.invalid(base + "/" + k, "A " + type + " provider needs `config." + k + "`.");
            }
        }
        switch (type) {
            case "smtp" -> {
                integer(config, "port", base, 1, 65535);
                integer(config, "timeout_ms", base, 100, 600_000);
                Object tls = config.get("tls");
                if (tls != null && !List.of("none", "starttls", "ssl").contains(tls.toString())) {
                    throw ApiException.invalid(base + "/tls", "`config.tls` must be \"none\", \"starttls\" or \"ssl\".");
                }
            }
            case "twilio" -> {
                if (blank(config, "from") && blank(config, "messaging_service_sid")) {
                    throw ApiException.invalid(base + "/from",
                            "A twilio provider needs `config.from` (a phone number) or `config.messaging_service_sid`.");
                }
                url(config, "base_url", base);
            }
            case "fcm" -> {
                if (blank(config, "access_token") && config.get("service_account") == null) {
                    throw ApiException.invalid(base + "/access_token",
                            "An fcm provider needs `config.access_token` or `config.service_account` (the service-account JSON).");
                }
                url(config, "base_url", base);
            }
            case "apns" -> {
                integer(config, "port", base, 1, 65535);
                Object p = config.get("production");
                if (p != null && !(p instanceof Boolean)) {
                    throw ApiException.invalid(base + "/production", "`config.production` must be true or false.");
                }
                String key = String.valueOf(config.get("signing_key"));
                if (!REDACTED.equals(key) && !key.contains("BEGIN PRIVATE KEY")) {
                    throw ApiException.invalid(base + "/signing_key",
                            "`config.signing_key` must be the APNs auth key (.p8) in PEM form (-----BEGIN PRIVATE KEY-----).");
                }
            }
            case "webhook" -> {
                url(config, "url", base);
                Object h = config.get("headers");
                if (h != null && !(h instanceof Map<?, ?> m && m.values().stream().allMatch(x -> x instanceof String))) {
                    throw ApiException.invalid(base + "/headers", "`config.headers` must be an object of strings.");
                }
            }
            default -> { }
        }
    }

    /** The configuration as the API shows it: secrets (and webhook header values) replaced by {@value #REDACTED}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> redact(String type, Map<String, Object> config) {
        Spec spec = SPECS.get(type);
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : config.entrySet()) {
            if (spec.secrets().contains(e.getKey()) && e.getValue() != null) {
                out.put(e.getKey(), REDACTED);
            } else if ("webhook".equals(type) && "headers".equals(e.getKey()) && e.getValue() instanceof Map<?, ?> m) {
                Map<String, Object> h = new LinkedHashMap<>();
                ((Map<String, Object>) m).keySet().forEach(k -> h.put(k, REDACTED));
                out.put(e.getKey(), h);
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * An update's configuration over the stored one: keys given replace, null removes, {@value #REDACTED}
     * keeps the stored secret (so a client may send back what it read).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> merge(String type, Map<String, Object> stored, Map<String, Object> patch) {
        Map<String, Object> out = new LinkedHashMap<>(stored);
        for (var e : patch.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                out.remove(e.getKey());
            } else if (REDACTED.equals(v)) {
                // keep the stored value
            } else if ("webhook".equals(type) && "headers".equals(e.getKey()) && v instanceof Map<?, ?> m
                    && stored.get("headers") instanceof Map<?, ?> old) {
                Map<String, Object> h = new LinkedHashMap<>();
                ((Map<String, Object>) m).forEach((k, hv) -> h.put(k, REDACTED.equals(hv) ? old.get(k) : hv));
                h.values().removeIf(x -> x == null);
                out.put(e.getKey(), h);
            } else {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    /**
     * A stored secret goes only where it went before: when an update changes where the provider connects
     * (a {@code destination} key such as smtp {@code host}/{@code port}/{@code tls}, a {@code base_url}, a
     * webhook {@code url}), every stored secret — and every webhook header value — must be sent again in
     * the same request (or removed with null). Keeping one (the mask {@value #REDACTED}, or leaving it out)
     * is a 422 naming it; otherwise whoever can edit a provider could re-target its credentials at a server
     * of their own and read them there.
     */
    @SuppressWarnings("unchecked")
    public static void requireSecretsOnRetarget(String type, Map<String, Object> stored, Map<String, Object> patch,
                                                Map<String, Object> merged) {
        Spec spec = SPECS.get(type);
        String moved = null;
        for (String k : spec.destination()) {
            if (!java.util.Objects.equals(stored.get(k), merged.get(k))) {
                moved = k;
                break;
            }
        }
        if (moved == null) return;
        String base = "/data/attributes/config/";
        for (String secret : spec.secrets()) {
            if (stored.get(secret) == null || merged.get(secret) == null) continue;
            Object given = patch.get(secret);
            if (given == null || REDACTED.equals(given)) {
                throw new ApiException(ErrorKind.UNPROCESSABLE, "Changing `config." + moved + "` changes where this provider "
                        + "connects, so its secrets must be given again: send `config." + secret + "` (not the mask).",
                        base + secret, null, null);
            }
        }
        if ("webhook".equals(type) && stored.get("headers") instanceof Map<?, ?> old && !old.isEmpty()
                && merged.get("headers") instanceof Map<?, ?> now) {
            Object given = patch.get("headers");
            for (Object name : ((Map<String, Object>) now).keySet()) {
                if (!old.containsKey(name)) continue;
                Object v = given instanceof Map<?, ?> gm ? gm.get(name) : null;
                if (v == null || REDACTED.equals(v)) {
                    throw new ApiException(ErrorKind.UNPROCESSABLE, "Changing `config.url` changes where this webhook "
                            + "connects, so its header values must be given again: send `config.headers." + name
                            + "` (not the mask), or null to drop it.", base + "headers/" + name, null, null);
                }
            }
        }
    }

    private static boolean blank(Map<String, Object> c, String k) {
        Object v = c.get(k);
        return v == null || v.toString().isBlank();
    }

    private static void integer(Map<String, Object> c, String k, String base, int min, int max) {
        Object v = c.get(k);
        if (v == null) return;
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < min || n.intValue() > max) {
            throw ApiException.invalid(base + "/" + k, "`config." + k + "` must be an integer from " + min + " to " + max + ".");
        }
    }

    private static void url(Map<String, Object> c, String k, String base) {
        Object v = c.get(k);
        if (v == null) return;
        try {
            URI u = URI.create(v.toString());
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(base + "/" + k, "`config." + k + "` must be an absolute http(s) URL.");
        }
    }
}
