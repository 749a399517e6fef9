package io.switchboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.AuthFilter;
import io.switchboard.api.Body;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Segment's credentials: {@code Authorization: Basic base64(<write key>:)}, else the {@code writeKey}
 * field of the JSON body (analytics.js, analytics-java). Both authenticate here, before CORS and rate
 * limits, so every later filter treats the caller alike whatever carried the key — a disallowed
 * {@code Origin} is refused for a body key exactly as for a header key.
 *
 * <p>To read the body key the (already size-limited and inflated) body is read once into memory and put
 * back as the entity stream; the parsed document is left in the request property {@link #BODY} so the
 * resource does not parse it twice. A body that is not JSON propagates the parser's error (400).
 */
@Priority(Priorities.AUTHENTICATION)
public class SegmentKeyAuthFilter extends AuthFilter<String, Caller> {
    /** Request property: the raw body bytes read here ({@code byte[]}). */
    public static final String RAW = "switchboard.segment.raw";
    /** Request property: the body parsed here ({@link JsonNode}). */
    public static final String BODY = "switchboard.segment.body";

    @Override
    public void filter(ContainerRequestContext ctx) throws IOException {
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        String key = BasicKeyAuthFilter.keyFrom(header);
        if (key != null && authenticate(ctx, key, "BASIC")) return;
        String bodyKey = bodyKey(ctx);
        if (bodyKey != null && authenticate(ctx, bodyKey, "BASIC")) return;
        throw unauthorizedHandler.buildException(prefix, realm);
    }

    /** The body's {@code writeKey} (a string), or null; reads and restores the entity. */
    static String bodyKey(ContainerRequestContext ctx) throws IOException {
        if (!ctx.hasEntity()) return null;
        byte[] raw = ctx.getEntityStream().readAllBytes();
        ctx.setEntityStream(new ByteArrayInputStream(raw));
        ctx.setProperty(RAW, raw);
        if (raw.length == 0) return null;
        JsonNode body = Body.parse(raw);
        ctx.setProperty(BODY, body);
        JsonNode wk = body.isObject() ? body.get("writeKey") : null;
        if (wk == null || !wk.isTextual()) return null;
        String k = wk.asText().trim();
        return k.isEmpty() ? null : k;
    }

    /** The body this filter parsed for {@code raw} (same bytes), else null. */
    public static JsonNode parsed(ContainerRequestContext ctx, byte[] raw) {
        Object r = ctx.getProperty(RAW);
        Object b = ctx.getProperty(BODY);
        return r instanceof byte[] bytes && java.util.Arrays.equals(bytes, raw) && b instanceof JsonNode n ? n : null;
    }

    public static class Builder extends AuthFilterBuilder<String, Caller, SegmentKeyAuthFilter> {
        @Override
        protected SegmentKeyAuthFilter newInstance() {
            return new SegmentKeyAuthFilter();
        }
    }
}
