package io.switchboard.resources;

import io.switchboard.errors.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.PathSegment;
import java.util.List;
import java.util.Map;

/**
 * Refuses a NUL character ({@code %00}) anywhere in the decoded path, a query parameter or a header, and a
 * Content-Type or Accept header that does not parse, with a 400 naming where it is, before any filter or
 * resource sees the request. PostgreSQL text cannot hold NUL,
 * so without this every lookup by such a value (a company id, a profile id, an email filter…) failed in
 * the driver and answered 500. No valid id, key, email, cursor or filter contains one.
 */
@PreMatching
@Priority(50)
public class ParameterGuard implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext rc) {
        // A decoded NUL can only come from "%00" in the raw URI (Jetty refuses a raw NUL byte): without one
        // the path and query need no decoding here (Jersey decoded every segment and parameter into new
        // lists for this check on every request; docs/performance.md)
        if (rawMayHoldNul(rc.getUriInfo().getRequestUri().getRawPath())
                || rawMayHoldNul(rc.getUriInfo().getRequestUri().getRawQuery())) {
            decodedPathAndQuery(rc);
        }
        mediaTypes(rc);
        for (Map.Entry<String, List<String>> e : rc.getHeaders().entrySet()) {
            List<String> values = e.getValue();
            for (int i = 0, n = values.size(); i < n; i++) {
                if (hasNul(values.get(i))) {
                    throw ApiException.invalidParameter(e.getKey(), "The header `" + e.getKey() + "` contains a NUL "
                            + "character.");
                }
            }
        }
    }

    /** Whether a raw (still percent-encoded) URI part may decode to a NUL: it holds "%00" or a NUL itself. */
    public static boolean rawMayHoldNul(String raw) {
        return raw != null && (raw.contains("%00") || raw.indexOf('\0') >= 0);
    }

    private static void decodedPathAndQuery(ContainerRequestContext rc) {
        List<PathSegment> segments = rc.getUriInfo().getPathSegments(true);
        for (int i = 0; i < segments.size(); i++) {
            if (hasNul(segments.get(i).getPath())) {
                throw ApiException.invalidParameter("path", "Path segment " + (i + 1) + " contains a NUL character "
                        + "(%00), which no id or name can contain.");
            }
        }
        for (Map.Entry<String, List<String>> e : rc.getUriInfo().getQueryParameters(true).entrySet()) {
            if (hasNul(e.getKey()) || e.getValue().stream().anyMatch(ParameterGuard::hasNul)) {
                String name = hasNul(e.getKey()) ? e.getKey().replace('\0', '?') : e.getKey();
                throw ApiException.invalidParameter(name, "The query parameter `" + name + "` contains a NUL "
                        + "character (%00), which no valid value contains.");
            }
        }
    }

    private static final java.util.regex.Pattern QUALITY = java.util.regex.Pattern.compile("0(\\.\\d{0,3})?|1(\\.0{0,3})?");

    /**
     * Content-Type and Accept must parse, quality values included: Jersey reads them while it selects the
     * resource method, and a value such as {@code *}{@code /*;q=abc} failed there with a 500.
     */
    private static void mediaTypes(ContainerRequestContext rc) {
        try {
            jakarta.ws.rs.core.MediaType t = rc.getMediaType();
            String q = t == null ? null : t.getParameters().get("q");
            if (q != null && !QUALITY.matcher(q.trim()).matches()) throw new IllegalArgumentException("q");
        } catch (RuntimeException e) {
            throw ApiException.invalidParameter("Content-Type", "The `Content-Type` header is not a valid media type.");
        }
        try {
            // absent headers cannot be malformed: parsing them only built default lists (with Locale lookups)
            if (rc.getHeaderString("Accept") != null) rc.getAcceptableMediaTypes();
            if (rc.getHeaderString("Accept-Language") != null) rc.getAcceptableLanguages();
        } catch (RuntimeException e) {
            String name = e.getMessage() != null && e.getMessage().contains("anguage") ? "Accept-Language" : "Accept";
            throw ApiException.invalidParameter(name, "The `" + name + "` header is not valid.");
        }
    }

    private static boolean hasNul(String s) {
        return s != null && s.indexOf('\0') >= 0;
    }
}
