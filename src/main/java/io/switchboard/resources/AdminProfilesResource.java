package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.AdminProfileDto;
import io.switchboard.api.admin.HistoryDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.Times;
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
import com.github.jasminb.jsonapi.Link;
import com.github.jasminb.jsonapi.Links;
import io.switchboard.core.identity.ProfileQueries;
import io.switchboard.core.identity.ProfileQuery;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The dialect-neutral admin view of profiles: the filtered list, a profile, its identity history, explicit merges. */
@Path("/admin/companies/{company}/profiles")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminProfilesResource {
    private final TenancyService tenancy;
    private final IdentityService identity;
    private final ProfileQueries queries;

    public AdminProfilesResource(TenancyService tenancy, IdentityService identity, ProfileQueries queries) {
        this.tenancy = tenancy;
        this.identity = identity;
        this.queries = queries;
    }

    /**
     * The filtered, sorted, cursor-paged list of live profiles. Filters (all optional, combined with AND):
     * {@code id}, {@code external_id}, {@code email}, {@code phone_number} (exact, normalised like writes),
     * {@code created_after}, {@code created_before}, {@code updated_after}, {@code updated_before}
     * (ISO-8601). {@code sort}: id, created, updated or email, {@code -} for descending (default id).
     * {@code page[size]} 1–100 (default 20); {@code page[cursor]} from {@code links.next}/{@code links.prev}.
     */
    @GET
    public JSONAPIDocument<List<AdminProfileDto>> list(@Auth Caller caller, @PathParam("company") String company,
                                                       @Context UriInfo ui,
                                                       @QueryParam("id") String id,
                                                       @QueryParam("external_id") String externalId,
                                                       @QueryParam("email") String email,
                                                       @QueryParam("phone_number") String phone,
                                                       @QueryParam("created_after") String createdAfter,
                                                       @QueryParam("created_before") String createdBefore,
                                                       @QueryParam("updated_after") String updatedAfter,
                                                       @QueryParam("updated_before") String updatedBefore,
                                                       @QueryParam("sort") String sort,
                                                       @QueryParam("page[size]") String pageSize,
                                                       @QueryParam("page[cursor]") String pageCursor) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        List<ProfileQuery.Condition> conditions = new ArrayList<>();
        equals(conditions, ProfileQuery.Field.ID, id);
        equals(conditions, ProfileQuery.Field.EXTERNAL_ID, externalId);
        equals(conditions, ProfileQuery.Field.EMAIL, email);
        equals(conditions, ProfileQuery.Field.PHONE_NUMBER, phone);
        time(conditions, ProfileQuery.Field.CREATED, ProfileQuery.Op.GREATER_THAN, createdAfter, "created_after");
        time(conditions, ProfileQuery.Field.CREATED, ProfileQuery.Op.LESS_THAN, createdBefore, "created_before");
        time(conditions, ProfileQuery.Field.UPDATED, ProfileQuery.Op.GREATER_THAN, updatedAfter, "updated_after");
        time(conditions, ProfileQuery.Field.UPDATED, ProfileQuery.Op.LESS_THAN, updatedBefore, "updated_before");
        String s = sort == null || sort.isBlank() ? "id" : sort.trim();
        boolean desc = s.startsWith("-");
        ProfileQuery.SortField sf = ProfileQuery.SortField.of(desc ? s.substring(1) : s);
        if (sf == null) {
            throw ApiException.invalidParameter("sort", "`sort` must be id, created, updated or email, optionally "
                    + "prefixed with `-` for descending.");
        }
        int size = Paging.size(pageSize, 20, 100);
        ProfileQuery.Cursor cursor = Paging.cursor(pageCursor, raw -> ProfileQuery.Cursor.decode(raw, sf, desc));
        ProfileQuery.Page page = queries.page(companyId, new ProfileQuery(conditions, sf, desc, size, cursor));
        JSONAPIDocument<List<AdminProfileDto>> doc = new JSONAPIDocument<>(
                page.items().stream().map(AdminProfileDto::of).toList());
        Map<String, Link> links = new HashMap<>();
        URI self = ui.getRequestUri();
        links.put("self", new Link(self.toString()));
        if (page.next() != null) links.put("next", new Link(withCursor(self, page.next())));
        if (page.prev() != null) links.put("prev", new Link(withCursor(self, page.prev())));
        doc.setLinks(new Links(links));
        return doc;
    }

    private static String withCursor(URI self, ProfileQuery.Cursor c) {
        return UriBuilder.fromUri(self).replaceQueryParam("page[cursor]", c.encode()).build().toString();
    }

    private static void equals(List<ProfileQuery.Condition> out, ProfileQuery.Field f, String v) {
        if (v != null && !v.isBlank()) out.add(new ProfileQuery.Condition(f, ProfileQuery.Op.EQUALS, List.of(v)));
    }

    private static void time(List<ProfileQuery.Condition> out, ProfileQuery.Field f, ProfileQuery.Op op, String v,
                             String parameter) {
        if (v == null || v.isBlank()) return;
        Instant t = Times.parse(v.trim().replace(' ', '+')).orElseThrow(() -> ApiException.invalidParameter(parameter, "`" + parameter
                + "` must be an ISO-8601 datetime between years 1 and 9999, e.g. 2024-01-01T00:00:00Z."));
        out.add(new ProfileQuery.Condition(f, op, List.of(t.toString())));
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
        identity.find(companyId, profileId).orElseThrow(() -> ApiException.notFound("No profile with id `" + profileId + "`."));
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
        WriteContext ctx = new WriteContext(caller.credentialLabel(), "admin");
        return new JSONAPIDocument<>(AdminProfileDto.of(identity.merge(companyId, ctx, profileId, sourceId)));
    }
}
