package io.switchboard.resources.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;

/**
 * Dittofeed's public apps API (seed 002): {@code /api/public/apps/{identify,track,page,screen,group,alias,batch}}
 * → 204. Same messages as Segment ({@link SegmentMessages}); {@code messageId} required on every message, as
 * seed 002 and Dittofeed's schemas say (400 naming the field); alias is implemented (Dittofeed answers 400).
 */
@Path("/api/public/apps")
@AuthDialect(Dialect.DITTOFEED)
@Consumes(MediaType.APPLICATION_JSON)
public class DittofeedResource {
    public static final String SOURCE = "dittofeed";

    private final IngestService ingest;
    private final SegmentMessages messages = SegmentMessages.dittofeed(SOURCE);

    public DittofeedResource(IngestService ingest) {
        this.ingest = ingest;
    }

    @POST
    @Path("/{type: identify|track|page|screen|group|alias}")
    public void single(@Auth Caller caller, @PathParam("type") String type, byte[] raw,
                       @Suspended AsyncResponse response) {
        JsonNode body = Body.parse(raw);
        Instant now = Instant.now();
        run(response, caller, messages.single(type, raw, body, now), now);
    }

    @POST
    @Path("/batch")
    public void batch(@Auth Caller caller, byte[] raw, @Suspended AsyncResponse response) {
        JsonNode body = Body.parse(raw);
        Instant now = Instant.now();
        run(response, caller, messages.batch(raw, body, now), now);
    }

    /** One transaction for the request; the answer once it committed (the Jetty thread is not held meanwhile). */
    private void run(AsyncResponse response, Caller caller, List<IngestOp> ops, Instant receivedAt) {
        if (ops.isEmpty()) {
            response.resume(Response.noContent().build());
            return;
        }
        ingest.ingestAsync(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), null, ops, receivedAt)
                .whenComplete((r, e) -> Async.resume(response, e, () -> Response.noContent().build()));
    }
}
