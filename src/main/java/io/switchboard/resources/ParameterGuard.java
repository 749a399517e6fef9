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
 * Refuses a NUL character ({@code %00}) anywhere in the decoded path, a query parameter or a header, with a
 * 400 naming where it is, before any filter or resource sees the request. PostgreSQL text cannot hold NUL,
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
        for (Map.Entry<String, List<String>> e : rc.getHeaders().entrySet()) {
            if (e.getValue().stream().anyMatch(ParameterGuard::hasNul)) {
                throw ApiException.invalidParameter(e.getKey(), "The header `" + e.getKey() + "` contains a NUL "
                        + "character.");
            }
        }
    }

    private static boolean hasNul(String s) {
        return s != null && s.indexOf('\0') >= 0;
    }
}
