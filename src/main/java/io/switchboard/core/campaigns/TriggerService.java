package io.switchboard.core.campaigns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.switchboard.auth.Caller;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.ResolvedProfile;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.db.CampaignDao;
import io.switchboard.db.JsonColumns;
import io.switchboard.db.ProviderDao;
import io.switchboard.db.SendDao;
import io.switchboard.delivery.DeliveryEvents;
import io.switchboard.delivery.PushTokens;
import io.switchboard.errors.ApiException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * {@code POST /api/client/campaigns/{id}/trigger} (seed 003, campaigns.md "Trigger"). In one
 * transaction: resolve/upsert the profile through the shared {@link IdentityService}, register a
 * {@code device_token} as a push token ({@link PushTokens}), record a {@code campaign_trigger} event
 * ({@link DeliveryEvents}) and enqueue one pending send. Rejections write nothing.
 */
public class TriggerService {
    private static final Set<String> RESERVED = Set.of("external_id", "email", "phone", "device_token", "timezone",
            "locale", "data");
    private static final Pattern APNS_TOKEN = Pattern.compile("^[0-9a-fA-F]{64,200}$");
    private static final Pattern PUSH_TOKEN = Pattern.compile("^[A-Za-z0-9:_\\-.]{8,4096}$");
    private static final int MAX_PROPERTIES = 400;
    private static final int MAX_KEY_LENGTH = 255;

    private final IdentityService identity;
    private final LongFunction<CompanySettings> settings;
    private final DeliveryEvents events;
    private final PushTokens pushTokens;

    public TriggerService(IdentityService identity, LongFunction<CompanySettings> settings, DeliveryEvents events,
                          PushTokens pushTokens) {
        this.identity = identity;
        this.settings = settings;
        this.events = events;
        this.pushTokens = pushTokens;
    }

    /** Whether the trigger enqueued a send (false: an earlier trigger with the same idempotency key did). */
    public record Outcome(boolean enqueued, String sendId, String profileId) {}

    /** The idempotency key was used concurrently: the whole unit rolls back and answers as a repeat. */
    private static final class AlreadyTriggered extends RuntimeException {
        AlreadyTriggered() {
            super(null, null, false, false);
        }
    }

    public Outcome trigger(Caller caller, String campaignIdRaw, JsonNode body, String idempotencyHeader) {
        if (!caller.isSecret()) {
            throw ApiException.forbidden("Access denied: triggering a campaign needs a secret key (sk_…).");
        }
        long companyId = caller.companyId();
        String campaignId = parseId(campaignIdRaw);
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
        try {
            return identity.tx().run(h -> {
                Campaign c = h.attach(CampaignDao.class).findForShare(companyId, campaignId)
                        .filter(Campaign::isActive)
                        .orElseThrow(() -> ApiException.notFound("Campaign " + campaignIdRaw + " was not found or is not active."));
                // validation that needs the campaign's channel; nothing has been written yet
                TriggerUser u = validateUser(companyId, c, h, user);
                if (key != null && h.attach(SendDao.class).keyExists(companyId, campaignId, key)) {
                    return new Outcome(false, null, null);
                }
                ResolvedProfile resolved = identity.resolve(h, companyId,
                        Identifiers.of(u.externalId, u.email, u.phone, null), u.write,
                        WriteMode.NORMAL, new WriteContext(caller, "parcelvoy:campaign_trigger"));
                Profile profile = identity.require(h, companyId, resolved.profileId());
                String address = switch (c.channel()) {
                    case EMAIL -> u.email != null ? u.email : profile.email();
                    case SMS -> u.phone != null ? u.phone : profile.phoneNumber();
                    case PUSH -> u.deviceToken;
                    case WEBHOOK -> null;
                };
                if (address == null && c.channel() != Channel.WEBHOOK) {
                    throw missingAddress(c.channel());
                }
                if (u.deviceToken != null) {
                    pushTokens.register(h, companyId, profile.id(), u.deviceToken);
                }
                Map<String, Object> eventMap = event == null || event.isNull() ? new LinkedHashMap<>()
                        : JsonColumns.MAPPER.convertValue(event, JsonColumns.MAP_TYPE);
                Map<String, Object> triggerEvent = new LinkedHashMap<>(eventMap);
                triggerEvent.put("campaign", Map.of("id", c.id(), "name", c.name()));
                events.record(h, companyId, profile.id(), null, "campaign_trigger", triggerEvent);
                Map<String, Object> context = new LinkedHashMap<>();
                context.put("user", RenderModel.user(profile, u.externalId, u.locale, u.timezone));
                context.put("event", eventMap);
                String locale = u.locale != null ? u.locale : profile.attributes().path("locale").asText(null);
                String sendId = h.attach(SendDao.class).insert(companyId, io.switchboard.db.Ids.newId(), campaignId, profile.id(), c.channel().wire(),
                        address, locale, context, key, c.providerId()).orElseThrow(AlreadyTriggered::new);
                return new Outcome(true, sendId, profile.id());
            });
        } catch (AlreadyTriggered e) {
            return new Outcome(false, null, null);
        }
    }

