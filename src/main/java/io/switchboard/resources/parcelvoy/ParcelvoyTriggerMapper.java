package io.switchboard.resources.parcelvoy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.switchboard.core.campaigns.TriggerCommand;
import io.switchboard.core.campaigns.TriggerService;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.errors.ApiException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Parcelvoy's trigger body ({@code {"user": {...}, "event": {...}}}) → {@link TriggerCommand}, with
 * Parcelvoy's AJV-style messages and {@code /user/...} pointers; and core's {@link TriggerService.Rejected}
 * → the same wording.
 */
final class ParcelvoyTriggerMapper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final Set<String> RESERVED = Set.of("external_id", "email", "phone", "device_token", "timezone",
            "locale", "data");
    private static final int MAX_PROPERTIES = 400;
    private static final int MAX_KEY_LENGTH = 255;

    private ParcelvoyTriggerMapper() {}

    static TriggerCommand read(String campaignId, JsonNode body, String idempotencyHeader) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("", "The request body must be a JSON object with `user` and optional `event`.");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("user") && !f.equals("event")) {
                throw ApiException.invalid("/" + f, "Must NOT have additional properties: `" + f
                        + "` (the body takes `user` and `event`).");
            }
        }
        JsonNode user = body.get("user");
        JsonNode event = body.get("event");
        if (event != null && !event.isNull() && !event.isObject()) {
            throw ApiException.invalid("/event", "The value of `event` must be a object.");
        }
        String key = idempotencyKey(idempotencyHeader, event);
        if (user == null || user.isNull()) {
            throw ApiException.invalid("/user", "Must have required property 'user'.");
        }
        if (!user.isObject()) {
            throw ApiException.invalid("/user", "The value of `user` must be a object.");
        }
        JsonNode ext = user.get("external_id");
        if (ext == null || ext.isNull()) {
            throw ApiException.invalid("/user/external_id", "Must have required property 'external_id' (user.external_id).");
        }
        if (!ext.isTextual() && !ext.isIntegralNumber()) {
            throw ApiException.invalid("/user/external_id", "The value of `user.external_id` must be a string.");
        }
        String email = text(user, "email");
        String phone = text(user, "phone");
        String token = text(user, "device_token");
        String tz = text(user, "timezone");
        if (tz != null) {
            try {
                ZoneId.of(tz);
            } catch (DateTimeException e) {
                throw ApiException.invalid("/user/timezone", "The timezone value must be in the IANA format.");
            }
        }
        String locale = text(user, "locale");
        if (locale != null && locale.length() > 35) {
            throw ApiException.invalid("/user/locale", "`user.locale` must be at most 35 characters.");
        }
        ProfileWrite.Builder w = ProfileWrite.builder();
        if (locale != null) w.attribute("locale", JsonNodeFactory.instance.textNode(locale));
        if (tz != null) w.attribute("location.timezone", JsonNodeFactory.instance.textNode(tz));
        int count = 0;
        for (var it = user.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("data") && e.getValue().isObject()) {
                for (var dit = e.getValue().fields(); dit.hasNext(); ) {
                    var d = dit.next();
                    property(w, "/user/data/" + d.getKey(), d.getKey(), d.getValue());
                    count++;
                }
            } else if (!RESERVED.contains(e.getKey())) {
                property(w, "/user/" + e.getKey(), e.getKey(), e.getValue());
                count++;
            }
            if (count > MAX_PROPERTIES) {
                throw ApiException.invalid("/user", "At most " + MAX_PROPERTIES + " custom properties per user.");
            }
        }
        Map<String, Object> eventMap = event == null || event.isNull() ? null : JSON.convertValue(event, MAP);
        return new TriggerCommand(campaignId, ext.asText(), email, phone, token, locale, tz, w.build(), eventMap, key);
    }

    /** Core's refusal, in Parcelvoy's words at Parcelvoy's pointer. */
    static ApiException error(TriggerService.Rejected r) {
        String field = wire(r.field());
        String pointer = "/user/" + field;
        return switch (r.reason()) {
            case MISSING -> ApiException.invalid(pointer, "Must have required property '" + field + "': this "
                    + (r.channel() == null ? "" : r.channel().wire() + " ") + "campaign needs `user." + field + "`.");
            case INVALID_APNS_TOKEN -> ApiException.invalid(pointer,
                    "The value of `user.device_token` is not a valid APNs device token (hexadecimal).");
            case INVALID -> ApiException.invalid(pointer, switch (r.field()) {
                case EXTERNAL_ID -> "`user.external_id` must be a real identifier (not empty, \"null\", \"undefined\" or "
                        + "similar; at most " + Normalizer.MAX_IDENTIFIER_LENGTH + " characters).";
                case EMAIL -> "The value of `user.email` is not a valid email address.";
                case PHONE -> "The value of `user.phone` is not a valid phone number; use E.164, e.g. +12345678900.";
                case DEVICE_TOKEN -> "The value of `user.device_token` is not a valid push token.";
            });
        };
    }

    private static String wire(TriggerCommand.Field f) {
        return switch (f) {
            case EXTERNAL_ID -> "external_id";
            case EMAIL -> "email";
            case PHONE -> "phone";
            case DEVICE_TOKEN -> "device_token";
        };
    }

    private static String idempotencyKey(String header, JsonNode event) {
        if (header != null) {
            String k = header.trim();
            if (k.isEmpty() || k.length() > 255) {
                throw ApiException.invalidParameter("Idempotency-Key", "The Idempotency-Key header must be 1 to 255 characters.");
            }
            return k;
        }
        if (event != null && event.hasNonNull("id")) {
            JsonNode id = event.get("id");
            if (!id.isTextual() && !id.isIntegralNumber()) {
                throw ApiException.invalid("/event/id", "The value of `event.id` must be a string or an integer.");
            }
            String k = id.asText().trim();
            if (k.isEmpty() || k.length() > 255) {
                throw ApiException.invalid("/event/id", "`event.id` must be 1 to 255 characters.");
            }
            return "event:" + k;
        }
        return null;
    }

    /** A custom key: a standard profile attribute (first_name, last_name, organization, title, image) or a property. */
    private static void property(ProfileWrite.Builder w, String pointer, String key, JsonNode v) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw ApiException.invalid(pointer, "Property names must be 1 to " + MAX_KEY_LENGTH + " characters.");
        }
        if (ProfileWrite.STANDARD.contains(key) && !key.equals("locale") && (v.isTextual() || v.isNull())) {
            w.attribute(key, v);
        } else {
            w.property(key, v);
        }
    }

    private static String text(JsonNode user, String field) {
        JsonNode v = user.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            throw ApiException.invalid("/user/" + field, "The value of `user." + field + "` must be a string.");
        }
        return v.asText();
    }

}
