package io.switchboard.resources.ingest;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * ISO-8601 date-times as the vendors' SDKs write them: {@code Z} or {@code z}, offsets with or without a
 * colon ({@code +00:00}, {@code +0000} — Klaviyo's Android SDK formats {@code yyyy-MM-dd'T'HH:mm:ssZ} —
 * or {@code +00}), 0–9 fractional digits, seconds optional, no offset meaning UTC, and a bare date meaning
 * midnight UTC. Years outside 0001–9999 are refused (a {@code +999999999-12-31T23:59:59Z} parses in
 * java.time but overflows later arithmetic and the database), so callers answer 400 naming the field.
 */
public final class IsoTime {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().parseLenient().appendOffset("+HH", "Z").parseStrict().optionalEnd()
            .toFormatter();

    private IsoTime() {}

    /** The instant, or null when {@code s} is not such a date-time or lies outside years 0001–9999. */
    public static Instant parse(String s) {
        if (s == null) return null;
        String v = s.trim();
        if (v.isEmpty() || v.length() > 64) return null;
        try {
            TemporalAccessor t = FORMAT.parseBest(v, OffsetDateTime::from, LocalDateTime::from);
            int year = t.get(ChronoField.YEAR);
            if (year < 1 || year > 9999) return null;
            return t instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) t).toInstant(ZoneOffset.UTC);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            try {
                LocalDate d = LocalDate.parse(v);
                return d.getYear() < 1 || d.getYear() > 9999 ? null : d.atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
