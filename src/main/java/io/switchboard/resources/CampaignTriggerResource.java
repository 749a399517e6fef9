package io.switchboard.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.campaigns.TriggerService;
import io.switchboard.delivery.DeliveryWorkers;
import io.switchboard.errors.Dialect;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Parcelvoy's campaign trigger (seed 003): {@code POST /api/client/campaigns/{campaignId}/trigger} with
 * {@code Authorization: Bearer sk_…}. 204 once the send is committed; a repeat with the same
 * {@code Idempotency-Key} header (or {@code event.id}) is also 204 and sends nothing more.
 */
@Path("/api/client/campaigns")
@AuthDialect(Dialect.PARCELVOY)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CampaignTriggerResource {
    private final TriggerService triggers;
    private final DeliveryWorkers workers;

    public CampaignTriggerResource(TriggerService triggers, DeliveryWorkers workers) {
        this.triggers = triggers;
        this.workers = workers;
    }

    @POST
    @Path("/{campaignId}/trigger")
    public Response trigger(@Auth Caller caller, @PathParam("campaignId") String campaignId,
                            @HeaderParam("Idempotency-Key") String idempotencyKey, JsonNode body) {
        TriggerService.Outcome o = triggers.trigger(caller, campaignId, body, idempotencyKey);
        if (o.enqueued()) {
            workers.wakeUp();
        }
        return Response.noContent().build();
    }
}
