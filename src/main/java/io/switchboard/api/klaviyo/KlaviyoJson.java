package io.switchboard.api.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;

/**
 * Reading Klaviyo JSON:API request bodies as Jackson trees, so absent and {@code null} stay distinct
 * ({@code null} clears, absent leaves alone). Every failure names the offending spot as a JSON pointer.
 */
public final class KlaviyoJson {
    private KlaviyoJson() {}

    /**
     * Parses a request body with the one body reader every dialect uses ({@code api.Body}):
     * the same nesting-depth and string limits, invalid UTF-8 refused, trailing tokens refused; malformed
     * input surfaces as Jackson's exception and is answered 400 by the shared mapper. Empty → 400
     * {@code invalid} at {@code /data}.
     */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw ApiException.invalid("/data", "The request body is empty; a JSON:API document with `data` is required.");
        }
        return io.switchboard.api.Body.parse(body);
    }

    /**
     * The {@code data} object of a document whose {@code data.type} must be {@code type}: missing
     * {@code data} or {@code data.type} → 400; another type → 409 {@code conflict} (JSON:API's answer).
     */
    public static ObjectNode data(JsonNode root, String type) {
        if (root == null || !root.isObject()) {
            throw ApiException.invalid("/data", "The body must be a JSON object with a `data` member.");
        }
        JsonNode data = root.get("data");
        if (data == null || data.isNull()) {
            throw ApiException.invalid("/data", "`data` is required: {\"data\": {\"type\": \"" + type
                    + "\", ...}}.");
        }
        if (!data.isObject()) {
            throw ApiException.invalid("/data", "`data` must be an object.");
        }
        JsonNode t = data.get("type");
        if (t == null || t.isNull()) {
            throw ApiException.invalid("/data/type", "`data.type` is required and must be `" + type + "`.");
        }
        if (!t.isTextual() || !t.asText().equals(type)) {
            throw new ApiException(ErrorKind.CONFLICT, "`data.type` must be `" + type + "` on this endpoint, not "
                    + t + ".", "/data/type", null, null);
        }
        return (ObjectNode) data;
    }

    /** An optional object member: absent or null → null; another type → 400. */
    public static ObjectNode object(JsonNode parent, String field, String pointer) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw ApiException.invalid(pointer, "`" + field + "` must be an object.");
        return (ObjectNode) v;
    }

    /** A required object member. */
    public static ObjectNode requiredObject(JsonNode parent, String field, String pointer) {
        ObjectNode o = object(parent, field, pointer);
        if (o == null) throw ApiException.invalid(pointer, "`" + field + "` is required and must be an object.");
        return o;
    }

    /** An optional string member: absent or null → null; another type → 400. */
    public static String string(JsonNode parent, String field, String pointer) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiException.invalid(pointer, "`" + field + "` must be a string.");
        return v.asText();
    }
}
