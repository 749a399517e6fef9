package io.switchboard.api;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The one JSON body reader of every dialect (Klaviyo profiles and events, Parcelvoy, Segment, Dittofeed:
 * issue 11, finding 12), so the input limits hold by construction — nesting depth and string length from
 * {@code limits.InputLimits}, invalid UTF-8 refused, trailing tokens refused — plus field checks shared by
 * the dialects. Bodies are read as bytes and parsed here,
 * so every error can name the exact field (and batch item) in the dialect's own words: {@code path} is
 * what the message shows (e.g. {@code 0/name}, {@code batch[3].userId}); {@code pointer} is the JSON
 * pointer ({@code /0/name}).
 */
public final class Body {
    public static final int MAX_DEPTH = io.switchboard.core.InputLimits.MAX_NESTING_DEPTH;
    public static final int MAX_PROPERTIES = io.switchboard.core.InputLimits.MAX_PROPERTIES;
    public static final int MAX_STRING = io.switchboard.core.InputLimits.MAX_STRING_CHARS;
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING).build()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // numbers keep the form they were written in (5.0 stays 5.0, 1.50 stays 1.50): Jackson's default
            // strips a BigDecimal's trailing zeros, which turned a float into an integer when echoed back
            // (a segment definition's `value`, an event property) — and 100.0 into 1E+2
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private Body() {}

    /**
     * Parses a JSON body. Empty → invalid (a validation error, 422 in Parcelvoy). Malformed JSON, invalid
     * UTF-8 and JSON over the parser limits are rethrown as Jackson exceptions, so the shared
     * JsonParseExceptionMapper answers them as it does everywhere: 400 in every dialect, naming the spot.
     */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.invalid(null, "The request body is empty; send a JSON document.");
        }
        // pure ASCII is valid UTF-8: only bodies with non-ASCII bytes are run through a strict decoder
        // (which otherwise decoded every body into a throw-away CharBuffer first; docs/performance.md)
        if (!ascii(body)) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(body));
            } catch (CharacterCodingException e) {
                throw sneaky(new com.fasterxml.jackson.core.JsonParseException(null, "the body is not valid UTF-8"));
            }
        }
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) throw ApiException.invalid(null, "The request body is empty; send a JSON document.");
            if (mayHoldNul(body)) {
                String at = nulAt(n, "");
                if (at != null) {
                    throw new ApiException(ErrorKind.INVALID, "`" + (at.isEmpty() ? "/" : at) + "` contains a NUL character "
                            + "(\\u0000), which cannot be stored.", at.isEmpty() ? null : at, null, null);
                }
            }
            return n;
        } catch (java.io.IOException e) {
            throw sneaky(e);
        }
    }

    /**
     * Whether the raw body holds the escape (backslash, u, four zeros): the only way a JSON string (value or name) can
     * carry a NUL, which PostgreSQL's text and jsonb cannot store. A byte scan, so bodies without it pay
     * nothing more; a hit is confirmed on the parsed tree ({@code \\u0000} is a backslash and text).
     */
    static boolean mayHoldNul(byte[] b) {
        for (int i = 0; i + 5 < b.length; i++) {
            if (b[i] == '\\' && b[i + 1] == 'u' && b[i + 2] == '0' && b[i + 3] == '0' && b[i + 4] == '0' && b[i + 5] == '0') {
                return true;
            }
        }
        return false;
    }

    /** The JSON pointer of the first string value or field name holding a NUL, or null. */
    static String nulAt(JsonNode n, String pointer) {
        if (n.isTextual()) return n.textValue().indexOf('\0') >= 0 ? pointer : null;
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String at = nulAt(n.get(i), pointer + "/" + i);
                if (at != null) return at;
            }
        } else if (n.isObject()) {
            var it = n.fields();
            while (it.hasNext()) {
                var e = it.next();
                String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (e.getKey().indexOf('\0') >= 0) return child;
                String at = nulAt(e.getValue(), child);
                if (at != null) return at;
            }
        }
        return null;
    }

    static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0) return false;
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
        throw (E) e;
    }

    /** Where a field sits: the text shown to people and the JSON pointer. */
    public record Loc(String path, String pointer) {
        public static Loc root(String pointerPrefix, String pathPrefix) {
            return new Loc(pathPrefix, pointerPrefix);
        }

        /** Parcelvoy style: {@code 0/name}. */
        public static Loc slash(String path) {
            return new Loc(path, "/" + path);
        }

        public Loc field(String f, String sep) {
            return new Loc(path.isEmpty() ? f : path + sep + f, pointer + "/" + f);
        }
    }

    public static ApiException invalid(Loc loc, String detail) {
        return new ApiException(ErrorKind.INVALID, detail, loc.pointer(), null, null);
    }

    /** An optional string field: missing or null → null; another type → invalid naming {@code path}. */
    public static String text(JsonNode parent, String field, Loc loc) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw invalid(loc, "The value of `" + loc.path() + "` must be a string.");
        return v.asText();
    }

    public static String requiredText(JsonNode parent, String field, Loc loc) {
        String s = text(parent, field, loc);
        if (s == null) throw invalid(loc, "`" + loc.path() + "` is required and must be a string.");
        return s;
    }

    /** An id field: a string, or a number taken as its decimal text (Segment/Dittofeed coerce ids). */
    public static String id(JsonNode parent, String field, Loc loc) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        if (v.isIntegralNumber()) return v.asText();
        if (v.isNumber()) return v.decimalValue().stripTrailingZeros().toPlainString();
        throw invalid(loc, "The value of `" + loc.path() + "` must be a string.");
    }

    /** An optional object field: missing or null → null; another type → invalid. */
    public static ObjectNode object(JsonNode parent, String field, Loc loc) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw invalid(loc, "The value of `" + loc.path() + "` must be an object.");
        return (ObjectNode) v;
    }

    public static ObjectNode properties(JsonNode parent, String field, Loc loc) {
        ObjectNode o = object(parent, field, loc);
        if (o != null && o.size() > MAX_PROPERTIES) {
            throw invalid(loc, "`" + loc.path() + "` has " + o.size() + " keys; at most " + MAX_PROPERTIES + " are allowed.");
        }
        return o;
    }

    public static BigDecimal number(JsonNode parent, String field, Loc loc) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw invalid(loc, "The value of `" + loc.path() + "` must be a number.");
        return v.decimalValue();
    }

    public static Boolean bool(JsonNode parent, String field, Loc loc) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw invalid(loc, "The value of `" + loc.path() + "` must be true or false.");
        return v.asBoolean();
    }

    /** Rejects fields outside {@code allowed} (Parcelvoy identify). */
    public static void onlyFields(JsonNode obj, Set<String> allowed, String what, java.util.function.Function<String, Loc> loc) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw invalid(loc.apply(f), "Unknown field `" + f + "`: " + what + " accepts only "
                        + String.join(", ", allowed.stream().sorted().toList()) + ".");
            }
        }
    }

    /** ISO-8601 date-time (offset, or UTC when none; a bare date is midnight UTC); null when absent. */
    public static Instant time(JsonNode parent, String field, Loc loc) {
        String s = text(parent, field, loc);
        if (s == null) return null;
        Instant t = parseTime(s);
        if (t == null) {
            throw invalid(loc, "The value of `" + loc.path() + "` must be an ISO-8601 date-time such as "
                    + "2025-07-15T10:30:00Z.");
        }
        return t;
    }

    public static Instant parseTime(String s) {
        String v = s.trim();
        try {
            TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(v, OffsetDateTime::from,
                    java.time.LocalDateTime::from);
            if (t instanceof OffsetDateTime o) return o.toInstant();
            return ((java.time.LocalDateTime) t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** Shallow merge: {@code under}'s keys, then {@code over}'s on top (Segment batch context). */
    public static ObjectNode mergeUnder(ObjectNode under, ObjectNode over) {
        ObjectNode out = MAPPER.createObjectNode();
        if (under != null) out.setAll(under);
        if (over != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
                var e = it.next();
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public static String sha256(byte[] body) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
