package io.switchboard.core.tenancy;

import java.util.Locale;

/**
 * Endpoint classes that share one rate-limit bucket per company. The key is what company settings
 * ({@code rate_limits}) and {@code config.yml} ({@code rateLimits.classes}) use. Defaults are Klaviyo's
 * tiers where Klaviyo has the endpoints; see docs/operations.md for the reasoning behind the others.
 */
public enum RateClass {
    /** Klaviyo client endpoints (profiles, events, subscriptions, push tokens, back in stock): XL tier. */
    CLIENT(350, 3_500),
    /** Klaviyo server profile endpoints ({@code /api/profiles*}, {@code /api/profile-import}): L tier. */
    SERVER_PROFILES(75, 750),
    /** Klaviyo server event endpoints ({@code /api/events*}): XL tier, as Klaviyo. */
    SERVER_EVENTS(350, 3_500),
    /** Any other Klaviyo server endpoint ({@code /api/*}): L tier. */
    SERVER(75, 750),
    /** Bulk and merge endpoints (event-bulk-create, profile-merge, data-privacy-deletion-jobs): M tier. */
    BULK(10, 150),
    /**
     * Parcelvoy client, Dittofeed and Segment ingestion. None of the anchors limits these per tenant; the
     * default is far above what one 2-core server can take (so benchmarks are never throttled) and exists
     * to be lowered per company or in config.yml.
     */
    INGESTION(50_000, 1_500_000),
    /** Parcelvoy campaign trigger ({@code /api/client/campaigns/{id}/trigger}, secret key): L tier. */
    TRIGGER(75, 750),
    /** Switchboard admin API ({@code /admin/*}): unlimited unless configured. */
    ADMIN(0, 0);

    private final RateLimit defaults;

    RateClass(long burstPerSecond, long steadyPerMinute) {
        this.defaults = new RateLimit(burstPerSecond, steadyPerMinute);
    }

    /** e.g. {@code server_profiles}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public RateLimit defaults() {
        return defaults;
    }

    public static RateClass forKey(String key) {
        for (RateClass c : values()) {
            if (c.key().equalsIgnoreCase(key)) return c;
        }
        return null;
    }
}
