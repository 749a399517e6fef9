package io.switchboard.delivery;

import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.core.campaigns.Send;
import java.util.Map;

/**
 * One rendered message ready for its provider: the send (address in {@link Send#address()}), its campaign
 * and provider, the rendered template fields, and the unsubscribe link (email).
 */
public record OutgoingMessage(Send send, Campaign campaign, Provider provider, Map<String, Object> fields,
                              String unsubscribeUrl) {
    public String field(String name) {
        Object v = fields.get(name);
        return v == null ? null : v.toString();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> mapField(String name) {
        Object v = fields.get(name);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
