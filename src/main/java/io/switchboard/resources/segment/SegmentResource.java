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
import io.switchboard.resources.ingest.Body;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final SegmentMessages messages = new SegmentMessages(SOURCE, ErrorKind.INVALID);

    public SegmentResource(IngestService ingest, Authenticator<String, Caller> keys) {
        this.ingest = ingest;
        this.keys = keys;
    }

    @POST
    @Path("/{type: identify|track|page|screen|group|alias}")
    public Response single(@Auth Optional<Caller> caller, @PathParam("type") String type, byte[] raw) {
        JsonNode body = Body.parse(raw);
        Caller c = caller(caller, body);
        Instant now = Instant.now();
        return run(c, messages.single(type, raw, body, now), now);
    }

    @POST
    @Path("/batch")
    public Response batch(@Auth Optional<Caller> caller, byte[] raw) {
        JsonNode body = Body.parse(raw);
        Caller c = caller(caller, body);
        Instant now = Instant.now();
        return run(c, messages.batch(raw, body, now), now);
    }

    private Response run(Caller caller, List<IngestOp> ops, Instant receivedAt) {
        if (!ops.isEmpty()) ingest.ingest(caller.companyId(), new WriteContext(caller, SOURCE), null, ops, receivedAt);
        return Response.ok(SUCCESS, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** The Basic-auth caller, else the body's {@code writeKey}; neither → 401 in Segment's shape. */
    private Caller caller(Optional<Caller> fromHeader, JsonNode body) {
        if (fromHeader.isPresent()) return fromHeader.get();
        JsonNode wk = body.isObject() ? body.get("writeKey") : null;
        if (wk != null && wk.isTextual()) {
            try {
                Optional<Caller> c = keys.authenticate(wk.asText().trim());
                if (c.isPresent()) return c.get();
            } catch (AuthenticationException e) {
                // same answer as an unknown key
            }
        }
        throw new ApiException(ErrorKind.NOT_AUTHENTICATED,
                "Missing or invalid write key. Send HTTP Basic auth with the write key as the user name, or `writeKey` in the body.");
    }
}
