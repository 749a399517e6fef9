package io.switchboard.resources.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.resources.ingest.Body;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;

/**
 * Dittofeed's public apps API (seed 002): {@code /api/public/apps/{identify,track,page,screen,group,alias,batch}}
 * → 204. Same messages as Segment ({@link SegmentMessages}); alias is implemented (Dittofeed answers 400).
 */
@Path("/api/public/apps")
@AuthDialect(Dialect.DITTOFEED)
@Consumes(MediaType.APPLICATION_JSON)
public class DittofeedResource {
    public static final String SOURCE = "dittofeed";

    private final IngestService ingest;
    private final SegmentMessages messages = new SegmentMessages(SOURCE, ErrorKind.PAYLOAD_TOO_LARGE);

    public DittofeedResource(IngestService ingest) {
        this.ingest = ingest;
    }

    @POST
    @Path("/{type: identify|track|page|screen|group|alias}")
    public Response single(@Auth Caller caller, @PathParam("type") String type, byte[] raw) {
        JsonNode body = Body.parse(raw);
        Instant now = Instant.now();
        return run(caller, messages.single(type, raw, body, now), now);
    }

    @POST
    @Path("/batch")
    public Response batch(@Auth Caller caller, byte[] raw) {
        JsonNode body = Body.parse(raw);
        Instant now = Instant.now();
        return run(caller, messages.batch(raw, body, now), now);
    }

    private Response run(Caller caller, List<IngestOp> ops, Instant receivedAt) {
        if (!ops.isEmpty()) ingest.ingest(caller.companyId(), new WriteContext(caller, SOURCE), null, ops, receivedAt);
        return Response.noContent().build();
    }
}
