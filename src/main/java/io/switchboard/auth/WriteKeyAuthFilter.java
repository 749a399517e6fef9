package io.switchboard.auth;

import io.switchboard.core.tenancy.Keys;
import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Dittofeed-style write keys: {@code Authorization: <any scheme> <token>} (or a bare token), or a
 * {@code PublicWriteKey} header, where the token is a key or base64 of {@code <key>:} /
 * {@code <key>:<anything>}.
 */
@Priority(Priorities.AUTHENTICATION)
public class WriteKeyAuthFilter extends AuthFilter<String, Caller> {
    private final String header;

    WriteKeyAuthFilter(String header) {
        this.header = header;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (!authenticate(ctx, keyFrom(ctx.getHeaderString(header)), "WriteKey")) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    /** The key inside a write-key header value, or null. */
    public static String keyFrom(String value) {
        if (value == null || value.isBlank()) return null;
        String v = value.trim();
        int space = v.lastIndexOf(' ');
        String token = space >= 0 ? v.substring(space + 1) : v;
        if (Keys.looksLikeKey(token)) return token;
        try {
            String decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String key = colon >= 0 ? decoded.substring(0, colon) : decoded;
            return Keys.looksLikeKey(key) ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static class Builder extends AuthFilterBuilder<String, Caller, WriteKeyAuthFilter> {
        private final String header;

        public Builder(String header) {
            this.header = header;
        }

        public Builder() {
            this(HttpHeaders.AUTHORIZATION);
        }

        @Override
        protected WriteKeyAuthFilter newInstance() {
            return new WriteKeyAuthFilter(header);
        }
    }
}
