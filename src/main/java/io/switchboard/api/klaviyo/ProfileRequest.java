package io.switchboard.api.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.PatchProperties;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.errors.ApiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Klaviyo profile's {@code attributes} (and {@code meta}) read into the dialect-neutral
 * {@link Identifiers} and {@link ProfileWrite}. Used by the profile endpoints and, for the profile an
 * event or subscription names, by the events endpoints. Unknown attributes are ignored; a known one
 * of the wrong type is a 400 whose pointer names it.
 *
 * @param identifiers the identifiers named ({@code null} values and absent ones are both "not named")
 * @param write       standard attributes, location, custom properties and {@code patch_properties}
 */
public record ProfileRequest(Identifiers identifiers, ProfileWrite write) {

    /** Which identifier attributes the endpoint (at its revision) reads. */
    public enum Identity {
        /** email, phone_number, external_id, anonymous_id (client endpoints; server before 2025-10-15). */
        WITH_ANONYMOUS_ID,
        /** email, phone_number, external_id (server endpoints from 2025-10-15). */
        WITHOUT_ANONYMOUS_ID
    }

    private static final List<String> STRING_ATTRIBUTES = List.of("first_name", "last_name", "organization", "title",
            "image", "locale");

    /**
     * Reads {@code attributes} at {@code pointer} (e.g. {@code /data/attributes}) and an optional
     * {@code meta} object (whose {@code patch_properties} is read) at {@code metaPointer}.
     */
    public static ProfileRequest read(ObjectNode attributes, String pointer, ObjectNode meta, String metaPointer,
                                      Identity identity) {
        ObjectNode a = attributes;
        String email = KlaviyoJson.string(a, "email", pointer + "/email");
        String phone = KlaviyoJson.string(a, "phone_number", pointer + "/phone_number");
        String external = KlaviyoJson.string(a, "external_id", pointer + "/external_id");
        String anonymous = identity == Identity.WITH_ANONYMOUS_ID
                ? KlaviyoJson.string(a, "anonymous_id", pointer + "/anonymous_id") : null;
        ProfileWrite.Builder w = ProfileWrite.builder();
        if (a != null) {
            for (String f : STRING_ATTRIBUTES) {
                JsonNode v = a.get(f);
                if (v == null) continue;
                if (!v.isNull() && !v.isTextual()) {
                    throw ApiException.invalid(pointer + "/" + f, "`" + f + "` must be a string or null.");
                }
                w.attribute(f, v);
            }
            JsonNode loc = a.get("location");
            if (loc != null) {
                if (loc.isNull()) {
                    ProfileWrite.LOCATION.forEach(k -> w.attribute("location." + k, NullNode.instance));
                } else if (!loc.isObject()) {
                    throw ApiException.invalid(pointer + "/location", "`location` must be an object or null.");
                } else {
                    for (String k : ProfileWrite.LOCATION) {
                        JsonNode v = loc.get(k);
                        if (v == null) continue;
                        boolean number = k.equals("latitude") || k.equals("longitude");
                        if (!v.isNull() && !v.isTextual() && !(number && v.isNumber())) {
                            throw ApiException.invalid(pointer + "/location/" + k, "`location." + k + "` must be a "
                                    + (number ? "number, a string" : "string") + " or null.");
                        }
                        w.attribute("location." + k, v);
                    }
                }
            }
            JsonNode props = a.get("properties");
            if (props != null && !props.isNull()) {
                if (!props.isObject()) {
                    throw ApiException.invalid(pointer + "/properties", "`properties` must be an object.");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                    var e = it.next();
                    w.property(e.getKey(), e.getValue());
                }
            }
        }
        if (meta != null) {
            w.patch(patchProperties(KlaviyoJson.object(meta, "patch_properties", metaPointer + "/patch_properties"),
                    metaPointer + "/patch_properties"));
        }
        return new ProfileRequest(Identifiers.of(external, email, phone, anonymous), w.build());
    }

    /** {@code {"append": {k: v|[v]}, "unappend": {k: v|[v]}, "unset": "k" | ["k", …]}}. */
    public static PatchProperties patchProperties(ObjectNode p, String pointer) {
        if (p == null) return PatchProperties.NONE;
        Map<String, JsonNode> append = entries(KlaviyoJson.object(p, "append", pointer + "/append"));
        Map<String, JsonNode> unappend = entries(KlaviyoJson.object(p, "unappend", pointer + "/unappend"));
        List<String> unset = new ArrayList<>();
        JsonNode u = p.get("unset");
        if (u != null && !u.isNull()) {
            if (u.isTextual()) {
                unset.add(u.asText());
            } else if (u.isArray()) {
                for (int i = 0; i < u.size(); i++) {
                    if (!u.get(i).isTextual()) {
                        throw ApiException.invalid(pointer + "/unset/" + i, "`unset` entries must be property names (strings).");
                    }
                    unset.add(u.get(i).asText());
                }
            } else {
                throw ApiException.invalid(pointer + "/unset", "`unset` must be a property name or an array of them.");
            }
        }
        return new PatchProperties(append, unappend, unset);
    }

    private static Map<String, JsonNode> entries(ObjectNode o) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (o != null) o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
