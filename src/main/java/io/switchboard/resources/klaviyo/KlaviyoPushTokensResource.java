package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.api.Body;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.Cursors;
import io.switchboard.core.devices.PushToken;
import io.switchboard.core.devices.PushTokens;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.resources.Paging;
import io.switchboard.resources.klaviyo.events.KlaviyoEventMapper;
import io.switchboard.resources.klaviyo.events.KlaviyoServerEventsResource;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Klaviyo's server push-token API: {@code POST /api/push-tokens} (202; the body and parsing of the client
 * endpoint, {@link KlaviyoEventMapper#pushToken}), {@code GET /api/push-tokens} (filter on id, profile.id,
 * platform, enablement_status; sealed cursor paging by id, {@link Paging}), {@code GET}/{@code DELETE /api/push-tokens/{id}} and
 * {@code GET /api/profiles/{id}/push-tokens}. Secret key only. A push token's id is its device row's id;
 * another company's token is 404, the same answer as one that does not exist.
 */
public final class KlaviyoPushTokensResource {
    private KlaviyoPushTokensResource() {}

    static final Set<String> FIELDS = Set.of("created", "token", "enablement_status", "platform", "vendor",
            "background", "recorded_date", "metadata");
    private static final String FILTER_EXAMPLE = "equals(profile.id,\"01H...\")";
    static final int PAGE_DEFAULT = 20;
    static final int PAGE_MAX = 100;
    /** A sealed cursor's payload is this prefix and the last id seen (a cursor of another list does not open). */
    private static final String CURSOR_PREFIX = "push-token|";

    static ObjectNode token(String base, PushToken t, Set<String> fields) {
        ObjectNode o = KlaviyoWire.JSON.createObjectNode();
        o.put("type", "push-token").put("id", t.id());
        ObjectNode a = o.putObject("attributes");
        if (fields == null || fields.contains("created")) a.put("created", KlaviyoWire.format(t.created()));
        if (fields == null || fields.contains("token")) a.put("token", t.token());
        if (fields == null || fields.contains("enablement_status")) a.put("enablement_status", t.enablementStatus());
        if (fields == null || fields.contains("platform")) a.put("platform", t.platform());
        if (fields == null || fields.contains("vendor")) a.put("vendor", t.vendor());
        if (fields == null || fields.contains("background")) a.put("background", t.background());
        if (fields == null || fields.contains("recorded_date")) a.put("recorded_date", KlaviyoWire.format(t.recorded()));
        if (fields == null || fields.contains("metadata")) {
            try {
                a.set("metadata", KlaviyoWire.JSON.readTree(t.metadata()));
            } catch (IOException e) {
                a.putNull("metadata");
            }
        }
        if (t.profileId() != null) {
            ObjectNode profile = o.putObject("relationships").putObject("profile");
            profile.putObject("data").put("type", "profile").put("id", t.profileId());
            profile.putObject("links").put("self", base + "api/push-tokens/" + t.id() + "/relationships/profile/")
                    .put("related", base + "api/push-tokens/" + t.id() + "/profile/");
        }
        o.putObject("links").put("self", base + "api/push-tokens/" + t.id() + "/");
        return o;
    }

    /** {@code include} is not supported yet: a 400 naming it rather than a silently missing {@code included}. */
    static void noInclude(String include) {
        if (include != null && !include.isBlank()) {
            throw ApiException.invalidParameter("include", "`include` is not supported on push tokens yet; read "
                    + "the profile with GET /api/profiles/{id}.");
        }
    }

    @Path("/api/push-tokens")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Tokens {
        private final PushTokens tokens;
        private final IngestService ingest;
        private final KlaviyoEventMapper mapper;

        public Tokens(PushTokens tokens, IngestService ingest, KlaviyoEventMapper mapper) {
            this.tokens = tokens;
            this.ingest = ingest;
            this.mapper = mapper;
        }

        @POST
        public Response create(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw) {
            KlaviyoProfilesResource.requireSecret(caller);
            KlaviyoRevision rev = KlaviyoRevision.of(req);
            JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "push-token");
            JsonNode a = data.get("attributes");
            String source = KlaviyoServerEventsResource.SOURCE;
            IngestOp.Device d = KlaviyoEventMapper.pushToken(a, "/data/attributes", source);
            KlaviyoEventMapper.ProfileSpec who = mapper.profile(caller.companyId(), a, "/data/attributes", true);
            ingest.ingest(caller.companyId(), new WriteContext(caller.credentialLabel(), source), null,
                    List.of(who.op(WriteMode.NORMAL, List.of(d))));
            return Response.accepted().header("revision", rev.header()).build();
        }

