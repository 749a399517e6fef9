package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoFilter;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.api.klaviyo.KlaviyoProfileDto;
import io.switchboard.api.klaviyo.KlaviyoProfileMapper;
import io.switchboard.api.klaviyo.ProfileRequest;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ProfileQueries;
import io.switchboard.core.identity.ProfileQuery;
import io.switchboard.core.identity.ResolvedProfile;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.resources.Paging;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * Klaviyo's server profile API ({@code Authorization: Klaviyo-API-Key sk_…}): create (strict, 409
 * {@code duplicate_profile}), get, update (PATCH), and the filtered, sorted, cursor-paged list. A public
 * key is 403; another company's profile is 404, the same answer as a profile that does not exist.
 */
@Path("/api/profiles")
@AuthDialect(Dialect.KLAVIYO_SERVER)
@KlaviyoApi
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
@Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class KlaviyoProfilesResource {
    static final String SOURCE = "klaviyo_server";
    private static final int DEFAULT_PAGE_SIZE = 20;
    private static final int MAX_PAGE_SIZE = 100;

    private final IdentityService identity;
    private final ProfileQueries queries;
    private final io.switchboard.core.audiences.SubscriptionService consent;

    public KlaviyoProfilesResource(IdentityService identity, ProfileQueries queries,
                                   io.switchboard.core.audiences.SubscriptionService consent) {
        this.identity = identity;
        this.queries = queries;
        this.consent = consent;
    }

    @POST
    public Response create(@Auth Caller caller, @Context ContainerRequestContext rc, @Context UriInfo ui,
                           @QueryParam("fields[profile]") String fields, byte[] body) {
        requireSecret(caller);
        KlaviyoRevision rev = KlaviyoRevision.of(rc);
        Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
        ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "profile");
        ProfileRequest req = read(data, rev, rev.isBefore(KlaviyoRevision.SERVER_ANONYMOUS_ID_REMOVED));
        WriteContext ctx = new WriteContext(caller.credentialLabel(), SOURCE);
        Profile p = atKlaviyoPointers(() -> identity.create(caller.companyId(), ctx, req.identifiers(), req.write()));
        return Response.status(201).entity(mapper(ui).document(p, sparse)).build();
    }

    @GET
    @Path("/{id}")
    public JSONAPIDocument<KlaviyoProfileDto> get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                                                  @QueryParam("fields[profile]") String fields,
                                                  @QueryParam("additional-fields[profile]") String more) {
        requireSecret(caller);
        Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
        Profile p = identity.get(caller.companyId(), id);
        JSONAPIDocument<KlaviyoProfileDto> doc = mapper(ui).document(p, sparse);
        if (KlaviyoConsentResource.wantsSubscriptions(more)) { // docs/audiences.md
            KlaviyoConsentResource.addSubscriptions(consent, caller.companyId(), List.of(p), List.of(doc.get()));
        }
        return doc;
    }

    @PATCH
    @Path("/{id}")
    public JSONAPIDocument<KlaviyoProfileDto> update(@Auth Caller caller, @Context ContainerRequestContext rc,
                                                     @Context UriInfo ui, @PathParam("id") String id,
                                                     @QueryParam("fields[profile]") String fields, byte[] body) {
        requireSecret(caller);
        KlaviyoRevision rev = KlaviyoRevision.of(rc);
        Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
        ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "profile");
        String dataId = KlaviyoJson.string(data, "id", "/data/id");
        if (dataId == null) {
            throw ApiException.invalid("/data/id", "`data.id` is required and must equal the profile id in the path.");
        }
        if (!dataId.equals(id)) {
            throw new ApiException(ErrorKind.CONFLICT, "`data.id` (" + dataId + ") does not match the profile id in "
                    + "the path (" + id + ").", "/data/id", null, null);
        }
        ProfileRequest req = read(data, rev, true);
        WriteContext ctx = new WriteContext(caller.credentialLabel(), SOURCE);
        return mapper(ui).document(atKlaviyoPointers(
                () -> identity.update(caller.companyId(), ctx, id, req.identifiers(), req.write())), sparse);
    }

    @GET
    public JSONAPIDocument<List<KlaviyoProfileDto>> list(@Auth Caller caller, @Context UriInfo ui,
                                                         @QueryParam("filter") String filter,
                                                         @QueryParam("sort") String sort,
                                                         @QueryParam("page[size]") String pageSize,
                                                         @QueryParam("page[cursor]") String pageCursor,
                                                         @QueryParam("fields[profile]") String fields,
                                                         @QueryParam("additional-fields[profile]") String more) {
        requireSecret(caller);
        boolean withSubscriptions = KlaviyoConsentResource.wantsSubscriptions(more);
        Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
        var conditions = KlaviyoFilter.parseProfileFilter(filter);
        String s = sort == null || sort.isBlank() ? "id" : sort.trim();
        boolean desc = s.startsWith("-");
        ProfileQuery.SortField sf = ProfileQuery.SortField.of(desc ? s.substring(1) : s);
        if (sf == null) {
            throw ApiException.invalidParameter("sort", "Invalid sort `" + s + "`; use created, updated, email or id, "
                    + "with a leading `-` for descending.");
        }
        int size = Paging.size(pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        ProfileQuery.Cursor cursor = Paging.cursor(pageCursor, raw -> ProfileQuery.Cursor.decode(raw, sf, desc));
        ProfileQuery.Page page = queries.page(caller.companyId(), new ProfileQuery(conditions, sf, desc, size, cursor));
        URI self = ui.getRequestUri();
        JSONAPIDocument<List<KlaviyoProfileDto>> doc = mapper(ui).collection(page.items(), sparse, self.toString(),
                link(self, page.next()), link(self, page.prev()));
        if (withSubscriptions) KlaviyoConsentResource.addSubscriptions(consent, caller.companyId(), page.items(), doc.get());
        return doc;
    }

    // ------------------------------------------------------------------ shared with the other Klaviyo resources

    static void requireSecret(Caller caller) {
        if (!caller.isSecret()) {
            throw ApiException.forbidden(io.switchboard.errors.Dialect.KLAVIYO_SERVER.secretKeyRequired());
        }
    }

    /** Places core's field errors ({@code email}, {@code identifiers}…) at Klaviyo's {@code /data/attributes} pointers. */
    static <T> T atKlaviyoPointers(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            if (e.field() == null || e.pointer() != null) throw e;
            throw e.at(IdentityService.IDENTIFIERS.equals(e.field()) ? "/data/attributes" : "/data/attributes/" + e.field());
        }
    }

    static KlaviyoProfileMapper mapper(UriInfo ui) {
        return new KlaviyoProfileMapper(ui.getBaseUri());
    }

    /**
     * Reads a server-side profile write: {@code data.attributes} (required) and {@code data.meta}
     * ({@code patch_properties}); {@code anonymous_id} only before revision 2025-10-15.
     */
    static ProfileRequest read(ObjectNode data, KlaviyoRevision rev, boolean metaAllowed) {
        ObjectNode attributes = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
        ObjectNode meta = metaAllowed ? KlaviyoJson.object(data, "meta", "/data/meta") : null;
        return ProfileRequest.read(attributes, "/data/attributes", meta, "/data/meta",
                rev.isBefore(KlaviyoRevision.SERVER_ANONYMOUS_ID_REMOVED)
                        ? ProfileRequest.Identity.WITH_ANONYMOUS_ID : ProfileRequest.Identity.WITHOUT_ANONYMOUS_ID);
    }

    private static String link(URI self, ProfileQuery.Cursor c) {
        return c == null ? null : UriBuilder.fromUri(self).replaceQueryParam("page[cursor]", c.encode()).build()
                .toString();
    }
}
