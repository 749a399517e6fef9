package io.switchboard.resources.klaviyo.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.PatchProperties;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import io.switchboard.api.Body;
import io.switchboard.api.Body.Loc;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Klaviyo event documents → {@link IngestOp}s. Accepts both shapes of klaviyo.md: the pre-2023-07-15 flat
 * {@code attributes.profile} ({@code $email}, {@code $phone_number}, {@code $id}, …) with
 * {@code metric: {name}} (what klaviyo-api 3.x sends with revision 2023-02-22), and the JSON:API
 * {@code profile.data.attributes} / {@code metric.data.attributes.name}. The shape is recognised from
 * the document itself, so either works under any revision.
 */
public final class KlaviyoEventMapper {
    static final Instant MIN_TIME = LocalDate.of(1990, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
    private static final Set<String> FLAT_STANDARD = Set.of("$first_name", "$last_name", "$organization", "$title",
            "$image", "$locale");
    private static final Map<String, String> FLAT_LOCATION = Map.of("$city", "city", "$region", "region", "$country",
            "country", "$zip", "zip", "$address1", "address1", "$address2", "address2", "$timezone", "timezone",
            "$latitude", "latitude", "$longitude", "longitude");
    private static final Set<String> FLAT_IDENTIFIERS = Set.of("$email", "$phone_number", "$id", "$anonymous",
            "$anonymous_id", "$exchange_id", "$kx", "_kx");

    public KlaviyoEventMapper() {}

    /** Who an event (or token, subscription…) is about, and what it writes on the profile. */
    public record ProfileSpec(Identifiers ids, ProfileWrite write, String profileId, String idPointer) {
        public ProfileSpec(Identifiers ids, ProfileWrite write) {
            this(ids, write, null, null);
        }

        /** The ingestion item for this profile: by identifiers, or (none given) by the profile id, resolved in core. */
        public IngestOp op(WriteMode mode, List<IngestOp.Effect> effects) {
            IngestOp.IdentityStep step = ids.isEmpty() && profileId != null
                    ? new IngestOp.ById(profileId, write, mode, idPointer)
                    : new IngestOp.Resolve(ids, write, mode);
            return new IngestOp(null, null, step, effects);
        }
    }

    /** The {@code data} object of a document, with {@code type} checked (409 conflict as Klaviyo). */
    public static JsonNode data(JsonNode body, String type) {
        if (!body.isObject()) throw ApiException.invalid("/data", "The body must be a JSON:API document with `data`.");
        JsonNode data = body.get("data");
        if (data == null || !data.isObject()) {
            throw ApiException.invalid("/data", "`data` is required and must be an object.");
        }
        JsonNode t = data.get("type");
        if (t == null || !t.isTextual()) {
            throw ApiException.invalid("/data/type", "`data.type` is required and must be \"" + type + "\".");
        }
        if (!t.asText().equals(type)) {
            throw new ApiException(ErrorKind.CONFLICT, "`data.type` must be \"" + type + "\" on this endpoint; got \""
                    + t.asText() + "\".", "/data/type", null, null);
        }
        JsonNode a = data.get("attributes");
        if (a == null || !a.isObject()) {
            throw ApiException.invalid("/data/attributes", "`data.attributes` is required and must be an object.");
        }
        return data;
    }

    /**
     * The profile of {@code holder.profile} in either shape. {@code strictContact}: a malformed email or
     * phone is a 400 (server endpoints) instead of being ignored (client endpoints).
     */
    public ProfileSpec profile(long companyId, JsonNode holder, String pointer, boolean strictContact) {
        JsonNode profile = holder.get("profile");
        if (profile == null || profile.isNull()) {
            throw ApiException.invalid(pointer + "/profile", "`profile` is required.");
        }
        if (!profile.isObject()) throw ApiException.invalid(pointer + "/profile", "`profile` must be an object.");
        if (profile.has("data")) return jsonApiProfile(companyId, profile.get("data"), pointer + "/profile/data", strictContact);
        return flatProfile(companyId, (ObjectNode) profile, pointer + "/profile", strictContact);
    }

    private ProfileSpec jsonApiProfile(long companyId, JsonNode data, String ptr, boolean strict) {
        if (!data.isObject()) throw ApiException.invalid(ptr, "`profile.data` must be an object.");
        String id = Body.text(data, "id", new Loc("profile.data.id", ptr + "/id"));
        ObjectNode a = Body.object(data, "attributes", new Loc("profile.data.attributes", ptr + "/attributes"));
        if (a == null) a = Body.MAPPER.createObjectNode();
        String ap = ptr + "/attributes";
        String email = Body.text(a, "email", new Loc("email", ap + "/email"));
        String phone = Body.text(a, "phone_number", new Loc("phone_number", ap + "/phone_number"));
        String ext = Body.id(a, "external_id", new Loc("external_id", ap + "/external_id"));
        String anon = Body.id(a, "anonymous_id", new Loc("anonymous_id", ap + "/anonymous_id"));
        String kx = Body.text(a, "_kx", new Loc("_kx", ap + "/_kx"));
        if (anon == null && kx != null) anon = "kx:" + kx;
        checkContact(email, phone, ap, strict, companyId);
        ProfileWrite.Builder b = ProfileWrite.builder();
        for (String k : ProfileWrite.STANDARD) {
            if (a.has(k)) {
                JsonNode v = a.get(k);
                if (!v.isNull() && !v.isTextual()) {
                    throw ApiException.invalid(ap + "/" + k, "`" + k + "` must be a string or null.");
                }
                b.attribute(k, v);
            }
        }
        ObjectNode loc = Body.object(a, "location", new Loc("location", ap + "/location"));
        if (loc != null) {
            for (String k : ProfileWrite.LOCATION) if (loc.has(k)) b.attribute("location." + k, loc.get(k));
        }
        ObjectNode props = Body.properties(a, "properties", new Loc("properties", ap + "/properties"));
        if (props != null) {
            b.propertiesPointer(ap + "/properties");
            props.fields().forEachRemaining(e -> b.property(e.getKey(), e.getValue()));
        }
        ObjectNode meta = Body.object(a, "meta", new Loc("meta", ap + "/meta"));
        if (meta == null) meta = Body.object(data, "meta", new Loc("meta", ptr + "/meta"));
        if (meta != null) b.patch(patch(meta, ap + "/meta"));
        Identifiers ids = Identifiers.of(ext, email, phone, anon);
        if (ids.isEmpty() && id != null && !id.isBlank()) return new ProfileSpec(ids, b.build(), id.trim(), ptr + "/id");
        requireIdentifier(ids, ap);
        return new ProfileSpec(ids, b.build());
    }

    private ProfileSpec flatProfile(long companyId, ObjectNode p, String ptr, boolean strict) {
        String email = Body.text(p, "$email", new Loc("$email", ptr + "/$email"));
        String phone = Body.text(p, "$phone_number", new Loc("$phone_number", ptr + "/$phone_number"));
        String ext = Body.id(p, "$id", new Loc("$id", ptr + "/$id"));
        String anon = Body.id(p, "$anonymous", new Loc("$anonymous", ptr + "/$anonymous"));
        if (anon == null) anon = Body.id(p, "$anonymous_id", new Loc("$anonymous_id", ptr + "/$anonymous_id"));
        String kx = p.hasNonNull("$exchange_id") ? p.get("$exchange_id").asText()
                : p.hasNonNull("_kx") ? p.get("_kx").asText() : null;
        if (anon == null && kx != null) anon = "kx:" + kx;
        checkContact(email, phone, ptr, strict, companyId);
        ProfileWrite.Builder b = ProfileWrite.builder().propertiesPointer(ptr);
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            if (FLAT_IDENTIFIERS.contains(k)) continue;
            if (FLAT_STANDARD.contains(k)) b.attribute(k.substring(1), e.getValue());
            else if (FLAT_LOCATION.containsKey(k)) b.attribute("location." + FLAT_LOCATION.get(k), e.getValue());
            else if (k.startsWith("$")) continue; // other special keys ($consent, $source…) are not stored
            else b.property(k, e.getValue());
        }
        Identifiers ids = Identifiers.of(ext, email, phone, anon);
        requireIdentifier(ids, ptr);
        return new ProfileSpec(ids, b.build());
    }

