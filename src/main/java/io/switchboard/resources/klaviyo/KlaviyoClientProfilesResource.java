package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.api.klaviyo.ProfileRequest;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.GroupCommit;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /client/profiles?company_id=…} (seed 004): the browser / mobile endpoint, authenticated by
 * the public company id only. Resolves identifiers under the client rules ({@link WriteMode#CLIENT}:
 * never replaces an existing external_id, email or phone; an invalid email or phone is dropped with a
 * warning, not rejected) and answers 202 with an empty body.
 *
 * <p>{@code data.meta.identifiers} ({@code id}, {@code email}, {@code phone_number}, {@code external_id},
 * {@code anonymous_id}, {@code _kx}) names the profile to update: per kind, its value is used for
 * resolution in preference to the attribute's; {@code id} adds the identifiers of that profile (or of the
 * profile it was merged into). {@code _kx} is accepted and ignored (an encrypted Klaviyo cookie value).
 */
@Path("/client/profiles")
@AuthDialect(Dialect.KLAVIYO_CLIENT)
@KlaviyoApi
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
@Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class KlaviyoClientProfilesResource {
    private static final Logger LOG = LoggerFactory.getLogger(KlaviyoClientProfilesResource.class);

    private final IdentityService identity;
    private final GroupCommit groupCommit;

    public KlaviyoClientProfilesResource(IdentityService identity) {
        this(identity, null);
    }

    /** With group commit: concurrent requests share transactions and commits (each answered after its commit). */
    public KlaviyoClientProfilesResource(IdentityService identity, GroupCommit groupCommit) {
        this.identity = identity;
        this.groupCommit = groupCommit;
    }

    @POST
    public void create(@Auth Caller caller, byte[] body, @jakarta.ws.rs.container.Suspended
            jakarta.ws.rs.container.AsyncResponse response) {
        ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "profile");
        ObjectNode attributes = KlaviyoJson.object(data, "attributes", "/data/attributes");
        ObjectNode meta = KlaviyoJson.object(data, "meta", "/data/meta");
        ProfileRequest req = ProfileRequest.read(attributes, "/data/attributes", meta, "/data/meta",
                ProfileRequest.Identity.WITH_ANONYMOUS_ID);
        Identifiers ids = withMetaIdentifiers(caller.companyId(), req.identifiers(),
                KlaviyoJson.object(meta, "identifiers", "/data/meta/identifiers"));
        warnIfMalformed(caller, ids);
        WriteContext ctx = new WriteContext(caller, "klaviyo_client");
        // 202 once committed; no Jetty thread waits for the commit meanwhile
        GroupCommit.submit(groupCommit, identity.tx(), 1,
                        h -> identity.resolve(h, caller.companyId(), ids, req.write(), WriteMode.CLIENT, ctx))
                .whenComplete((r, e) -> io.switchboard.resources.Async.resume(response, e,
                        () -> Response.accepted().build()));
    }

    private Identifiers withMetaIdentifiers(long companyId, Identifiers attrs, ObjectNode meta) {
        if (meta == null) return attrs;
        String p = "/data/meta/identifiers/";
        String id = KlaviyoJson.string(meta, "id", p + "id");
        String email = KlaviyoJson.string(meta, "email", p + "email");
        String phone = KlaviyoJson.string(meta, "phone_number", p + "phone_number");
        String external = KlaviyoJson.string(meta, "external_id", p + "external_id");
        String anonymous = KlaviyoJson.string(meta, "anonymous_id", p + "anonymous_id");
        KlaviyoJson.string(meta, "_kx", p + "_kx");
        Profile named = id == null ? null : live(companyId, id.trim()).orElse(null);
        List<String> anon = new ArrayList<>();
        if (anonymous != null) anon.add(anonymous);
        anon.addAll(attrs.anonymousIds());
        if (named != null && named.externalId() == null && named.email() == null && named.phoneNumber() == null
                && !named.anonymousIds().isEmpty()) {
            anon.add(0, named.anonymousIds().get(0));
        }
        return new Identifiers(
                first(external, named == null ? null : named.externalId(), attrs.externalId()),
                first(email, named == null ? null : named.email(), attrs.email()),
                first(phone, named == null ? null : named.phoneNumber(), attrs.phoneNumber()),
                anon);
    }

    /** The live profile with this id, following a merge tombstone to its survivor. */
    private Optional<Profile> live(long companyId, String id) {
        Optional<Profile> p = identity.find(companyId, id);
        if (p.isPresent() && p.get().isTombstone()) p = identity.find(companyId, p.get().mergedInto());
        return p.filter(x -> !x.isTombstone());
    }

    private static String first(String... values) {
        for (String v : values) if (v != null) return v;
        return null;
    }

    private static void warnIfMalformed(Caller caller, Identifiers ids) {
        if (ids.email() != null && !Normalizer.isJunk(ids.email(), null) && Normalizer.email(ids.email()).isEmpty()) {
            LOG.warn("/client/profiles (company {}): ignoring an `email` that is not a valid address", caller.publicId());
        }
        if (ids.phoneNumber() != null && !Normalizer.isJunk(ids.phoneNumber(), null)
                && Normalizer.phone(ids.phoneNumber(), null).isEmpty()) {
            LOG.warn("/client/profiles (company {}): ignoring a `phone_number` that cannot be parsed", caller.publicId());
        }
    }
}
