package io.switchboard.resources;

import io.switchboard.errors.ApiException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one reader of {@code page[size]} and {@code page[cursor]} for every list, admin and Klaviyo alike,
 * so a bad value always answers the same 400 naming the parameter (never a 404 from a failed parameter
 * conversion, never a 500 from a forged cursor).
 */
public final class Paging {
    public static final String SIZE = "page[size]";
    public static final String CURSOR = "page[cursor]";

    private Paging() {}

    /** {@code page[size]}: absent or blank → {@code dflt}; otherwise an integer from 1 to {@code max}. */
    public static int size(String raw, int dflt, int max) {
        if (raw == null || raw.isBlank()) return dflt;
        String v = raw.trim();
        if (v.length() <= 9 && v.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= max) return n;
        }
        throw ApiException.invalidParameter(SIZE, "`" + SIZE + "` must be an integer from 1 to " + max
                + " (default " + dflt + ").");
    }

    /**
     * {@code page[cursor]}: absent or blank → null; otherwise what {@code decode} makes of it (a whole
     * {@code links.next} URL is accepted too, as some SDKs pass one), or a 400 when it is not a cursor this
     * server issued for this list.
     */
    public static <T> T cursor(String raw, Function<String, Optional<T>> decode) {
        if (raw == null || raw.isBlank()) return null;
        return decode.apply(cursorValue(raw)).orElseThrow(Paging::badCursor);
    }

    /** The 400 for a cursor that is not one this server issued for this list. */
    public static ApiException badCursor() {
        return ApiException.invalidParameter(CURSOR, "`" + CURSOR + "` is not a cursor this server issued for this "
                + "list: use the `" + CURSOR + "` of a `links.next` or `links.prev` URL of the same query.");
    }

    private static String cursorValue(String raw) {
        String v = raw.trim();
        if (!v.contains("://")) return v;
        try {
            String q = URI.create(v).getRawQuery();
            if (q != null) {
                for (String part : q.split("&")) {
                    int eq = part.indexOf('=');
                    if (eq < 0) continue;
                    if (URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8).equals(CURSOR)) {
                        return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                }
            }
        } catch (IllegalArgumentException ignored) {
            // not a URL after all
        }
        return v;
    }
}
