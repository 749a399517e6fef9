package io.switchboard.core.campaigns;

import io.switchboard.core.identity.Profile;
import io.switchboard.db.JsonColumns;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data a template sees: {@code user} (profile attributes and custom properties, external_id, email,
 * phone, locale, timezone — captured when the send was triggered), {@code event} (the trigger's event),
 * {@code campaign} (id, name, channel) and the unsubscribe link ({@code unsubscribe_url}, also as
 * Parcelvoy's {@code unsubscribeEmailUrl}).
 */
public final class RenderModel {
    private RenderModel() {}

    /**
     * What templates see as {@code user}: the profile's custom properties flattened at the top (as
     * Parcelvoy does), its attributes, and external_id (also as {@code id}), email, phone, locale,
     * timezone, profile_id. {@code locale}/{@code timezone} given by the request win over stored ones.
     */
    public static Map<String, Object> user(Profile p, String externalIdFallback, String locale, String timezone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.putAll(JsonColumns.MAPPER.convertValue(p.properties(), JsonColumns.MAP_TYPE));
        m.putAll(JsonColumns.MAPPER.convertValue(p.attributes(), JsonColumns.MAP_TYPE));
        String ext = p.externalId() != null ? p.externalId() : externalIdFallback;
        m.put("profile_id", p.id());
        m.put("id", ext);
        m.put("external_id", ext);
        m.put("email", p.email());
        m.put("phone", p.phoneNumber());
        m.put("locale", locale != null ? locale : p.attributes().path("locale").asText(null));
        m.put("timezone", timezone != null ? timezone : p.attributes().path("location").path("timezone").asText(null));
        return m;
    }

    public static Map<String, Object> of(Map<String, Object> sendContext, Campaign campaign, String unsubscribeUrl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", sendContext.getOrDefault("user", Map.of()));
        m.put("event", sendContext.getOrDefault("event", Map.of()));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", campaign.id());
        c.put("name", campaign.name());
        c.put("channel", campaign.channel().wire());
        m.put("campaign", c);
        if (unsubscribeUrl != null) {
            m.put("unsubscribe_url", unsubscribeUrl);
            m.put("unsubscribeEmailUrl", unsubscribeUrl);
        }
        return m;
    }
}
