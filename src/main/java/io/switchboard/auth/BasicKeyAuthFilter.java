package io.switchboard.auth;

import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Segment's HTTP API: {@code Authorization: Basic base64(<write key>:)} — the key is the user name. */
@Priority(Priorities.AUTHENTICATION)
public class BasicKeyAuthFilter extends AuthFilter<String, Caller> {

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (!authenticate(ctx, keyFrom(ctx.getHeaderString(HttpHeaders.AUTHORIZATION)), "BASIC")) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    public static String keyFrom(String header) {
        String token = HeaderSchemeAuthFilter.extract(header, "Basic");
        if (token == null) return null;
        try {
            String decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String user = colon >= 0 ? decoded.substring(0, colon) : decoded;
            return user.isEmpty() ? null : user;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static class Builder extends AuthFilterBuilder<String, Caller, BasicKeyAuthFilter> {
        @Override
        protected BasicKeyAuthFilter newInstance() {
            return new BasicKeyAuthFilter();
        }
    }
}
