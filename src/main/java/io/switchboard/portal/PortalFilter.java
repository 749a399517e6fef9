package io.switchboard.portal;

import io.switchboard.core.members.MemberService;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The portal's request and response filter (paths {@code /} and {@code /portal/**} only):
 * <ul>
 *   <li>reads the session cookie ({@value #SESSION_COOKIE}) — never an Authorization header: the portal
 *       accepts no API keys — and leaves the live session in the request property {@value #SESSION};</li>
 *   <li>refuses every state-changing request (POST) without the right CSRF token: the session's token
 *       when signed in, otherwise the double-submit cookie {@value #PRE_CSRF_COOKIE} (sign-in,
 *       invitation and reset forms);</li>
 *   <li>adds the security headers: CSP without inline script, frame-ancestors 'none', Referrer-Policy,
 *       nosniff, no caching of pages.</li>
 * </ul>
 */
@Priority(Priorities.AUTHENTICATION)
public class PortalFilter implements ContainerRequestFilter, ContainerResponseFilter {
    public static final String SESSION_COOKIE = "sb_session";
    public static final String PRE_CSRF_COOKIE = "sb_csrf";
    public static final String SESSION = "portal.session";
    public static final String PRE_CSRF = "portal.preCsrf";
    static final String NEW_PRE_CSRF = "portal.newPreCsrf";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
            + "object-src 'none'";

    private final MemberService members;
    private final Cookies cookies;

    public PortalFilter(MemberService members, Cookies cookies) {
        this.members = members;
        this.cookies = cookies;
    }

    static boolean isPortal(String rawPath) {
        String p = rawPath.startsWith("/") ? rawPath : "/" + rawPath;
        return p.equals("/") || p.equals("/portal") || p.startsWith("/portal/");
    }

    @Override
    public void filter(ContainerRequestContext ctx) throws IOException {
        String path = ctx.getUriInfo().getPath();
        if (!isPortal(path)) return;
        Cookie sc = ctx.getCookies().get(SESSION_COOKIE);
        Optional<MemberService.Session> session = sc == null ? Optional.empty() : members.session(sc.getValue());
        session.ifPresent(s -> ctx.setProperty(SESSION, s));
        Cookie pre = ctx.getCookies().get(PRE_CSRF_COOKIE);
        String preToken = pre != null && pre.getValue() != null && pre.getValue().length() >= 20 ? pre.getValue() : null;
        if (preToken == null && "GET".equals(ctx.getMethod())) {
            preToken = Cookies.newToken();
            ctx.setProperty(NEW_PRE_CSRF, preToken);
        }
        if (preToken != null) ctx.setProperty(PRE_CSRF, preToken);

        if (!"GET".equals(ctx.getMethod()) && !"HEAD".equals(ctx.getMethod())) {
            String presented = ctx.getHeaderString("X-CSRF-Token");
            if (presented == null && ctx.getMediaType() != null
                    && ctx.getMediaType().isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
                byte[] body = ctx.getEntityStream().readAllBytes();
                ctx.setEntityStream(new ByteArrayInputStream(body));
                presented = formField(new String(body, StandardCharsets.UTF_8), "_csrf");
            }
            String expected = session.map(MemberService.Session::csrfToken).orElse(preToken);
            if (expected == null || presented == null || !MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
                Page p = new Page("error", "Form expired", null)
                        .with("status", 403)
                        .with("message", "This form has expired or did not come from this site (CSRF check). "
                                + "Reload the page and try again.");
                ctx.abortWith(Response.status(403).type("text/html;charset=UTF-8").entity(p).build());
            }
        }
    }

    static String formField(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        String path = req.getUriInfo().getPath();
        if (!isPortal(path)) return;
        var h = res.getHeaders();
        h.putSingle("Content-Security-Policy", CSP);
        h.putSingle("X-Frame-Options", "DENY");
        h.putSingle("Referrer-Policy", "no-referrer");
        h.putSingle("X-Content-Type-Options", "nosniff");
        h.putSingle("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        if (!path.startsWith("portal/assets/") && !path.startsWith("/portal/assets/")) {
            h.putSingle("Cache-Control", "no-store");
        }
        Object fresh = req.getProperty(NEW_PRE_CSRF);
        if (fresh instanceof String t) {
            h.add("Set-Cookie", cookies.header(req, PRE_CSRF_COOKIE, t, -1));
        }
    }
}
