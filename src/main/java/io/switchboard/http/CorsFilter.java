package io.switchboard.http;

import io.switchboard.auth.Caller;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import io.switchboard.core.tenancy.CompanySettingsCache;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.security.Principal;

/**
 * CORS on actual requests to the public endpoints. After authentication (the company is known), a
 * request whose {@code Origin} is not among the company's {@code cors_origins} is refused with 403 in the
 * dialect's shape before any work is done. Every other response to a public endpoint that came with an
 * {@code Origin} carries {@code Access-Control-Allow-Origin} (the origin itself, with {@code Vary: Origin})
 * and exposes the rate-limit headers — errors too, so browser code can read a 401, 429 or 503. Requests
 * without {@code Origin} (servers, SDKs, curl) are not affected.
 */
@Priority(Priorities.AUTHORIZATION + 100)
public class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    static final String DENIED = "switchboard.cors.denied";
    static final String PREFLIGHT = "switchboard.cors.preflight";

    private final CompanySettingsCache settings;

    public CorsFilter(CompanySettingsCache settings) {
        this.settings = settings;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        String origin = ctx.getHeaderString("Origin");
        if (origin == null) return;
        RequestPath rp = RequestPath.of(ctx);
        if (!rp.corsPublic()) return;
        Principal p = ctx.getSecurityContext() == null ? null : ctx.getSecurityContext().getUserPrincipal();
        if (!(p instanceof Caller caller) || caller.isAdmin()) return;
        if (Cors.sameOrigin(origin, ctx.getHeaderString("Host"))) return; // this server's own pages (/forms/…)
        if (!Cors.allowed(origin, settings.get(caller.companyId()).corsOrigins())) {
            ctx.setProperty(DENIED, Boolean.TRUE);
            ctx.abortWith(ErrorResponses.build(rp.dialect(), ErrorKind.PERMISSION_DENIED,
                    "Origin " + origin + " is not among this company's allowed origins (settings.cors_origins).",
                    null, null, null, null, null));
        }
    }

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        String origin = req.getHeaderString("Origin");
        if (origin == null || req.getProperty(DENIED) != null || req.getProperty(PREFLIGHT) != null) return;
        if (!RequestPath.of(req).corsPublic()) return;
        MultivaluedMap<String, Object> h = res.getHeaders();
        h.putSingle("Access-Control-Allow-Origin", origin);
        h.add("Vary", "Origin");
        h.putSingle("Access-Control-Expose-Headers", Cors.EXPOSE_HEADERS);
    }
}
