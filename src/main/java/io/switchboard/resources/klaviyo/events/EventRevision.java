package io.switchboard.resources.klaviyo.events;

import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code revision} header rules of klaviyo.md for the event endpoints (kept separate from the profile
 * endpoints' copy until the two branches meet). Returns the revision that serves the request.
 */
public final class EventRevision {
    public static final LocalDate OLDEST = LocalDate.of(2023, 2, 22);
    public static final LocalDate NEWEST = LocalDate.of(2026, 7, 15);
    /** From this revision on, event profile and metric are JSON:API relationships-style objects. */
    public static final LocalDate JSON_API_EVENTS = LocalDate.of(2023, 7, 15);
    private static final Pattern FORMAT = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2})(\\.[A-Za-z0-9_-]+)?$");

    private EventRevision() {}

    public record Revision(LocalDate date, String header) {
        public boolean flatEvents() {
            return date.isBefore(JSON_API_EVENTS);
        }
    }

    public static Revision check(String header, String optOut) {
        if (header == null || header.isBlank()) {
            throw ApiException.invalidParameter("revision", "The `revision` header is required, in the format "
                    + "YYYY-MM-DD (optionally with a suffix such as .pre), e.g. revision: " + NEWEST + ".");
        }
        Matcher m = FORMAT.matcher(header.trim());
        LocalDate d = null;
        if (m.matches()) {
            try {
                d = LocalDate.parse(m.group(1));
            } catch (DateTimeParseException e) {
                d = null;
            }
        }
        if (d == null) {
            throw ApiException.invalidParameter("revision", "The `revision` header \"" + header + "\" is not in the "
                    + "format YYYY-MM-DD (optionally with a suffix such as .pre).");
        }
        if (d.isAfter(NEWEST)) {
            throw ApiException.invalidParameter("revision", "Revision " + header + " is newer than the newest "
                    + "supported revision " + NEWEST + ".");
        }
        if (d.isBefore(OLDEST)) {
            if ("1".equals(optOut == null ? null : optOut.trim()) || "true".equalsIgnoreCase(optOut == null ? "" : optOut.trim())) {
                throw new ApiException(ErrorKind.GONE, "Revision " + header + " is no longer supported; the oldest "
                        + "supported revision is " + OLDEST + ".", null, "revision", null);
            }
            return new Revision(OLDEST, OLDEST.toString());
        }
        return new Revision(d, header.trim());
    }

    /** Runs a handler so that its errors, too, carry the {@code revision} response header. */
    public static <T> T serve(Revision rev, java.util.function.Supplier<T> handler) {
        try {
            return handler.get();
        } catch (ApiException e) {
            java.util.Map<String, String> h = new java.util.HashMap<>(e.headers());
            h.put("revision", rev.header());
            throw new ApiException(e.kind(), e.detail(), e.pointer(), e.parameter(), e.meta(), h);
        }
    }
}
