package io.switchboard.resources.ingest;

import io.switchboard.core.Times;
import java.time.Instant;

/**
 * ISO-8601 date-times as the vendors' SDKs write them: {@code Z} or {@code z}, offsets with or without a
 * colon ({@code +00:00}, {@code +0000} — Klaviyo's Android SDK formats {@code yyyy-MM-dd'T'HH:mm:ssZ} —
 * or {@code +00}), 0–9 fractional digits, seconds optional, no offset meaning UTC, and a bare date meaning
 * midnight UTC. Years outside 0001–9999 are refused (a {@code +999999999-12-31T23:59:59Z} parses in
 * java.time but overflows later arithmetic and the database), so callers answer 400 naming the field.
 * The one implementation is {@link Times#parse} (query filters use it too).
 */
public final class IsoTime {
    private IsoTime() {}

    /** The instant, or null when {@code s} is not such a date-time or lies outside years 0001–9999. */
    public static Instant parse(String s) {
        return Times.parse(s).orElse(null);
    }
}
