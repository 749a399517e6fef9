package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.ChannelUnsubscribeDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.delivery.Unsubscribes;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * {@code /admin/companies/{id}/profiles/{profileId}/unsubscribes}: a profile's delivery opt-outs (what
 * the unsubscribe links recorded), with a way for operators to add one or lift one.
 */
@Path("/admin/companies/{company}/profiles/{profileId}/unsubscribes")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminChannelUnsubscribesResource {
    private final TenancyService tenancy;
    private final IdentityService identity;
    private final Unsubscribes unsubscribes;

    public AdminChannelUnsubscribesResource(TenancyService tenancy, IdentityService identity, Unsubscribes unsubscribes) {
        this.tenancy = tenancy;
        this.identity = identity;
        this.unsubscribes = unsubscribes;
    }

    @GET
    public JSONAPIDocument<List<ChannelUnsubscribeDto>> list(@Auth Caller caller, @PathParam("company") String company,
                                                             @PathParam("profileId") String profileId) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.get(cid, profileId);
        return new JSONAPIDocument<>(unsubscribes.list(cid, profileId).stream().map(u -> {
            ChannelUnsubscribeDto d = new ChannelUnsubscribeDto();
            d.id = u.channel() + ":" + u.subscription();
            d.channel = u.channel();
            d.subscription = u.subscription();
            d.source = u.source();
            d.created = u.createdAt();
            return d;
        }).toList());
    }

    @POST
    public Response add(@Auth Caller caller, @PathParam("company") String company, @PathParam("profileId") String profileId,
                        JSONAPIDocument<ChannelUnsubscribeDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.get(cid, profileId);
        ChannelUnsubscribeDto in = Docs.data(doc);
        check(in.channel, in.subscription == null ? "marketing" : in.subscription);
        String sub = in.subscription == null ? "marketing" : in.subscription;
        boolean fresh = unsubscribes.unsubscribe(cid, profileId, in.channel, sub);
        ChannelUnsubscribeDto out = new ChannelUnsubscribeDto();
        out.id = in.channel + ":" + sub;
        out.channel = in.channel;
        out.subscription = sub;
        out.source = "admin";
        return Response.status(fresh ? 201 : 200).entity(new JSONAPIDocument<>(out)).build();
    }

    /** Lifts the opt-out {@code channel:subscription} (e.g. {@code email:marketing}). */
    @DELETE
    @Path("/{id}")
    public Response remove(@Auth Caller caller, @PathParam("company") String company, @PathParam("profileId") String profileId,
                           @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.get(cid, profileId);
        String[] parts = id.split(":", 2);
        if (parts.length != 2 || !unsubscribes.resubscribe(cid, profileId, parts[0], parts[1])) {
            throw ApiException.notFound("Profile " + profileId + " has no opt-out " + id + ".");
        }
        return Response.noContent().build();
    }

    private static void check(String channel, String subscription) {
        if (channel == null || Channel.parse(channel).isEmpty()) {
            throw ApiException.invalid("/data/attributes/channel", "`channel` must be one of email, sms, push, webhook.");
        }
        if (!subscription.equals("marketing") && !subscription.equals("transactional")) {
            throw ApiException.invalid("/data/attributes/subscription", "`subscription` must be \"marketing\" or \"transactional\".");
        }
    }
}
