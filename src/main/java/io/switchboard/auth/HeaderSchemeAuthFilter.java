package io.switchboard.auth;

import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * {@code Authorization: <Scheme> <token>} for one scheme (e.g. {@code Bearer}, {@code Klaviyo-API-Key}).
 * Unlike Dropwizard's OAuth filter it never reads a token from the query string (URLs end up in logs).
 */
@Priority(Priorities.AUTHENTICATION)
public class HeaderSchemeAuthFilter extends AuthFilter<String, Caller> {

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (!authenticate(ctx, extract(ctx.getHeaderString(HttpHeaders.AUTHORIZATION), prefix), prefix)) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    static String extract(String header, String scheme) {
        if (header == null) return null;
        String h = header.trim();
        int space = h.indexOf(' ');
        if (space <= 0 || !h.substring(0, space).equalsIgnoreCase(scheme)) return null;
        String token = h.substring(space + 1).trim();
        return token.isEmpty() ? null : token;
    }

    public static class Builder extends AuthFilterBuilder<String, Caller, HeaderSchemeAuthFilter> {
        @Override
        protected HeaderSchemeAuthFilter newInstance() {
            return new HeaderSchemeAuthFilter();
        }
    }
}
