package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.api.klaviyo.ProfileRequest;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.identity.IdentifierKind;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.ProfileRef;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * The other Klaviyo server profile operations: {@code POST /api/profile-import} (upsert: 201 created /
 * 200 updated / 409 when identifiers span profiles), {@code POST /api/profile-merge} (explicit merge,
 * 201) and {@code POST /api/data-privacy-deletion-jobs} (202; done before the answer is sent).
 * Each is its own root resource so no {@code /api} prefix shadows another dialect's {@code /api/…} paths.
 */
public final class KlaviyoProfileJobsResource {
    private KlaviyoProfileJobsResource() {}

    @Path("/api/profile-import")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Import {
        private final IdentityService identity;

        public Import(IdentityService identity) {
            this.identity = identity;
        }

        @POST
        public Response upsert(@Auth Caller caller, @Context ContainerRequestContext rc, @Context UriInfo ui,
                               @QueryParam("fields[profile]") String fields, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            KlaviyoRevision rev = KlaviyoRevision.of(rc);
            var sparse = io.switchboard.api.klaviyo.KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "profile");
            String id = KlaviyoJson.string(data, "id", "/data/id");
            ProfileRequest req = KlaviyoProfilesResource.read(data, rev, true);
            WriteContext ctx = new WriteContext(caller.credentialLabel(), KlaviyoProfilesResource.SOURCE);
            long companyId = caller.companyId();
            IdentityService.Upserted r = KlaviyoProfilesResource.atKlaviyoPointers(
                    () -> identity.importUpsert(companyId, ctx, id, req.identifiers(), req.write()));
            return Response.status(r.created() ? 201 : 200)
                    .entity(KlaviyoProfilesResource.mapper(ui).document(r.profile(), sparse)).build();
        }
    }

    @Path("/api/profile-merge")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Merge {
        private final IdentityService identity;

        public Merge(IdentityService identity) {
            this.identity = identity;
        }

        @POST
        public Response merge(@Auth Caller caller, @Context UriInfo ui, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "profile-merge");
            String destination = KlaviyoJson.string(data, "id", "/data/id");
            if (destination == null || destination.isBlank()) {
                throw ApiException.invalid("/data/id", "`data.id` (the destination profile, which survives) is required.");
            }
            ObjectNode rel = KlaviyoJson.requiredObject(data, "relationships", "/data/relationships");
            ObjectNode profiles = KlaviyoJson.requiredObject(rel, "profiles", "/data/relationships/profiles");
            JsonNode list = profiles.get("data");
            String p = "/data/relationships/profiles/data";
            if (list == null || !list.isArray() || list.size() != 1) {
                throw ApiException.invalid(p, "`relationships.profiles.data` must list exactly one source profile: "
                        + "[{\"type\": \"profile\", \"id\": \"…\"}].");
            }
            JsonNode src = list.get(0);
            if (!src.isObject() || !"profile".equals(src.path("type").asText(null))) {
                throw ApiException.invalid(p + "/0/type", "Each source must be {\"type\": \"profile\", \"id\": \"…\"}.");
            }
            String source = KlaviyoJson.string(src, "id", p + "/0/id");
            if (source == null || source.isBlank()) {
                throw ApiException.invalid(p + "/0/id", "The source profile's `id` is required.");
            }
            if (source.equals(destination)) {
                throw ApiException.invalid(p + "/0/id", "A profile cannot be merged into itself.");
            }
            WriteContext ctx = new WriteContext(caller.credentialLabel(), KlaviyoProfilesResource.SOURCE);
            identity.merge(caller.companyId(), ctx, destination, source);
            return Response.status(201).type(JsonApi.MEDIA_TYPE)
                    .entity(KlaviyoProfilesResource.mapper(ui).reference(destination)).build();
        }
    }

    @Path("/api/data-privacy-deletion-jobs")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Deletion {
        private final IdentityService identity;

        public Deletion(IdentityService identity) {
            this.identity = identity;
        }

        /**
         * Exactly one of {@code profile.data.id}, {@code .attributes.email}, {@code .attributes.phone_number}.
         * Deleting is synchronous; the answer is 202 whether or not a profile matched (no existence oracle).
         */
        @POST
        public Response delete(@Auth Caller caller, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "data-privacy-deletion-job");
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            ObjectNode profile = KlaviyoJson.requiredObject(attrs, "profile", "/data/attributes/profile");
            String base = "/data/attributes/profile/data";
            ObjectNode pd = KlaviyoJson.requiredObject(profile, "data", base);
            String type = KlaviyoJson.string(pd, "type", base + "/type");
            if (type != null && !type.equals("profile")) {
                throw ApiException.invalid(base + "/type", "`profile.data.type` must be `profile`.");
            }
            String id = KlaviyoJson.string(pd, "id", base + "/id");
            ObjectNode pa = KlaviyoJson.object(pd, "attributes", base + "/attributes");
            String email = KlaviyoJson.string(pa, "email", base + "/attributes/email");
            String phone = KlaviyoJson.string(pa, "phone_number", base + "/attributes/phone_number");
            int given = (id != null ? 1 : 0) + (email != null ? 1 : 0) + (phone != null ? 1 : 0);
            if (given != 1) {
                throw ApiException.invalid(base, "Give exactly one of `id`, `attributes.email` or "
                        + "`attributes.phone_number` to name the profile to delete (got " + given + ").");
            }
            if (email != null && Normalizer.email(email).isEmpty()) {
                throw ApiException.invalid(base + "/attributes/email", "`email` is not a valid email address.");
            }
            ProfileRef ref = id != null ? ProfileRef.byId(id)
                    : email != null ? ProfileRef.by(IdentifierKind.EMAIL, email)
                    : ProfileRef.by(IdentifierKind.PHONE_NUMBER, phone);
            // resolved and deleted in one unit of work (a merge meanwhile: the survivor is deleted)
            identity.delete(caller.companyId(), new WriteContext(caller.credentialLabel(), KlaviyoProfilesResource.SOURCE), ref);
            return Response.accepted().build();
        }
    }
}
