package io.switchboard.resources.parcelvoy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.campaigns.TriggerService;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.ApiException;
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
 * {@code Idempotency-Key} header (or {@code event.id}) is also 204 and sends nothing more. The body is
 * read by {@link ParcelvoyTriggerMapper}; {@link TriggerService} does the rest in one transaction.
 */
@Path("/api/client/campaigns")
@AuthDialect(Dialect.PARCELVOY)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ParcelvoyTriggerResource {
    static final String SOURCE = "parcelvoy:campaign_trigger";

    private final TriggerService triggers;
    private final Runnable onEnqueued;

    /** {@code onEnqueued}: wakes the delivery workers after a trigger enqueued a send. */
    public ParcelvoyTriggerResource(TriggerService triggers, Runnable onEnqueued) {
        this.triggers = triggers;
        this.onEnqueued = onEnqueued;
    }

    @POST
    @Path("/{campaignId}/trigger")
    public Response trigger(@Auth Caller caller, @PathParam("campaignId") String campaignId,
                            @HeaderParam("Idempotency-Key") String idempotencyKey, JsonNode body) {
        if (!caller.isSecret()) {
            throw ApiException.forbidden("Access denied: triggering a campaign needs a secret key (sk_…).");
        }
        TriggerService.Outcome o;
        try {
            // the body is read once the campaign is known (an unknown campaign is a 404 whatever the body)
            o = triggers.trigger(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), campaignId,
                    () -> ParcelvoyTriggerMapper.read(campaignId, body, idempotencyKey));
        } catch (TriggerService.Rejected r) {
            throw ParcelvoyTriggerMapper.error(r);
        }
        if (o.enqueued()) {
            onEnqueued.run();
        }
        return Response.noContent().build();
    }
}