        @GET
        public ObjectNode page(@Auth Caller caller, @Context UriInfo ui, @QueryParam("filter") String filter,
                               @QueryParam("page[size]") String size, @QueryParam("page[cursor]") String cursor,
                               @QueryParam("fields[push-token]") String fieldsRaw,
                               @QueryParam("include") String include) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = KlaviyoMetricsResource.fields(fieldsRaw, "fields[push-token]", FIELDS);
            noInclude(include);
            String profileId = null;
            String platform = null;
            String status = null;
            String id = null;
            for (KlaviyoWire.Term t : KlaviyoWire.filter(filter, FILTER_EXAMPLE)) {
                if (!t.op().equals("equals")) {
                    throw KlaviyoWire.badFilter(t.field() + " takes equals", FILTER_EXAMPLE);
                }
                switch (t.field()) {
                    case "profile.id" -> profileId = t.value();
                    case "platform" -> platform = t.value();
                    case "enablement_status" -> status = t.value();
                    case "id" -> id = t.value();
                    default -> throw KlaviyoWire.badFilter("unsupported field `" + t.field()
                            + "`; use id, profile.id, platform or enablement_status", FILTER_EXAMPLE);
                }
            }
            int n = Paging.size(size, PAGE_DEFAULT, PAGE_MAX);
            String after = Paging.cursor(cursor, raw -> Cursors.open(raw).filter(v -> v.startsWith(CURSOR_PREFIX))
                    .map(v -> v.substring(CURSOR_PREFIX.length())));
            PushTokens.Page page = tokens.page(caller.companyId(), new PushTokens.Filter(profileId, platform, status,
                    id), n, after);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode data = doc.putArray("data");
            String base = KlaviyoWire.base(ui);
            for (PushToken t : page.items()) data.add(token(base, t, fields));
            KlaviyoWire.links(doc, ui, page.nextAfter() == null ? null : Cursors.seal(CURSOR_PREFIX + page.nextAfter()));
            return doc;
        }

        @GET
        @Path("/{id}{slash: /?}")
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @QueryParam("fields[push-token]") String fieldsRaw,
                              @QueryParam("include") String include) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = KlaviyoMetricsResource.fields(fieldsRaw, "fields[push-token]", FIELDS);
            noInclude(include);
            PushToken t = tokens.get(caller.companyId(), id);
            String base = KlaviyoWire.base(ui);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            doc.set("data", token(base, t, fields));
            doc.putObject("links").put("self", base + "api/push-tokens/" + t.id() + "/");
            return doc;
        }

        @DELETE
        @Path("/{id}{slash: /?}")
        public Response delete(@Auth Caller caller, @PathParam("id") String id) {
            KlaviyoProfilesResource.requireSecret(caller);
            tokens.delete(caller.companyId(), id);
            return Response.noContent().build();
        }
    }

    @Path("/api/profiles/{id}/push-tokens{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class ProfileTokens {
        private final PushTokens tokens;
        private final IdentityService identity;

        public ProfileTokens(PushTokens tokens, IdentityService identity) {
            this.tokens = tokens;
            this.identity = identity;
        }

        @GET
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @QueryParam("fields[push-token]") String fieldsRaw) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = KlaviyoMetricsResource.fields(fieldsRaw, "fields[push-token]", FIELDS);
            Profile p = identity.get(caller.companyId(), id);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode data = doc.putArray("data");
            String base = KlaviyoWire.base(ui);
            for (PushToken t : tokens.ofProfile(caller.companyId(), p.id())) data.add(token(base, t, fields));
            doc.putObject("links").put("self", ui.getRequestUri().toString());
            return doc;
        }
    }
}
