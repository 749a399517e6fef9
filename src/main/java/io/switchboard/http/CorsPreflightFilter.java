package io.switchboard.http;

import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.function.Function;

/**
 * Answers CORS preflights ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method})
 * on the public endpoints with 204 and the allowed methods and headers, before routing and without
 * touching the database when it can.
 *
 * <p>{@code /client/*} names its company in {@code ?company_id=}, so its configured origins are checked
 * here: a disallowed origin gets 403 in the dialect's shape (and no CORS headers). Key-authenticated
 * public endpoints cannot be attributed to a company at preflight — browsers send no credentials on a
 * preflight — so any origin passes the preflight and {@link CorsFilter} enforces the company's origins on
 * the actual request, after authentication, before any work is done.
 */
@PreMatching
@Priority(100)
public class CorsPreflightFilter implements ContainerRequestFilter {
    private final Function<String, Optional<CompanySettings>> settingsByPublicId;

    /** {@code settingsByPublicId}: a Klaviyo public company id to its settings (empty if unknown). */
    public CorsPreflightFilter(Function<String, Optional<CompanySettings>> settingsByPublicId) {
        this.settingsByPublicId = settingsByPublicId;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (!"OPTIONS".equals(ctx.getMethod())) return;
        String origin = ctx.getHeaderString("Origin");
        String requested = ctx.getHeaderString("Access-Control-Request-Method");
        RequestPath rp = RequestPath.of(ctx);
        if (origin == null || requested == null || !rp.corsPublic()) return;
        if (rp.companyInQuery()) {
            String companyId = ctx.getUriInfo().getQueryParameters().getFirst("company_id");
            Optional<CompanySettings> s = companyId == null ? Optional.empty() : lookup(companyId.trim());
            // an unknown company passes: the actual request then gets its 400 naming company_id, readable
            if (s.isPresent() && !Cors.allowed(origin, s.get().corsOrigins())) {
                ctx.abortWith(ErrorResponses.build(rp.dialect(), ErrorKind.PERMISSION_DENIED,
                        "Origin " + origin + " is not among this company's allowed origins (settings.cors_origins).",
                        null, null, null, null, null));
                ctx.setProperty(CorsFilter.DENIED, Boolean.TRUE);
                return;
            }
        }
        ctx.abortWith(Response.noContent()
                .header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Methods", Cors.ALLOW_METHODS)
                .header("Access-Control-Allow-Headers", Cors.allowHeaders(ctx.getHeaderString("Access-Control-Request-Headers")))
                .header("Access-Control-Max-Age", Cors.MAX_AGE)
                .header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
                .build());
        ctx.setProperty(CorsFilter.PREFLIGHT, Boolean.TRUE);
    }

    private Optional<CompanySettings> lookup(String publicId) {
        try {
            return settingsByPublicId.apply(publicId);
        } catch (RuntimeException e) {
            return Optional.empty(); // database trouble: let the preflight pass; the request will say 503
        }
    }
}
