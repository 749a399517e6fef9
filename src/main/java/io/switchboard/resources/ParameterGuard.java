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
        mediaTypes(rc);
        for (Map.Entry<String, List<String>> e : rc.getHeaders().entrySet()) {
            if (e.getValue().stream().anyMatch(ParameterGuard::hasNul)) {
                throw ApiException.invalidParameter(e.getKey(), "The header `" + e.getKey() + "` contains a NUL "
                        + "character.");
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
            rc.getAcceptableMediaTypes();
            rc.getAcceptableLanguages();
        } catch (RuntimeException e) {
            String name = e.getMessage() != null && e.getMessage().contains("anguage") ? "Accept-Language" : "Accept";
            throw ApiException.invalidParameter(name, "The `" + name + "` header is not valid.");
        }
    }

    private static boolean hasNul(String s) {
        return s != null && s.indexOf('\0') >= 0;
    }
}
