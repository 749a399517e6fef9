package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.AdminProfileDto;
import io.switchboard.api.admin.HistoryDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** The dialect-neutral admin view of profiles: the profile, its identity history, explicit merges. */
@Path("/admin/companies/{company}/profiles")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminProfilesResource {
    private final TenancyService tenancy;
    private final IdentityService identity;

    public AdminProfilesResource(TenancyService tenancy, IdentityService identity) {
        this.tenancy = tenancy;
        this.identity = identity;
    }

    @GET
    @Path("/{profileId}")
    public JSONAPIDocument<AdminProfileDto> get(@Auth Caller caller, @PathParam("company") String company,
                                                @PathParam("profileId") String profileId) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(AdminProfileDto.of(identity.get(companyId, profileId)));
    }

    @GET
    @Path("/{profileId}/history")
    public JSONAPIDocument<List<HistoryDto>> history(@Auth Caller caller, @PathParam("company") String company,
                                                     @PathParam("profileId") String profileId) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.find(companyId, profileId).orElseThrow(() -> ApiException.notFound("No profile with id " + profileId + "."));
        return new JSONAPIDocument<>(identity.history(companyId, profileId).stream().map(HistoryDto::of).toList());
    }

    /** Explicit merge of another profile into this one: {@code {"source_id":"01H…"}}. */
    @POST
    @Path("/{profileId}/merge")
    public JSONAPIDocument<AdminProfileDto> merge(@Auth Caller caller, @PathParam("company") String company,
                                                  @PathParam("profileId") String profileId, Map<String, Object> body) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        Object source = body == null ? null : body.get("source_id");
        if (!(source instanceof String sourceId) || sourceId.isBlank()) {
            throw ApiException.invalid("/source_id", "`source_id` (the profile to merge into this one) is required.");
        }
        WriteContext ctx = new WriteContext(caller, "admin");
        var resolved = identity.tx().run(h -> identity.mergeExplicit(h, companyId, profileId, sourceId, ctx));
        return new JSONAPIDocument<>(AdminProfileDto.of(identity.get(companyId, resolved.profileId())));
    }
}
