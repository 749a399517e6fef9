package io.switchboard.resources.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.auth.SegmentKeyAuthFilter;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.Dialect;
import io.switchboard.resources.Async;
import io.switchboard.api.Body;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Segment's HTTP Tracking API as its clients use it — one mapping for every path (segment.md):
 * <ul>
 *   <li>{@code /v1/{identify,track,page,screen,group,alias}} and analytics.js's first-letter forms
 *       {@code /v1/{i,t,p,s,g,a}}: one message, the path decides its type;</li>
 *   <li>{@code /v1/batch}, {@code /v1/b} (analytics.js batching) and {@code /v1/import} (analytics-java;
 *       with or without a trailing slash, like every path here): {@code {batch:[…], sentAt?, context?}}.</li>
 * </ul>
 * The body is JSON whatever the content type says among {@code application/json}, {@code text/plain}
 * (analytics.js, to avoid a CORS preflight) and {@code application/x-www-form-urlencoded} (RudderStack's
 * Node SDK), gzip-encoded or not. Credentials: Basic auth or {@code writeKey} in the body, both checked by
 * {@link SegmentKeyAuthFilter} before CORS and rate limits. Success: 200 {@code {"success":true}}.
 */
@Path("/v1")
@AuthDialect(Dialect.SEGMENT)
@Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.APPLICATION_FORM_URLENCODED})
@Produces(MediaType.APPLICATION_JSON)
public class SegmentResource {
    public static final String SOURCE = "segment";
    private static final Map<String, Boolean> SUCCESS = Map.of("success", true);
    /** Path segment → message type. */
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("identify", "identify"), Map.entry("i", "identify"),
            Map.entry("track", "track"), Map.entry("t", "track"),
            Map.entry("page", "page"), Map.entry("p", "page"),
            Map.entry("screen", "screen"), Map.entry("s", "screen"),
            Map.entry("group", "group"), Map.entry("g", "group"),
            Map.entry("alias", "alias"), Map.entry("a", "alias"));

    private final IngestService ingest;
    private final SegmentMessages messages = SegmentMessages.segment(SOURCE);

    public SegmentResource(IngestService ingest) {
        this.ingest = ingest;
    }

    @POST
    @Path("/{type: identify|track|page|screen|group|alias|i|t|p|s|g|a}")
    public void single(@Auth Caller caller, @Context ContainerRequestContext ctx, @PathParam("type") String type,
                       byte[] raw, @Suspended AsyncResponse response) {
        Instant now = Instant.now();
        run(response, caller, messages.single(TYPES.get(type), raw, body(ctx, raw), now), now);
    }

    @POST
    @Path("/{batch: batch|b|import}")
    public void batch(@Auth Caller caller, @Context ContainerRequestContext ctx, byte[] raw,
                      @Suspended AsyncResponse response) {
        Instant now = Instant.now();
        run(response, caller, messages.batch(raw, body(ctx, raw), now), now);
    }

    /** The body as parsed by the auth filter (when it read the body for a {@code writeKey}), else parsed here. */
    private static JsonNode body(ContainerRequestContext ctx, byte[] raw) {
        JsonNode parsed = SegmentKeyAuthFilter.parsed(ctx, raw);
        return parsed != null ? parsed : Body.parse(raw);
    }

    /** One transaction for the request; the answer once it committed (the Jetty thread is not held meanwhile). */
    private void run(AsyncResponse response, Caller caller, List<IngestOp> ops, Instant receivedAt) {
        if (ops.isEmpty()) {
            response.resume(Response.ok(SUCCESS, MediaType.APPLICATION_JSON_TYPE).build());
            return;
        }
        ingest.ingestAsync(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), null, ops, receivedAt)
                .whenComplete((r, e) -> Async.resume(response, e, () -> Response.ok(SUCCESS, MediaType.APPLICATION_JSON_TYPE).build()));
    }
}
