package io.switchboard.core;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.errors.ApiException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The input limits of operations.md, in one place.
 *
 * <ul>
 *   <li>Nesting depth and string length are enforced while parsing, by {@link #applyTo(ObjectMapper)} on the
 *       application ObjectMapper (every JSON body read through it, including JSON:API documents).</li>
 *   <li>Body size is enforced by {@code http.BodyLimitFilter} from {@code limits.EndpointPolicies}.</li>
 *   <li>Properties per profile or event (400 keys) belong to the domain: services call
 *       {@link #checkProperties(JsonNode, String)} (or the {@code Map} variant) on the {@code properties}
 *       object they are about to store, so the error names the field.</li>
 * </ul>
 */
public final class InputLimits {
    public static final int MAX_NESTING_DEPTH = 32;
    /** 100 KB, counted in characters (Jackson's unit). */
    public static final int MAX_STRING_CHARS = 100 * 1024;
    public static final int MAX_PROPERTIES = 400;

    private InputLimits() {}

    /** Installs nesting and string limits on a mapper's parser factory (and so on its copies made later). */
    public static ObjectMapper applyTo(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_CHARS)
                .build());
        return mapper;
    }

    /**
     * Validates a {@code properties} object before it is stored: at most 400 top-level keys, and no
     * string (key or value, at any depth) with a NUL character, which PostgreSQL cannot store in text or
     * jsonb. Throws a 400 {@link ApiException} whose pointer names the offending place.
     */
    public static void checkProperties(JsonNode properties, String pointer) {
        if (properties == null || properties.isNull() || properties.isMissingNode()) return;
        if (properties.isObject() && properties.size() > MAX_PROPERTIES) {
            throw ApiException.invalid(pointer, "Too many properties in " + pointer + ": " + properties.size()
                    + " keys; at most " + MAX_PROPERTIES + " are allowed.");
        }
        checkStrings(properties, pointer, 0);
    }

    /** As {@link #checkProperties(JsonNode, String)}, for properties already bound to a map. */
    public static void checkProperties(Map<String, ?> properties, String pointer) {
        if (properties == null) return;
        if (properties.size() > MAX_PROPERTIES) {
            throw ApiException.invalid(pointer, "Too many properties in " + pointer + ": " + properties.size()
                    + " keys; at most " + MAX_PROPERTIES + " are allowed.");
        }
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            checkValue(e.getKey(), e.getValue(), pointer + "/" + escape(e.getKey()), 1);
        }
    }

    private static void checkValue(String key, Object v, String pointer, int depth) {
        checkString(key, pointer);
        if (depth > MAX_NESTING_DEPTH) {
            throw ApiException.invalid(pointer, "Nested too deeply: at most " + MAX_NESTING_DEPTH + " levels.");
        }
        if (v instanceof String s) {
            checkString(s, pointer);
        } else if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                checkValue(k, e.getValue(), pointer + "/" + escape(k), depth + 1);
            }
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                checkValue(null, l.get(i), pointer + "/" + i, depth + 1);
            }
        } else if (v instanceof JsonNode n) {
            checkStrings(n, pointer, depth);
        }
    }

    private static void checkStrings(JsonNode n, String pointer, int depth) {
        if (depth > MAX_NESTING_DEPTH) {
            throw ApiException.invalid(pointer, "Nested too deeply: at most " + MAX_NESTING_DEPTH + " levels.");
        }
        if (n.isTextual()) {
            checkString(n.textValue(), pointer);
        } else if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = pointer + "/" + escape(e.getKey());
                checkString(e.getKey(), p);
                checkStrings(e.getValue(), p, depth + 1);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                checkStrings(n.get(i), pointer + "/" + i, depth + 1);
            }
        }
    }

    private static void checkString(String s, String pointer) {
        if (s == null) return;
        if (s.length() > MAX_STRING_CHARS) {
            throw ApiException.invalid(pointer, "String too long at " + pointer + ": " + s.length()
                    + " characters; at most " + MAX_STRING_CHARS + " are allowed.");
        }
        if (s.indexOf('\u0000') >= 0) {
            throw ApiException.invalid(pointer, "Strings may not contain the NUL character (\\u0000): " + pointer + ".");
        }
    }

    /** JSON pointer escaping of one reference token. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
