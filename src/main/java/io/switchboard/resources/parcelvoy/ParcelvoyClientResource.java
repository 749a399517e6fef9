package io.switchboard.resources.parcelvoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestOp.IdempotencyKey;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.resources.Async;
import io.switchboard.api.Body;
import io.switchboard.api.Body.Loc;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parcelvoy's client API (seeds 000/001, parcelvoy.md): {@code /api/client/{alias,identify,devices,events}}.
 * 204 after commit; 422 {@code {"status":"error","error":…}} naming the field. Thin: validate, map to
 * {@link IngestOp}s, hand them to {@link IngestService} as one transaction.
 */
@Path("/api/client")
@AuthDialect(Dialect.PARCELVOY)
@Consumes(MediaType.APPLICATION_JSON)
public class ParcelvoyClientResource {
    public static final String SOURCE = "parcelvoy";
    public static final String SCOPE_MESSAGE = "pv_message";
    public static final int MAX_EVENTS = 1000;
    private static final Set<String> IDENTIFY_FIELDS = Set.of("anonymous_id", "external_id", "email", "phone",
            "timezone", "locale", "data", "message_id");
    private static final Set<String> USER_FIELDS = Set.of("email", "phone", "timezone", "locale", "data");

    private final IngestService ingest;

    public ParcelvoyClientResource(IngestService ingest) {
        this.ingest = ingest;
    }

    @POST
    @Path("/alias")
    public void alias(@Auth Caller caller, @HeaderParam("Idempotency-Key") String key, byte[] raw,
                      @Suspended AsyncResponse response) {
        JsonNode body = object(Body.parse(raw));
        String anon = Body.requiredText(body, "anonymous_id", Loc.slash("anonymous_id"));
        String ext = Body.requiredText(body, "external_id", Loc.slash("external_id"));
        IngestOp op = new IngestOp(null, messageKey(body, ""), new IngestOp.Alias(anon, ext), List.of());
        run(response, caller, key, raw, List.of(op));
    }

    @POST
    @Path("/identify")
    public void identify(@Auth Caller caller, @HeaderParam("Idempotency-Key") String key, byte[] raw,
                      @Suspended AsyncResponse response) {
        JsonNode body = object(Body.parse(raw));
        Body.onlyFields(body, IDENTIFY_FIELDS, "identify", Loc::slash);
        Identifiers ids = ids(body, "", true);
        ProfileWrite write = traits(body, "");
        IngestOp op = new IngestOp(null, messageKey(body, ""), new IngestOp.Resolve(ids, write, WriteMode.NORMAL),
                List.of());
        run(response, caller, key, raw, List.of(op));
    }

    @POST
    @Path("/devices")
    public void devices(@Auth Caller caller, @HeaderParam("Idempotency-Key") String key, byte[] raw,
                      @Suspended AsyncResponse response) {
        JsonNode body = object(Body.parse(raw));
        Identifiers ids = ids(body, "", false);
        String deviceId = Body.requiredText(body, "device_id", Loc.slash("device_id"));
        if (deviceId.isBlank()) throw Body.invalid(Loc.slash("device_id"), "`device_id` must not be empty.");
        String token = Body.text(body, "token", Loc.slash("token"));
        if (token != null && token.isBlank()) token = null;
        IngestOp.Device device = new IngestOp.Device(deviceId.trim(), token, null, null,
                Body.text(body, "os", Loc.slash("os")), Body.text(body, "os_version", Loc.slash("os_version")),
                Body.text(body, "model", Loc.slash("model")), Body.text(body, "app_build", Loc.slash("app_build")),
                Body.text(body, "app_version", Loc.slash("app_version")), null, null, true, null, SOURCE);
        IngestOp op = new IngestOp(null, messageKey(body, ""),
                new IngestOp.Resolve(ids, ProfileWrite.NONE, WriteMode.NORMAL), List.of(device));
        run(response, caller, key, raw, List.of(op));
    }

