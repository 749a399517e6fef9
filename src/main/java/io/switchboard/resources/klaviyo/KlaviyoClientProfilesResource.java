package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.api.klaviyo.ProfileRequest;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.identity.ClientProfileWrite;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.resources.Async;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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

    public KlaviyoClientProfilesResource(IdentityService identity) {
        this.identity = identity;
    }

    /** 202 once committed (group commit; no Jetty thread waits for the commit meanwhile). */
    @POST
    public void create(@Auth Caller caller, byte[] body, @Suspended AsyncResponse response) {
        ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "profile");
        ObjectNode attributes = KlaviyoJson.object(data, "attributes", "/data/attributes");
        ObjectNode meta = KlaviyoJson.object(data, "meta", "/data/meta");
        ProfileRequest req = ProfileRequest.read(attributes, "/data/attributes", meta, "/data/meta",
                ProfileRequest.Identity.WITH_ANONYMOUS_ID);
        ObjectNode named = KlaviyoJson.object(meta, "identifiers", "/data/meta/identifiers");
        String p = "/data/meta/identifiers/";
        String namedId = named == null ? null : KlaviyoJson.string(named, "id", p + "id");
        Identifiers namedIds = named == null ? Identifiers.of(null, null, null, null) : Identifiers.of(
                KlaviyoJson.string(named, "external_id", p + "external_id"),
                KlaviyoJson.string(named, "email", p + "email"),
                KlaviyoJson.string(named, "phone_number", p + "phone_number"),
                KlaviyoJson.string(named, "anonymous_id", p + "anonymous_id"));
        if (named != null) KlaviyoJson.string(named, "_kx", p + "_kx");
        warnIfMalformed(caller, namedIds.email() != null ? namedIds.email() : req.identifiers().email(),
                namedIds.phoneNumber() != null ? namedIds.phoneNumber() : req.identifiers().phoneNumber());
        WriteContext ctx = new WriteContext(caller.credentialLabel(), "klaviyo_client");
        identity.clientUpsertAsync(caller.companyId(), ctx,
                        new ClientProfileWrite(req.identifiers(), req.write(), namedIds, namedId))
                .whenComplete((r, e) -> Async.resume(response, e, () -> Response.accepted().build()));
    }

    private static void warnIfMalformed(Caller caller, String email, String phone) {
        if (email != null && !Normalizer.isJunk(email, null) && Normalizer.email(email).isEmpty()) {
            LOG.warn("/client/profiles (company {}): ignoring an `email` that is not a valid address", caller.publicId());
        }
        if (phone != null && !Normalizer.isJunk(phone, null) && Normalizer.phone(phone, null).isEmpty()) {
            LOG.warn("/client/profiles (company {}): ignoring a `phone_number` that cannot be parsed", caller.publicId());
        }
    }
}
