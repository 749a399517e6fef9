package io.switchboard.core;

import java.time.DateTimeException;
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
import java.util.Optional;

/**
 * Safe parsing of client-supplied points in time. Java accepts years from -999,999,999 to +999,999,999;
 * PostgreSQL's {@code timestamptz} does not (and rejects year 0 in ISO text), and epoch arithmetic on such
 * values overflows a long. Every value a client sends is therefore parsed here and bounded to
 * {@link #MIN}..{@link #MAX} (years 1–9999): anything else is "not a valid time" (a 400 for the caller),
 * never an exception deeper down.
 */
public final class Times {
    /** 0001-01-01T00:00:00Z. */
    public static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    /** 9999-12-31T23:59:59.999999Z (PostgreSQL keeps microseconds). */
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Times() {}

    /** ISO-8601 as the vendors' SDKs write it (see {@link #parse}). */
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().parseLenient().appendOffset("+HH", "Z").parseStrict().optionalEnd()
            .toFormatter();

    /**
     * ISO-8601 date-time as the vendors' SDKs write them: {@code Z} or {@code z}, offsets with or without a
     * colon ({@code +00:00}, {@code +0000}, {@code +00}), 0–9 fractional digits, seconds optional, no offset
     * meaning UTC, a bare date meaning midnight UTC. Empty when the text is none of these or lies outside
     * years 1–9999. (Query parameters: an unencoded {@code +} arrives as a space; callers that read query
     * values turn spaces back into {@code +} first.)
     */
    public static Optional<Instant> parse(String text) {
        if (text == null) return Optional.empty();
        String v = text.trim();
        if (v.isEmpty() || v.length() > 64) return Optional.empty();
        Instant t;
        try {
            TemporalAccessor a = FORMAT.parseBest(v, OffsetDateTime::from, LocalDateTime::from);
            int year = a.get(ChronoField.YEAR);
            if (year < 1 || year > 9999) return Optional.empty();
            t = a instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) a).toInstant(ZoneOffset.UTC);
        } catch (ArithmeticException | DateTimeException e) {
            try {
                t = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
        return bounded(t);
    }

    /** Whole seconds since the epoch (as Klaviyo's {@code timestamp}); empty when not a number or out of range. */
    public static Optional<Instant> epochSeconds(String text) {
        if (text == null) return Optional.empty();
        try {
            long s = Long.parseLong(text.trim());
            if (s < MIN.getEpochSecond() || s > MAX.getEpochSecond()) return Optional.empty();
            return Optional.of(Instant.ofEpochSecond(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The instant itself when within years 1–9999, else empty. */
    public static Optional<Instant> bounded(Instant t) {
        if (t == null || t.isBefore(MIN) || t.isAfter(MAX)) return Optional.empty();
        return Optional.of(t);
    }

    /** An IANA region time zone name (Europe/Berlin, America/New_York) or UTC; not offsets nor abbreviations. */
    public static boolean isZone(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) return false;
        if (name.equals("UTC")) return true;
        return name.indexOf('/') > 0 && java.time.ZoneId.getAvailableZoneIds().contains(name);
    }
}