    private static String parseId(String raw) {
        if (io.switchboard.db.Ids.plausible(raw)) return raw;
        throw ApiException.notFound("Campaign " + raw + " was not found or is not active.");
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

    /** The checked trigger user. */
    private static final class TriggerUser {
        String externalId;
        String email;
        String phone;
        String deviceToken;
        String locale;
        String timezone;
        ProfileWrite write;
        Map<String, Object> extra = new LinkedHashMap<>();
    }

    private TriggerUser validateUser(long companyId, Campaign c, org.jdbi.v3.core.Handle h, JsonNode user) {
        if (user == null || user.isNull()) {
            throw ApiException.invalid("/user", "Must have required property 'user'.");
        }
        if (!user.isObject()) {
            throw ApiException.invalid("/user", "The value of `user` must be a object.");
        }
        CompanySettings s = settings.apply(companyId);
        TriggerUser u = new TriggerUser();
        JsonNode ext = user.get("external_id");
        if (ext == null || ext.isNull()) {
            throw ApiException.invalid("/user/external_id", "Must have required property 'external_id' (user.external_id).");
        }
        if (!ext.isTextual() && !ext.isIntegralNumber()) {
            throw ApiException.invalid("/user/external_id", "The value of `user.external_id` must be a string.");
        }
        u.externalId = Normalizer.plainId(ext.asText(), s).orElseThrow(() -> ApiException.invalid("/user/external_id",
                "`user.external_id` must be a real identifier (not empty, \"null\", \"undefined\" or similar; at most "
                        + Normalizer.MAX_IDENTIFIER_LENGTH + " characters)."));
        String email = text(user, "email");
        if (email != null && !Normalizer.isJunk(email, s)) {
            u.email = Normalizer.email(email).orElseThrow(() -> ApiException.invalid("/user/email",
                    "The value of `user.email` is not a valid email address."));
        }
        String phone = text(user, "phone");
        if (phone != null && !Normalizer.isJunk(phone, s)) {
            u.phone = Normalizer.phone(phone, s).orElseThrow(() -> ApiException.invalid("/user/phone",
                    "The value of `user.phone` is not a valid phone number; use E.164, e.g. +12345678900."));
        }
        String token = text(user, "device_token");
        if (token != null && !token.isBlank()) {
            token = token.trim();
            String providerType = c.providerId() == null ? null
                    : h.attach(ProviderDao.class).find(companyId, c.providerId()).map(Provider::type).orElse(null);
            boolean ok = "apns".equals(providerType) ? APNS_TOKEN.matcher(token).matches() : PUSH_TOKEN.matcher(token).matches();
            if (!ok) {
                throw ApiException.invalid("/user/device_token", "The value of `user.device_token` is not a valid "
                        + ("apns".equals(providerType) ? "APNs device token (hexadecimal)." : "push token."));
            }
            u.deviceToken = token;
        }
        switch (c.channel()) {
            case EMAIL -> { if (email == null) throw missingAddress(Channel.EMAIL); }
            case SMS -> { if (phone == null) throw missingAddress(Channel.SMS); }
            case PUSH -> { if (u.deviceToken == null) throw missingAddress(Channel.PUSH); }
            case WEBHOOK -> { }
        }
        String tz = text(user, "timezone");
        if (tz != null) {
            try {
                ZoneId.of(tz);
            } catch (DateTimeException e) {
                throw ApiException.invalid("/user/timezone", "The timezone value must be in the IANA format.");
            }
            u.timezone = tz;
        }
        String locale = text(user, "locale");
        if (locale != null) {
            if (locale.length() > 35) throw ApiException.invalid("/user/locale", "`user.locale` must be at most 35 characters.");
            u.locale = locale;
        }
        ProfileWrite.Builder w = ProfileWrite.builder();
        if (u.locale != null) w.attribute("locale", JsonNodeFactory.instance.textNode(u.locale));
        if (u.timezone != null) w.attribute("location.timezone", JsonNodeFactory.instance.textNode(u.timezone));
        int count = 0;
        for (var it = user.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("data") && e.getValue().isObject()) {
                for (var dit = e.getValue().fields(); dit.hasNext(); ) {
                    var d = dit.next();
                    property(w, u, "/user/data/" + d.getKey(), d.getKey(), d.getValue());
                    count++;
                }
            } else if (!RESERVED.contains(e.getKey())) {
                property(w, u, "/user/" + e.getKey(), e.getKey(), e.getValue());
                count++;
            }
            if (count > MAX_PROPERTIES) {
                throw ApiException.invalid("/user", "At most " + MAX_PROPERTIES + " custom properties per user.");
            }
        }
        u.write = w.build();
        return u;
    }

    /** A custom key: a standard profile attribute (first_name, last_name, organization, title, image) or a property. */
    private static void property(ProfileWrite.Builder w, TriggerUser u, String pointer, String key, JsonNode v) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw ApiException.invalid(pointer, "Property names must be 1 to " + MAX_KEY_LENGTH + " characters.");
        }
        if (ProfileWrite.STANDARD.contains(key) && !key.equals("locale") && (v.isTextual() || v.isNull())) {
            w.attribute(key, v);
        } else {
            w.property(key, v);
        }
        u.extra.put(key, JsonColumns.MAPPER.convertValue(v, Object.class));
    }

    private static String text(JsonNode user, String field) {
        JsonNode v = user.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            throw ApiException.invalid("/user/" + field, "The value of `user." + field + "` must be a string.");
        }
        return v.asText();
    }

    private static ApiException missingAddress(Channel ch) {
        String field = switch (ch) {
            case EMAIL -> "email";
            case SMS -> "phone";
            case PUSH -> "device_token";
            case WEBHOOK -> "external_id";
        };
        return ApiException.invalid("/user/" + field, "Must have required property '" + field + "': this "
                + ch.wire() + " campaign needs `user." + field + "`.");
    }

}
