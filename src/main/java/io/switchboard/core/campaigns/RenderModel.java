package io.switchboard.core.campaigns;

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

    public static Map<String, Object> of(Map<String, Object> sendContext, Campaign campaign, String unsubscribeUrl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", sendContext.getOrDefault("user", Map.of()));
        m.put("event", sendContext.getOrDefault("event", Map.of()));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", Long.toString(campaign.id()));
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
