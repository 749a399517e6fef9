package io.switchboard.resources.klaviyo.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.api.Body;
import io.switchboard.api.Body.Loc;
import io.switchboard.resources.klaviyo.events.KlaviyoEventMapper.ProfileSpec;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.container.ContainerRequestContext;
import io.switchboard.resources.klaviyo.KlaviyoApi;
import io.switchboard.resources.klaviyo.KlaviyoRevision;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Klaviyo client (browser/mobile) endpoints for events, consent, push tokens and back-in-stock:
 * {@code ?company_id=} only; every success is 202 with an empty body. Writes use the client identity
 * rules (WriteMode.CLIENT: never replace an existing external_id, email or phone).
 */
@Path("/client")
@KlaviyoApi
@AuthDialect(Dialect.KLAVIYO_CLIENT)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
@Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class KlaviyoClientEventsResource {
    public static final String SOURCE = "klaviyo_client";
    public static final int MAX_BULK = 1000;
    private static final Set<String> CHANNELS = Set.of("EMAIL", "PUSH", "SMS", "WHATSAPP");

    private final IngestService ingest;
    private final KlaviyoEventMapper mapper;

    public KlaviyoClientEventsResource(IngestService ingest, KlaviyoEventMapper mapper) {
        this.ingest = ingest;
        this.mapper = mapper;
    }

    @POST
    @Path("/events{slash: /?}")
    public void event(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "event");
        JsonNode attrs = data.get("attributes");
        ProfileSpec who = mapper.profile(caller.companyId(), attrs, "/data/attributes", false);
        IngestOp.Event e = KlaviyoEventMapper.event(attrs, "/data/attributes", Instant.now(), SOURCE, data);
        run(response, caller, rev, List.of(who.op(WriteMode.CLIENT, List.of(e))));
    }

    @POST
    @Path("/event-bulk-create{slash: /?}")
    public void bulk(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "event-bulk-create");
        JsonNode attrs = data.get("attributes");
        ProfileSpec who = mapper.profile(caller.companyId(), attrs, "/data/attributes", false);
        JsonNode events = attrs.at("/events/data");
        if (!events.isArray()) {
            throw ApiException.invalid("/data/attributes/events/data", "`events.data` is required and must be an array of events.");
        }
        if (events.isEmpty() || events.size() > MAX_BULK) {
            throw ApiException.invalid("/data/attributes/events/data", "`events.data` must hold 1 to " + MAX_BULK
                    + " events; got " + events.size() + ".");
        }
        Instant now = Instant.now();
        Set<String> uniqueIds = new HashSet<>();
        List<IngestOp.Effect> effects = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String ptr = "/data/attributes/events/data/" + i;
            JsonNode ev = events.get(i);
            if (!ev.isObject()) throw ApiException.invalid(ptr, "Each event must be an object.");
            JsonNode t = ev.get("type");
            if (t != null && !t.isNull() && !"event".equals(t.asText())) {
                throw ApiException.invalid(ptr + "/type", "Each event's `type` must be \"event\".");
            }
            JsonNode a = ev.get("attributes");
            if (a == null || !a.isObject()) {
                throw ApiException.invalid(ptr + "/attributes", "`attributes` is required and must be an object.");
            }
            IngestOp.Event e = KlaviyoEventMapper.event(a, ptr + "/attributes", now, SOURCE, ev);
            if (e.dedupKey() != null && !uniqueIds.add(e.dedupKey())) {
                throw ApiException.invalid(ptr + "/attributes/unique_id", "`unique_id` \"" + e.dedupKey()
                        + "\" appears more than once in this request; each event needs its own.");
            }
            effects.add(e);
        }
        run(response, caller, rev, List.of(who.op(WriteMode.CLIENT, effects)));
    }

    @POST
    @Path("/subscriptions{slash: /?}")
    public void subscribe(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "subscription");
        JsonNode attrs = data.get("attributes");
        String listId;
        ProfileSpec who;
        ObjectNode subs = null;
        if (attrs.has("profile")) {
            who = mapper.profile(caller.companyId(), attrs, "/data/attributes", false);
            JsonNode l = data.at("/relationships/list/data/id");
            listId = l.isTextual() ? l.asText() : null;
            JsonNode s = attrs.at("/profile/data/attributes/subscriptions");
            if (s.isObject()) subs = (ObjectNode) s;
            else if (!s.isMissingNode() && !s.isNull()) {
                throw ApiException.invalid("/data/attributes/profile/data/attributes/subscriptions",
                        "`subscriptions` must be an object.");
            }
        } else {
            // 2023-02-22: flat attributes {list_id, email, phone_number, properties}
            listId = Body.text(attrs, "list_id", new Loc("list_id", "/data/attributes/list_id"));
            String email = Body.text(attrs, "email", new Loc("email", "/data/attributes/email"));
            String phone = Body.text(attrs, "phone_number", new Loc("phone_number", "/data/attributes/phone_number"));
            Identifiers ids = Identifiers.of(null, email, phone, null);
            if (ids.isEmpty()) {
                throw ApiException.invalid("/data/attributes/profile", "`profile` is required.");
            }
            who = new ProfileSpec(ids, io.switchboard.core.identity.ProfileWrite.NONE);
        }
        if (listId == null || listId.isBlank()) {
            throw ApiException.invalid("/data/relationships/list/data/id",
                    "`relationships.list.data.id` (the list to subscribe to) is required.");
        }
        List<IngestOp.ChannelConsent> consents = consents(subs, who.ids(), "/data/attributes/profile/data/attributes/subscriptions");
        String customSource = Body.text(attrs, "custom_source", new Loc("custom_source", "/data/attributes/custom_source"));
        IngestOp.Consent c = new IngestOp.Consent(consents, listId.trim(), customSource, SOURCE);
        run(response, caller, rev, List.of(who.op(WriteMode.CLIENT, List.of(c))));
    }

    /** Explicit per-channel consent, or (when absent) email marketing / sms marketing for the identifiers sent. */
    private static List<IngestOp.ChannelConsent> consents(ObjectNode subs, Identifiers ids, String ptr) {
        List<IngestOp.ChannelConsent> out = new ArrayList<>();
        if (subs == null) {
            if (ids.email() != null) out.add(new IngestOp.ChannelConsent("email", "marketing", "subscribed", Instant.now()));
            if (ids.phoneNumber() != null) out.add(new IngestOp.ChannelConsent("sms", "marketing", "subscribed", Instant.now()));
            return out;
        }
        for (String channel : List.of("email", "sms", "push")) {
            JsonNode ch = subs.get(channel);
            if (ch == null || ch.isNull()) continue;
            if (!ch.isObject()) throw ApiException.invalid(ptr + "/" + channel, "`" + channel + "` must be an object.");
            for (String purpose : List.of("marketing", "transactional")) {
                JsonNode pu = ch.get(purpose);
                if (pu == null || pu.isNull()) continue;
                String pp = ptr + "/" + channel + "/" + purpose;
                if (!pu.isObject()) throw ApiException.invalid(pp, "`" + purpose + "` must be an object.");
                String consent = Body.text(pu, "consent", new Loc("consent", pp + "/consent"));
                if (consent == null) throw ApiException.invalid(pp + "/consent", "`consent` is required (SUBSCRIBED or UNSUBSCRIBED).");
                String state = switch (consent.toUpperCase(Locale.ROOT)) {
                    case "SUBSCRIBED" -> "subscribed";
                    case "UNSUBSCRIBED" -> "unsubscribed";
                    default -> throw ApiException.invalid(pp + "/consent", "`consent` must be SUBSCRIBED or UNSUBSCRIBED; got \"" + consent + "\".");
                };
                Instant at = KlaviyoEventMapper.time(pu, "consented_at", new Loc("consented_at", pp + "/consented_at"));
                out.add(new IngestOp.ChannelConsent(channel, purpose, state, at != null ? at : Instant.now()));
            }
        }
        return out;
    }

    @POST
    @Path("/push-tokens{slash: /?}")
    public void pushToken(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "push-token");
        JsonNode a = data.get("attributes");
        IngestOp.Device d = KlaviyoEventMapper.pushToken(a, "/data/attributes", SOURCE);
        ProfileSpec who = mapper.profile(caller.companyId(), a, "/data/attributes", false);
        run(response, caller, rev, List.of(who.op(WriteMode.CLIENT, List.of(d))));
    }

    @POST
    @Path("/push-token-unregister{slash: /?}")
    public void unregister(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "push-token-unregister");
        JsonNode a = data.get("attributes");
        String p = "/data/attributes";
        String token = Body.requiredText(a, "token", new Loc("token", p + "/token"));
        KlaviyoEventMapper.oneOf(a, "platform", p, true, "android", "ios");
        KlaviyoEventMapper.oneOf(a, "vendor", p, false, "apns", "fcm");
        ProfileSpec who = mapper.profile(caller.companyId(), a, p, false);
        run(response, caller, rev, List.of(who.op(WriteMode.CLIENT, List.of(new IngestOp.UnregisterToken(token.trim())))));
    }

    @POST
    @Path("/back-in-stock-subscriptions{slash: /?}")
    public void backInStock(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "back-in-stock-subscription");
        JsonNode a = data.get("attributes");
        String p = "/data/attributes";
        JsonNode channels = a.get("channels");
        if (channels == null || !channels.isArray() || channels.isEmpty()) {
            throw ApiException.invalid(p + "/channels", "`channels` is required: a non-empty array of EMAIL, PUSH, SMS, WHATSAPP.");
        }
        List<String> ch = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            JsonNode c = channels.get(i);
            if (!c.isTextual() || !CHANNELS.contains(c.asText())) {
                throw ApiException.invalid(p + "/channels/" + i, "Each channel must be one of EMAIL, PUSH, SMS, WHATSAPP.");
            }
            if (!ch.contains(c.asText())) ch.add(c.asText());
        }
        JsonNode variant = data.at("/relationships/variant/data/id");
        if (!variant.isTextual() || variant.asText().isBlank()) {
            throw ApiException.invalid("/data/relationships/variant/data/id",
                    "`relationships.variant.data.id` (the catalog variant) is required.");
        }
        ProfileSpec who = mapper.profile(caller.companyId(), a, p, false);
        run(response, caller, rev, List.of(who.op(WriteMode.CLIENT, List.of(new IngestOp.BackInStock(variant.asText(), ch)))));
    }

    /** One transaction for the request; 202 once it committed (the Jetty thread is not held meanwhile). */
    private void run(jakarta.ws.rs.container.AsyncResponse response, Caller caller, KlaviyoRevision rev,
                     List<IngestOp> ops) {
        ingest.ingestAsync(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), null, ops, java.time.Instant.now())
                .whenComplete((r, e) -> io.switchboard.resources.Async.resume(response, e,
                        () -> Response.accepted().header("revision", rev.header()).build()));
    }
}