    private void checkContact(String email, String phone, String ptr, boolean strict, long companyId) {
        if (!strict) return;
        if (email != null && !Normalizer.isJunk(email, null) && Normalizer.email(email).isEmpty()) {
            throw ApiException.invalid(ptr + "/email", "`email` is not a valid email address.");
        }
        if (phone != null && !Normalizer.isJunk(phone, null) && Normalizer.phone(phone, null).isEmpty()) {
            throw ApiException.invalid(ptr + "/phone_number",
                    "`phone_number` is not a valid phone number; use E.164, e.g. +15005550006.");
        }
    }

    private static void requireIdentifier(Identifiers ids, String ptr) {
        if (ids.isEmpty()) {
            throw ApiException.invalid(ptr, "The profile needs at least one identifier: email, phone_number, "
                    + "external_id, anonymous_id (or $email, $phone_number, $id in the older shape).");
        }
    }

    static PatchProperties patch(ObjectNode meta, String ptr) {
        JsonNode pp = meta.get("patch_properties");
        if (pp == null || pp.isNull()) return PatchProperties.NONE;
        if (!pp.isObject()) throw ApiException.invalid(ptr + "/patch_properties", "`patch_properties` must be an object.");
        Map<String, JsonNode> append = new HashMap<>();
        Map<String, JsonNode> unappend = new HashMap<>();
        List<String> unset = new ArrayList<>();
        if (pp.get("append") instanceof ObjectNode o) o.fields().forEachRemaining(e -> append.put(e.getKey(), e.getValue()));
        if (pp.get("unappend") instanceof ObjectNode o) o.fields().forEachRemaining(e -> unappend.put(e.getKey(), e.getValue()));
        JsonNode u = pp.get("unset");
        if (u != null && u.isTextual()) unset.add(u.asText());
        else if (u != null && u.isArray()) u.forEach(x -> unset.add(x.asText()));
        return new PatchProperties(append, unappend, unset);
    }

