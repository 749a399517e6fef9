package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.ProviderDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.campaigns.CampaignService;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.delivery.ChannelSender;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Collection;
import java.util.List;

/** {@code /admin/companies/{id}/providers}: CRUD for delivery providers (secrets never returned). */
@Path("/admin/companies/{company}/providers")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminProvidersResource {
    private final TenancyService tenancy;
    private final CampaignService campaigns;
    private final Collection<ChannelSender> senders;

    public AdminProvidersResource(TenancyService tenancy, CampaignService campaigns, Collection<ChannelSender> senders) {
        this.tenancy = tenancy;
        this.campaigns = campaigns;
        this.senders = senders;
    }

    @POST
    public Response create(@Auth Caller caller, @PathParam("company") String company, JSONAPIDocument<ProviderDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        ProviderDto in = Docs.data(doc);
        var p = campaigns.createProvider(cid, in.type, in.name, in.config, in.rateLimit, in.rateInterval);
        return Response.status(201).entity(new JSONAPIDocument<>(ProviderDto.of(p))).build();
    }

    @GET
    public JSONAPIDocument<List<ProviderDto>> list(@Auth Caller caller, @PathParam("company") String company) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(campaigns.providers(cid).stream().map(ProviderDto::of).toList());
    }

    @GET
    @Path("/{id}")
    public JSONAPIDocument<ProviderDto> get(@Auth Caller caller, @PathParam("company") String company,
                                            @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(ProviderDto.of(campaigns.provider(cid, Docs.id(id, "provider"))));
    }

    /** Partial update: config keys given replace the stored ones (null removes; the redaction mask keeps). */
    @PATCH
    @Path("/{id}")
    public JSONAPIDocument<ProviderDto> update(@Auth Caller caller, @PathParam("company") String company,
                                               @PathParam("id") String id, JSONAPIDocument<ProviderDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        String pid = Docs.id(id, "provider");
        ProviderDto in = Docs.data(doc);
        if (in.type != null && !in.type.equals(campaigns.provider(cid, pid).type())) {
            throw ApiException.invalid("/data/attributes/type", "A provider's `type` cannot change; create a new provider.");
        }
        boolean clearRate = in.rateLimit != null && in.rateLimit == 0;
        var p = campaigns.updateProvider(cid, pid, in.name, in.config, clearRate ? null : in.rateLimit, in.rateInterval, clearRate);
        senders.forEach(s -> s.forget(cid, pid));
        return new JSONAPIDocument<>(ProviderDto.of(p));
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@Auth Caller caller, @PathParam("company") String company, @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        String pid = Docs.id(id, "provider");
        campaigns.deleteProvider(cid, pid);
        senders.forEach(s -> s.forget(cid, pid));
        return Response.noContent().build();
    }
}
