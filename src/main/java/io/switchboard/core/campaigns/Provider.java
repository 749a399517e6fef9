package io.switchboard.core.campaigns;

import java.time.Instant;
import java.util.Map;

/** A delivery provider of a company. {@code config} holds credentials: never returned as is. */
public record Provider(long companyId, String id, String type, String name, Map<String, Object> config,
                       Integer rateLimit, String rateInterval, Instant createdAt, Instant updatedAt) {

    public String string(String key) {
        Object v = config.get(key);
        return v == null ? null : v.toString();
    }

    public String string(String key, String dflt) {
        String v = string(key);
        return v == null || v.isBlank() ? dflt : v;
    }
}
