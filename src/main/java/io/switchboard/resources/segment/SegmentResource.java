package io.switchboard.resources.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.dropwizard.auth.AuthenticationException;
import io.dropwizard.auth.Authenticator;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.resources.Async;
import io.switchboard.resources.ingest.Body;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Segment's HTTP Tracking API: {@code /v1/{identify,track,page,screen,group,alias,batch}} → 200
 * {@code {"success":true}}. Credentials: Basic auth with the write key as user name, or {@code writeKey}
 * in the JSON body.
 */
@Path("/v1")
@AuthDialect(Dialect.SEGMENT)
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SegmentResource {
    public static final String SOURCE = "segment";
    private static final Map<String, Boolean> SUCCESS = Map.of("success", true);

    private final IngestService ingest;
    private final Authenticator<String, Caller> keys;
    private final BiConsumer<ContainerRequestContext, Caller> rateLimit;
    private final SegmentMessages messages = new SegmentMessages(SOURCE, ErrorKind.INVALID);

    public SegmentResource(IngestService ingest, Authenticator<String, Caller> keys) {
        this(ingest, keys, (ctx, caller) -> { });
    }

    /**
     * {@code rateLimit}: counts a request whose caller came from the body's {@code writeKey} (the
     * rate-limit filter ran before the body was read and saw no caller), e.g.
     * {@code RateLimitFilter::enforce}; throws the 429.
     */
    public SegmentResource(IngestService ingest, Authenticator<String, Caller> keys,
                           BiConsumer<ContainerRequestContext, Caller> rateLimit) {
        this.ingest = ingest;
        this.keys = keys;
        this.rateLimit = rateLimit;
    }

    @POST
    @Path("/{type: identify|track|page|screen|group|alias}")
    public void single(@Auth Optional<Caller> caller, @Context ContainerRequestContext ctx,
                           @PathParam("type") String type, byte[] raw,
                       @Suspended AsyncResponse response) {
        JsonNode body = Body.parse(raw);
        Caller c = caller(ctx, caller, body);
        Instant now = Instant.now();
        run(response, c, messages.single(type, raw, body, now), now);
    }

    @POST
    @Path("/batch")
    public void batch(@Auth Optional<Caller> caller, @Context ContainerRequestContext ctx, byte[] raw,
                      @Suspended AsyncResponse response) {
        JsonNode body = Body.parse(raw);
        Caller c = caller(ctx, caller, body);
        Instant now = Instant.now();
        run(response, c, messages.batch(raw, body, now), now);
    }

    /** One transaction for the request; the answer once it committed (the Jetty thread is not held meanwhile). */
    private void run(AsyncResponse response, Caller caller, List<IngestOp> ops, Instant receivedAt) {
        if (ops.isEmpty()) {
            response.resume(Response.ok(SUCCESS, MediaType.APPLICATION_JSON_TYPE).build());
            return;
        }
        ingest.ingestAsync(caller.companyId(), new WriteContext(caller, SOURCE), null, ops, receivedAt)
                .whenComplete((r, e) -> Async.resume(response, e, () -> Response.ok(SUCCESS, MediaType.APPLICATION_JSON_TYPE).build()));
    }

    /**
     * The Basic-auth caller (already rate-limited by the filter), else the body's {@code writeKey}, which
     * is rate-limited here before any work; neither → 401 in Segment's shape.
     */
    private Caller caller(ContainerRequestContext ctx, Optional<Caller> fromHeader, JsonNode body) {
        if (fromHeader.isPresent()) return fromHeader.get();
        JsonNode wk = body.isObject() ? body.get("writeKey") : null;
        if (wk != null && wk.isTextual()) {
            try {
                Optional<Caller> c = keys.authenticate(wk.asText().trim());
                if (c.isPresent()) {
                    rateLimit.accept(ctx, c.get());
                    return c.get();
                }
            } catch (AuthenticationException e) {
                // same answer as an unknown key
            }
        }
        throw new ApiException(ErrorKind.NOT_AUTHENTICATED,
                "Missing or invalid write key. Send HTTP Basic auth with the write key as the user name, or `writeKey` in the body.");
    }
}
