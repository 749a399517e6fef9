package io.switchboard.portal;

import jakarta.ws.rs.container.ContainerRequestContext;
import java.security.SecureRandom;
import java.util.Base64;

/** Portal cookies: HttpOnly, SameSite=Lax, Path=/portal, Secure behind TLS (or as configured). */
public class Cookies {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String secureMode;

    public Cookies(String secureMode) {
        this.secureMode = secureMode == null ? "auto" : secureMode;
    }

    static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    boolean secure(ContainerRequestContext req) {
        return switch (secureMode) {
            case "always" -> true;
            case "never" -> false;
            default -> "https".equalsIgnoreCase(req.getUriInfo().getRequestUri().getScheme())
                    || "https".equalsIgnoreCase(req.getHeaderString("X-Forwarded-Proto"));
        };
    }

    /** A Set-Cookie value; {@code maxAgeSeconds} &lt; 0 means a browser-session cookie, 0 deletes it. */
    public String header(ContainerRequestContext req, String name, String value, long maxAgeSeconds) {
        StringBuilder sb = new StringBuilder(name).append('=').append(value)
                .append("; Path=/portal; HttpOnly; SameSite=Lax");
        if (maxAgeSeconds >= 0) sb.append("; Max-Age=").append(maxAgeSeconds);
        if (secure(req)) sb.append("; Secure");
        return sb.toString();
    }
}
