package io.switchboard.resources.klaviyo;

import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Klaviyo API revision: the {@code revision} request header resolved to the revision that serves
 * the request (docs/klaviyo.md, "Revisions").
 *
 * <ul>
 *   <li>required on every Klaviyo endpoint, {@code YYYY-MM-DD} with an optional {@code .suffix}
 *       ({@code .pre}); missing or malformed → 400 {@code invalid}, {@code source.parameter: revision};
 *   <li>a date after the newest supported revision → 400;
 *   <li>a date before the oldest supported revision falls forward to the oldest, unless
 *       {@code X-Klaviyo-Revision-Fall-Forward-Opt-Out: 1} → 410;
 *   <li>otherwise the newest supported revision on or before the date serves the request.
 * </ul>
 *
 * Resources (and the events endpoints) read the resolved revision with {@link #of(ContainerRequestContext)}
 * and compare it with the constants below when a shape differs between revisions.
 *
 * @param date      the supported revision that serves the request
 * @param suffix    the requested suffix ({@code "pre"}), or null
 * @param requested the header as sent
 */
public record KlaviyoRevision(LocalDate date, String suffix, String requested) implements Comparable<KlaviyoRevision> {
    public static final String HEADER = "revision";
    public static final String OPT_OUT_HEADER = "X-Klaviyo-Revision-Fall-Forward-Opt-Out";
    static final String PROPERTY = KlaviyoRevision.class.getName();

    /** Klaviyo's published revisions from the oldest we serve to the newest (klaviyo/openapi branches). */
    public static final List<LocalDate> SUPPORTED = List.of(
            LocalDate.parse("2023-02-22"), LocalDate.parse("2023-06-15"), LocalDate.parse("2023-07-15"),
            LocalDate.parse("2023-08-15"), LocalDate.parse("2023-09-15"), LocalDate.parse("2023-10-15"),
            LocalDate.parse("2023-12-15"), LocalDate.parse("2024-02-15"), LocalDate.parse("2024-05-15"),
            LocalDate.parse("2024-06-15"), LocalDate.parse("2024-07-15"), LocalDate.parse("2024-10-15"),
            LocalDate.parse("2025-01-15"), LocalDate.parse("2025-04-15"), LocalDate.parse("2025-07-15"),
            LocalDate.parse("2025-10-15"), LocalDate.parse("2026-01-15"), LocalDate.parse("2026-04-15"),
            LocalDate.parse("2026-07-15"));
    public static final LocalDate OLDEST = SUPPORTED.get(0);
    public static final LocalDate NEWEST = SUPPORTED.get(SUPPORTED.size() - 1);

    /** From this revision on, event bodies are JSON:API ({@code profile.data.attributes}, {@code metric.data}). */
    public static final LocalDate RELATIONSHIPS_STANDARDIZED = LocalDate.parse("2023-07-15");
    /** From this revision on, server-side profile writes take no {@code anonymous_id} and create takes no {@code meta}. */
    public static final LocalDate SERVER_ANONYMOUS_ID_REMOVED = LocalDate.parse("2025-10-15");

    private static final Pattern FORMAT = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2})(?:\\.([A-Za-z0-9_-]+))?$");
    private static final String FORMAT_HINT = "Send the `revision` header as YYYY-MM-DD[.suffix], e.g. `revision: "
            + "2026-07-15`; supported revisions are " + OLDEST + " through " + NEWEST + ".";

    /** Resolves a header value; throws the 400 / 410 {@link ApiException} the rules call for. */
    public static KlaviyoRevision resolve(String header, String optOut) {
        if (header == null || header.isBlank()) {
            throw ApiException.invalidParameter(HEADER, "The `revision` header is required. " + FORMAT_HINT);
        }
        String raw = header.trim();
        Matcher m = FORMAT.matcher(raw);
        LocalDate date = null;
        if (m.matches()) {
            try {
                date = LocalDate.parse(m.group(1));
            } catch (DateTimeException e) {
                date = null;
            }
        }
        if (date == null) {
            throw ApiException.invalidParameter(HEADER, "Invalid `revision` header `" + shorten(raw) + "`. "
                    + FORMAT_HINT);
        }
        if (date.isAfter(NEWEST)) {
            throw ApiException.invalidParameter(HEADER, "Revision " + raw + " is newer than the newest supported "
                    + "revision (" + NEWEST + "). " + FORMAT_HINT);
        }
        if (date.isBefore(OLDEST)) {
            if (optOut != null && optOut.trim().equals("1")) {
                throw new ApiException(ErrorKind.GONE, "Revision " + raw + " is retired; the oldest supported "
                        + "revision is " + OLDEST + ". (Without `" + OPT_OUT_HEADER + ": 1` the request would be "
                        + "served by " + OLDEST + ".)", null, HEADER, null);
            }
            return new KlaviyoRevision(OLDEST, m.group(2), raw);
        }
        LocalDate served = OLDEST;
        for (LocalDate d : SUPPORTED) {
            if (!d.isAfter(date)) served = d;
        }
        return new KlaviyoRevision(served, m.group(2), raw);
    }

    /** The revision of the current request (set by {@link KlaviyoRevisionFilter}). */
    public static KlaviyoRevision of(ContainerRequestContext ctx) {
        Object r = ctx.getProperty(PROPERTY);
        if (r instanceof KlaviyoRevision k) return k;
        return resolve(ctx.getHeaderString(HEADER), ctx.getHeaderString(OPT_OUT_HEADER));
    }

    /**
     * Whether the requested date is older than the oldest supported revision (Klaviyo's fall-forward). The request
     * is served, as Klaviyo serves it, and the answer says so ({@link #fallForwardWarning()}).
     */
    public boolean fellForward() {
        int dot = requested.indexOf('.');
        try {
            return LocalDate.parse(dot < 0 ? requested : requested.substring(0, dot)).isBefore(OLDEST);
        } catch (DateTimeException e) {
            return false;
        }
    }

    /** The {@code Warning} header (RFC 7234 code 299) of an answer served by a fallen-forward revision. */
    public String fallForwardWarning() {
        return "299 - \"Revision " + shorten(requested) + " is retired; served as " + header() + ". Send `"
                + OPT_OUT_HEADER + ": 1` to get 410 instead.\"";
    }

    public boolean isBefore(LocalDate d) {
        return date.isBefore(d);
    }

    public boolean atLeast(LocalDate d) {
        return !date.isBefore(d);
    }

    /** The value echoed in the {@code revision} response header: the revision used, with the suffix sent. */
    public String header() {
        return suffix == null ? date.toString() : date + "." + suffix;
    }

    @Override
    public int compareTo(KlaviyoRevision o) {
        return date.compareTo(o.date);
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
