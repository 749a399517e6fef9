package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import com.github.jasminb.jsonapi.Link;
import com.github.jasminb.jsonapi.Links;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.CampaignDto;
import io.switchboard.api.admin.PreviewDto;
import io.switchboard.api.admin.SendDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.campaigns.CampaignService;
import io.switchboard.core.campaigns.Send;
import io.switchboard.core.tenancy.TenancyService;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code /admin/companies/{id}/campaigns}: campaigns with templates, preview, and the sends of a campaign. */
@Path("/admin/companies/{company}/campaigns")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminCampaignsResource {
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final TenancyService tenancy;
    private final CampaignService campaigns;

    public AdminCampaignsResource(TenancyService tenancy, CampaignService campaigns) {
        this.tenancy = tenancy;
        this.campaigns = campaigns;
    }

    private static CampaignService.CampaignInput input(CampaignDto in) {
        return new CampaignService.CampaignInput(in.name, in.channel, in.providerId, in.state, in.subscription,
                in.defaultLocale, in.templates);
    }

    @POST
    public Response create(@Auth Caller caller, @PathParam("company") String company, JSONAPIDocument<CampaignDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        var c = campaigns.createCampaign(cid, input(Docs.data(doc)));
        return Response.status(201).entity(new JSONAPIDocument<>(CampaignDto.of(c))).build();
    }

    @GET
    public JSONAPIDocument<List<CampaignDto>> list(@Auth Caller caller, @PathParam("company") String company) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(campaigns.campaigns(cid).stream().map(CampaignDto::of).toList());
    }

    @GET
    @Path("/{id}")
    public JSONAPIDocument<CampaignDto> get(@Auth Caller caller, @PathParam("company") String company,
                                            @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(CampaignDto.of(campaigns.campaign(cid, Docs.id(id, "campaign"))));
    }

    @PATCH
    @Path("/{id}")
    public JSONAPIDocument<CampaignDto> update(@Auth Caller caller, @PathParam("company") String company,
                                               @PathParam("id") String id, JSONAPIDocument<CampaignDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        var c = campaigns.updateCampaign(cid, Docs.id(id, "campaign"), input(Docs.data(doc)));
        return new JSONAPIDocument<>(CampaignDto.of(c));
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@Auth Caller caller, @PathParam("company") String company, @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        campaigns.deleteCampaign(cid, Docs.id(id, "campaign"));
        return Response.noContent().build();
    }

    /** Renders the campaign's template (for {@code locale}, else the default) with the given user and event. */
    @POST
    @Path("/{id}/preview")
    public JSONAPIDocument<PreviewDto> preview(@Auth Caller caller, @PathParam("company") String company,
                                               @PathParam("id") String id, JSONAPIDocument<PreviewDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        PreviewDto in = doc == null || doc.get() == null ? new PreviewDto() : doc.get();
        Map<String, Object> out = campaigns.preview(cid, Docs.id(id, "campaign"), in.locale, in.profileId, in.user, in.event);
        PreviewDto d = new PreviewDto();
        d.id = id;
        d.locale = (String) out.get("locale");
        @SuppressWarnings("unchecked")
        Map<String, Object> rendered = (Map<String, Object>) out.get("rendered");
        d.rendered = rendered;
        return new JSONAPIDocument<>(d);
    }

    /**
     * The campaign's sends, newest first: {@code filter[state]=failed}, {@code page[size]} (≤ 500) and
     * {@code page[cursor]} (from {@code links.next}).
     */
    @GET
    @Path("/{id}/sends")
    public JSONAPIDocument<List<SendDto>> sends(@Auth Caller caller, @PathParam("company") String company,
                                                @PathParam("id") String id, @QueryParam("filter[state]") String state,
                                                @QueryParam("page[size]") String size,
                                                @QueryParam("page[cursor]") String cursor, @Context UriInfo uri) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        int limit = Paging.size(size, DEFAULT_PAGE, MAX_PAGE);
        String before = null;
        if (cursor != null) {
            if (!io.switchboard.db.Ids.plausible(cursor)) {
                throw Paging.badCursor();
            }
            before = cursor;
        }
        List<Send> sends = campaigns.sends(cid, Docs.id(id, "campaign"), state, before, limit);
        JSONAPIDocument<List<SendDto>> out = new JSONAPIDocument<>(sends.stream().map(SendDto::of).toList());
        Map<String, Link> links = new HashMap<>();
        links.put("self", new Link(uri.getRequestUri().toString()));
        if (sends.size() == limit) {
            links.put("next", new Link(uri.getRequestUriBuilder().replaceQueryParam("page[cursor]",
                    sends.get(sends.size() - 1).id()).build().toString()));
        }
        out.setLinks(new Links(links));
        return out;
    }
}