    /** {@code metric: {name}} (old) or {@code metric: {data: {type: metric, attributes: {name}}}}. */
    static String metricName(JsonNode attrs, String ptr) {
        JsonNode metric = attrs.get("metric");
        if (metric == null || !metric.isObject()) {
            throw ApiException.invalid(ptr + "/metric", "`metric` is required: {\"data\":{\"type\":\"metric\","
                    + "\"attributes\":{\"name\":\"…\"}}}.");
        }
        JsonNode name;
        String namePtr;
        if (metric.has("data")) {
            name = metric.at("/data/attributes/name");
            namePtr = ptr + "/metric/data/attributes/name";
        } else {
            name = metric.get("name");
            namePtr = ptr + "/metric/name";
        }
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw ApiException.invalid(namePtr, "The metric name is required and must be a non-empty string.");
        }
        return name.asText();
    }

    /**
     * An optional date-time in every ISO-8601 form the SDKs send ({@link IsoTime}: {@code Z}, {@code +0000}
     * as Klaviyo's Android SDK writes it, {@code +00:00}, fractional seconds); else 400 naming the field.
     */
    static Instant time(JsonNode parent, String field, Loc loc) {
        String s = Body.text(parent, field, loc);
        if (s == null) return null;
        Instant t = io.switchboard.resources.ingest.IsoTime.parse(s);
        if (t == null) {
            throw Body.invalid(loc, "The value of `" + loc.path() + "` must be an ISO-8601 date-time such as "
                    + "2025-07-15T10:30:00Z or 2025-07-15T10:30:00+0000.");
        }
        return t;
    }

    /** The event part of an attributes object (metric, properties, time, value, value_currency, unique_id). */
    public static IngestOp.Event event(JsonNode attrs, String ptr, Instant now, String source, JsonNode raw) {
        String name = metricName(attrs, ptr);
        ObjectNode props = Body.properties(attrs, "properties", new Loc("properties", ptr + "/properties"));
        Instant time = time(attrs, "time", new Loc("time", ptr + "/time"));
        if (time == null) time = now;
        time = time.truncatedTo(ChronoUnit.SECONDS);
        if (!time.isAfter(MIN_TIME)) {
            throw ApiException.invalid(ptr + "/time", "`time` must be after the year 1990.");
        }
        if (time.atOffset(ZoneOffset.UTC).isAfter(now.atOffset(ZoneOffset.UTC).plusYears(1))) {
            throw ApiException.invalid(ptr + "/time", "`time` can be at most one year in the future.");
        }
        BigDecimal value = Body.number(attrs, "value", new Loc("value", ptr + "/value"));
        String currency = Body.text(attrs, "value_currency", new Loc("value_currency", ptr + "/value_currency"));
        String uniqueId = Body.id(attrs, "unique_id", new Loc("unique_id", ptr + "/unique_id"));
        if (uniqueId != null && uniqueId.isBlank()) uniqueId = null;
        return new IngestOp.Event("track", name, props, value, currency, time, source, uniqueId, raw, true)
                .at(ptr + "/properties");
    }

    /**
     * A {@code push-token} resource's attributes (token, platform, vendor, enablement_status, background,
     * device_metadata) as a device upsert: the one parser of the client ({@code /client/push-tokens}) and
     * server ({@code /api/push-tokens}) endpoints. The profile is read separately ({@link #profile}).
     */
    public static IngestOp.Device pushToken(JsonNode a, String p, String source) {
        String token = Body.requiredText(a, "token", new Loc("token", p + "/token"));
        if (token.isBlank()) throw ApiException.invalid(p + "/token", "`token` must not be empty.");
        String platform = oneOf(a, "platform", p, true, "android", "ios");
        String vendor = oneOf(a, "vendor", p, true, "apns", "fcm");
        String status = oneOf(a, "enablement_status", p, false, "AUTHORIZED", "DENIED", "NOT_DETERMINED",
                "PROVISIONAL", "UNAUTHORIZED");
        String background = oneOf(a, "background", p, false, "AVAILABLE", "DENIED", "RESTRICTED");
        ObjectNode meta = Body.object(a, "device_metadata", new Loc("device_metadata", p + "/device_metadata"));
        String deviceId = meta != null && meta.hasNonNull("device_id") ? meta.get("device_id").asText() : null;
        return IngestOp.pushToken(deviceId, token.trim(), platform, vendor,
                status == null ? "AUTHORIZED" : status, background == null ? "AVAILABLE" : background, meta, source);
    }

    /** An enumerated string field, compared case-insensitively; the canonical spelling is returned. */
    public static String oneOf(JsonNode a, String field, String p, boolean required, String... allowed) {
        String v = Body.text(a, field, new Loc(field, p + "/" + field));
        if (v == null) {
            if (required) throw ApiException.invalid(p + "/" + field, "`" + field + "` is required: one of "
                    + String.join(", ", allowed) + ".");
            return null;
        }
        // compared as Klaviyo does, case-insensitively (the iOS SDK sends "APNs", Android "FCM" and "Android");
        // the canonical spelling is stored
        for (String x : allowed) if (x.equalsIgnoreCase(v.trim())) return x;
        throw ApiException.invalid(p + "/" + field, "`" + field + "` must be one of " + String.join(", ", allowed)
                + "; got \"" + v + "\".");
    }
}
