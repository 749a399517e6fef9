package io.switchboard.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.CompanyDto;
import io.switchboard.api.admin.KeyDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Authenticators;
import io.switchboard.auth.Caller;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin API for companies and keys (tenancy.md). */
@Path("/admin/companies")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminCompaniesResource {
    private final TenancyService tenancy;
    private final Authenticators authenticators;

    private final java.util.function.LongFunction<String> ownerInvitation;

    public AdminCompaniesResource(TenancyService tenancy, Authenticators authenticators) {
        this(tenancy, authenticators, null);
    }

    /** {@code ownerInvitation}: the portal's one-time first-owner link for a new company (docs/portal.md). */
    public AdminCompaniesResource(TenancyService tenancy, Authenticators authenticators,
                                  java.util.function.LongFunction<String> ownerInvitation) {
        this.tenancy = tenancy;
        this.authenticators = authenticators;
        this.ownerInvitation = ownerInvitation;
    }

    @POST
    public Response create(@Auth Caller caller, JSONAPIDocument<CompanyDto> doc) {
        if (!caller.isAdmin()) {
            throw ApiException.forbidden("Creating a company needs the bootstrap admin token.");
        }
        CompanyDto in = requireData(doc);
        TenancyService.CreatedCompany created = tenancy.createCompany(in.name);
        JSONAPIDocument<CompanyDto> out = new JSONAPIDocument<>(CompanyDto.of(created.company()));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("public_key", created.publicKey().plaintext());
        meta.put("secret_key", created.secretKey().plaintext());
        if (ownerInvitation != null) {
            meta.put("owner_invitation_url", ownerInvitation.apply(created.company().id()));
        }
        meta.put("note", "Keys are shown once. Store them now; only their hashes are kept.");
        out.setMeta(meta);
        return Response.status(201).entity(out).build();
    }

    @GET
    @Path("/{id}")
    public JSONAPIDocument<CompanyDto> get(@Auth Caller caller, @PathParam("id") String id) {
        return new JSONAPIDocument<>(CompanyDto.of(AdminAccess.company(tenancy, caller, id)));
    }

    /**
     * Settings: default phone region, CORS origins, identifier block list, rate-limit overrides.
     * {@code data.attributes.settings} is a JSON merge patch (RFC 7396): keys left out keep their values,
     * {@code null} removes a key (back to its default), {@code rate_limits} merges class by class.
     */
    @PATCH
    @Path("/{id}")
    public JSONAPIDocument<CompanyDto> patch(@Auth Caller caller, @PathParam("id") String id, JsonNode doc) {
        Company c = AdminAccess.company(tenancy, caller, id);
        JsonNode data = doc == null ? null : doc.get("data");
        if (data == null || !data.isObject()) {
            throw ApiException.invalid("/data", "The request needs a JSON:API document with `data`.");
        }
        if (!"company".equals(data.path("type").asText(null))) {
            throw new ApiException(ErrorKind.CONFLICT, "`data.type` must be \"company\".", "/data/type", null, null);
        }
        if (data.has("id") && !id.equals(data.get("id").asText(null))) {
            throw new ApiException(ErrorKind.CONFLICT, "`data.id` must equal the company id in the path.", "/data/id",
                    null, null);
        }
        JsonNode attributes = data.path("attributes");
        if (!attributes.isMissingNode() && !attributes.isObject()) {
            throw ApiException.invalid("/data/attributes", "`data.attributes` must be an object.");
        }
        Company updated = attributes.has("settings")
                ? tenancy.patchSettings(c.id(), attributes.get("settings"), "/data/attributes/settings") : c;
        authenticators.invalidate();
        return new JSONAPIDocument<>(CompanyDto.of(updated));
    }

    @POST
    @Path("/{id}/keys")
    public Response createKey(@Auth Caller caller, @PathParam("id") String id, JSONAPIDocument<KeyDto> doc) {
        Company c = AdminAccess.company(tenancy, caller, id);
        KeyDto in = requireData(doc);
        TenancyService.MintedKey k = tenancy.mintKey(c.id(), in.kind, in.name);
        return Response.status(201).entity(new JSONAPIDocument<>(KeyDto.of(k.key(), k.plaintext()))).build();
    }

    @GET
    @Path("/{id}/keys")
    public JSONAPIDocument<List<KeyDto>> keys(@Auth Caller caller, @PathParam("id") String id) {
        Company c = AdminAccess.company(tenancy, caller, id);
        return new JSONAPIDocument<>(tenancy.keys(c.id()).stream().map(k -> KeyDto.of(k, null)).toList());
    }

    @DELETE
    @Path("/{id}/keys/{keyId}")
    public Response revoke(@Auth Caller caller, @PathParam("id") String id, @PathParam("keyId") String keyId) {
        Company c = AdminAccess.company(tenancy, caller, id);
        if (!io.switchboard.db.Ids.plausible(keyId) || !tenancy.revokeKey(c.id(), keyId)) {
            throw ApiException.notFound("No key " + keyId + ".");
        }
        authenticators.invalidate();
        return Response.noContent().build();
    }

    private static <T> T requireData(JSONAPIDocument<T> doc) {
        if (doc == null || doc.get() == null) {
            throw ApiException.invalid("/data", "The request needs a JSON:API document with `data`.");
        }
        return doc.get();
    }
}
