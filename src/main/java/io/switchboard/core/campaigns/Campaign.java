package io.switchboard.core.campaigns;

import java.time.Instant;
import java.util.Map;

/**
 * A campaign: channel, provider, state, the subscription kind it needs, and its templates by locale
 * (each a map of the channel's template fields).
 */
public record Campaign(long companyId, String id, String name, Channel channel, String providerId, String state,
                       String subscription, String defaultLocale, Map<String, Map<String, Object>> templates,
                       Instant createdAt, Instant updatedAt) {

    public static final String DRAFT = "draft";
    public static final String ACTIVE = "active";
    public static final String PAUSED = "paused";
    public static final String ARCHIVED = "archived";

    public boolean isActive() { return ACTIVE.equals(state); }

    /**
     * The template for a locale: exact match ("pt-BR"), then its language ("pt"), then the default
     * locale. Null when the campaign has none of these.
     */
    public Map<String, Object> templateFor(String locale) {
        if (locale != null && !locale.isBlank()) {
            String l = locale.trim().replace('_', '-');
            for (var e : templates.entrySet()) {
                if (e.getKey().equalsIgnoreCase(l)) return e.getValue();
            }
            int dash = l.indexOf('-');
            if (dash > 0) {
                String lang = l.substring(0, dash);
                for (var e : templates.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(lang)) return e.getValue();
                }
            }
        }
        return templates.get(defaultLocale);
    }

    /** The locale {@link #templateFor} picks. */
    public String templateLocaleFor(String locale) {
        Map<String, Object> t = templateFor(locale);
        for (var e : templates.entrySet()) {
            if (e.getValue() == t) return e.getKey();
        }
        return defaultLocale;
    }
}