    @POST
    @Path("/events")
    public void events(@Auth Caller caller, @HeaderParam("Idempotency-Key") String key, byte[] raw,
                      @Suspended AsyncResponse response) {
        JsonNode body = Body.parse(raw);
        if (!body.isArray()) {
            throw ApiException.invalid("", "The body must be an array of events (at least one).");
        }
        if (body.isEmpty()) {
            throw ApiException.invalid("", "The events array is empty; send at least one event (item 0 is missing).");
        }
        if (body.size() > MAX_EVENTS) {
            throw ApiException.invalid("", "At most " + MAX_EVENTS + " events per request; got " + body.size() + ".");
        }
        Instant now = Instant.now();
        List<IngestOp> ops = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            JsonNode item = body.get(i);
            String p = i + "/";
            if (!item.isObject()) {
                throw Body.invalid(Loc.slash(String.valueOf(i)), "The value of `" + i + "` must be an object.");
            }
            ops.add(eventOp(item, p, "name", String.valueOf(i), now));
        }
        run(response, caller, key, raw, ops);
    }

    /**
     * Parcelvoy's JS SDK {@code track()}: one event, {@code {event, anonymous_id?, external_id?, data?}}
     * (its {@code properties} sent as {@code data}) — the same mapping as one item of {@code /events},
     * with the name in {@code event}.
     */
    @POST
    @Path("/track")
    public void track(@Auth Caller caller, @HeaderParam("Idempotency-Key") String key, byte[] raw,
                      @Suspended AsyncResponse response) {
        JsonNode body = object(Body.parse(raw));
        run(response, caller, key, raw, List.of(eventOp(body, "", "event", null, Instant.now())));
    }

    /** One event object → its op; {@code p} prefixes field names in errors ({@code 3/} or empty). */
    private static IngestOp eventOp(JsonNode item, String p, String nameField, String where, Instant now) {
        Identifiers ids = ids(item, p, false);
        String name = Body.text(item, nameField, Loc.slash(p + nameField));
        if ("event".equals(nameField) && (name == null || name.isBlank())) {
            throw Body.invalid(Loc.slash(p + nameField), "`event` is required: the name of the event.");
        }
        ObjectNode data = Body.properties(item, "data", Loc.slash(p + "data"));
        ObjectNode user = Body.object(item, "user", Loc.slash(p + "user"));
        ProfileWrite write = ProfileWrite.NONE;
        if (user != null) {
            Body.onlyFields(user, USER_FIELDS, "`" + p + "user`", f -> Loc.slash(p + "user/" + f));
            Identifiers userIds = ids(user, p + "user/", false, true);
            ids = new Identifiers(ids.externalId(), userIds.email(), userIds.phoneNumber(), ids.anonymousIds());
            write = traits(user, p + "user/");
        }
        IngestOp.Event event = new IngestOp.Event("track", name, data, null, null, now, SOURCE,
                Body.text(item, "message_id", Loc.slash(p + "message_id")), item, false).at("/" + p + "data");
        return new IngestOp(where, messageKey(item, p),
                new IngestOp.Resolve(ids, write, WriteMode.NORMAL), List.of(event));
    }

    // ------------------------------------------------------------------ mapping

    /** One transaction for the request; 204 once it committed (the Jetty thread is not held meanwhile). */
    private void run(AsyncResponse response, Caller caller, String key, byte[] raw, List<IngestOp> ops) {
        IngestService.RequestKey rk = null;
        if (key != null && !key.isBlank()) {
            if (key.length() > 255) {
                throw ApiException.invalidParameter("Idempotency-Key", "The Idempotency-Key header is longer than 255 characters.");
            }
            rk = new IngestService.RequestKey(key.trim(), Body.sha256(raw));
        }
        ingest.ingestAsync(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), rk, ops, Instant.now())
                .whenComplete((r, e) -> Async.resume(response, e, () -> Response.noContent().build()));
    }

    private static JsonNode object(JsonNode body) {
        if (!body.isObject()) throw ApiException.invalid("", "The body must be a JSON object.");
        return body;
    }

    private static IdempotencyKey messageKey(JsonNode obj, String p) {
        String id = Body.text(obj, "message_id", Loc.slash(p + "message_id"));
        return id == null || id.isBlank() ? null : new IdempotencyKey(SCOPE_MESSAGE, id.trim());
    }

    private static Identifiers ids(JsonNode obj, String p, boolean withContact) {
        return ids(obj, p, withContact, false);
    }

    /** external_id / anonymous_id (one required unless {@code contactOnly}), email and phone. */
    private static Identifiers ids(JsonNode obj, String p, boolean withContact, boolean contactOnly) {
        String email = null;
        String phone = null;
        if (withContact || contactOnly) {
            email = Body.text(obj, "email", Loc.slash(p + "email"));
            phone = Body.text(obj, "phone", Loc.slash(p + "phone"));
        }
        if (contactOnly) return new Identifiers(null, email, phone, List.of());
        String ext = Body.id(obj, "external_id", Loc.slash(p + "external_id"));
        String anon = Body.id(obj, "anonymous_id", Loc.slash(p + "anonymous_id"));
        if (ext == null && anon == null) {
            String where = p.isEmpty() ? "" : "Item " + p.substring(0, p.length() - 1) + ": ";
            throw ApiException.invalid("/" + p + "external_id",
                    where + "either `" + p + "external_id` or `" + p + "anonymous_id` is required.");
        }
        return Identifiers.of(ext, email, phone, anon);
    }

    /** timezone (IANA, validated), locale, data → the standard attributes and custom properties. */
    private static ProfileWrite traits(JsonNode obj, String p) {
        ProfileWrite.Builder b = ProfileWrite.builder();
        if (obj.has("timezone")) {
            String tz = Body.text(obj, "timezone", Loc.slash(p + "timezone"));
            if (tz != null && !ZoneId.getAvailableZoneIds().contains(tz)) {
                throw Body.invalid(Loc.slash(p + "timezone"), "The value of `" + p + "timezone` must be an IANA time "
                        + "zone such as America/Chicago; got \"" + tz + "\".");
            }
            b.attribute("location.timezone", obj.get("timezone"));
        }
        if (obj.has("locale")) {
            Body.text(obj, "locale", Loc.slash(p + "locale"));
            b.attribute("locale", obj.get("locale"));
        }
        ObjectNode data = Body.properties(obj, "data", Loc.slash(p + "data"));
        if (data != null) {
            b.propertiesPointer("/" + p + "data");
            for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
                var e = it.next();
                b.property(e.getKey(), e.getValue());
            }
        }
        return b.build();
    }
}
