package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.audiences.Job;
import io.switchboard.core.audiences.SubscriptionService;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Klaviyo's bulk consent endpoints: {@code profile-subscription-bulk-create-jobs} / {@code -delete-jobs}
 * (202, no body) and {@code profile-suppression-bulk-create-jobs} / {@code -delete-jobs} (202 with the
 * job; GET one job or the list). Work is done before the answer (a 202 means committed); the suppression
 * job is recorded complete.
 */
public final class KlaviyoConsentResource {
    static final String SOURCE = "klaviyo_server";

    private KlaviyoConsentResource() {}

    @Path("/api/{kind: profile-subscription-bulk-create-jobs|profile-subscription-bulk-delete-jobs}{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Subscriptions {
        private final SubscriptionService consent;

        public Subscriptions(SubscriptionService consent) {
            this.consent = consent;
        }

        @POST
        public Response post(@Auth Caller caller, @PathParam("kind") String kind, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            boolean subscribe = kind.contains("create");
            String type = subscribe ? "profile-subscription-bulk-create-job" : "profile-subscription-bulk-delete-job";
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), type);
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            String customSource = subscribe ? KlaviyoJson.string(attrs, "custom_source", "/data/attributes/custom_source")
                    : null;
            JsonNode hist = attrs.get("historical_import");
            boolean historical = subscribe && hist != null && hist.asBoolean(false);
            if (hist != null && !hist.isNull() && !hist.isBoolean()) {
                throw ApiException.invalid("/data/attributes/historical_import", "`historical_import` must be a boolean.");
            }
            JsonNode items = profiles(attrs, SubscriptionService.MAX_PROFILES);
            List<SubscriptionService.ConsentItem> out = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                String p = "/data/attributes/profiles/data/" + i;
                JsonNode it = items.get(i);
                if (!it.isObject() || !"profile".equals(it.path("type").asText(null))) {
                    throw ApiException.invalid(p + "/type", "Each item must be {\"type\": \"profile\", \"attributes\": …}.");
                }
                ObjectNode a = KlaviyoJson.requiredObject(it, "attributes", p + "/attributes");
                String email = KlaviyoJson.string(a, "email", p + "/attributes/email");
                String phone = KlaviyoJson.string(a, "phone_number", p + "/attributes/phone_number");
                if ((email == null || email.isBlank()) && (phone == null || phone.isBlank())) {
                    throw ApiException.invalid(p + "/attributes", "Each profile needs an `email` or a `phone_number`.");
                }
                ObjectNode subs = KlaviyoJson.requiredObject(a, "subscriptions", p + "/attributes/subscriptions");
                List<IngestOp.ChannelConsent> consents = consents(subs, p + "/attributes/subscriptions", subscribe,
                        historical, email != null, phone != null);
                out.add(new SubscriptionService.ConsentItem(email, phone, consents));
            }
            String listId = listRelationship(data);
            consent.change(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), out, listId, subscribe, customSource);
            return Response.accepted().build();
        }

        private static List<IngestOp.ChannelConsent> consents(ObjectNode subs, String ptr, boolean subscribe,
                                                              boolean historical, boolean hasEmail, boolean hasPhone) {
            String want = subscribe ? "SUBSCRIBED" : "UNSUBSCRIBED";
            List<IngestOp.ChannelConsent> out = new ArrayList<>();
            var names = subs.fieldNames();
            while (names.hasNext()) {
                String wire = names.next();
                String channel = switch (wire) {
                    case "email" -> "email";
                    case "sms" -> "sms";
                    case "push" -> "push";
                    default -> throw ApiException.invalid(ptr + "/" + wire, "Channel `" + wire
                            + "` is not supported; use email, sms or push.");
                };
                if (channel.equals("email") && !hasEmail || channel.equals("sms") && !hasPhone) {
                    throw ApiException.invalid(ptr + "/" + wire, "`" + wire + "` consent needs the profile's "
                            + (channel.equals("email") ? "`email`." : "`phone_number`."));
                }
                ObjectNode ch = KlaviyoJson.requiredObject(subs, wire, ptr + "/" + wire);
                var purposes = ch.fieldNames();
                while (purposes.hasNext()) {
                    String purpose = purposes.next();
                    String pp = ptr + "/" + wire + "/" + purpose;
                    if (purpose.equals("open_tracking") || purpose.equals("tokens")) continue; // not kept (docs/audiences.md)
                    if (!purpose.equals("marketing") && !(purpose.equals("transactional") && channel.equals("sms"))) {
                        throw ApiException.invalid(pp, "`" + purpose + "` is not a consent of `" + wire + "`.");
                    }
                    ObjectNode c = KlaviyoJson.requiredObject(ch, purpose, pp);
                    String consent = KlaviyoJson.string(c, "consent", pp + "/consent");
                    if (consent == null || !consent.toUpperCase(Locale.ROOT).equals(want)) {
                        throw ApiException.invalid(pp + "/consent", "`consent` must be " + want + " on this endpoint.");
                    }
                    String at = subscribe ? KlaviyoJson.string(c, "consented_at", pp + "/consented_at") : null;
                    Instant when = null;
                    if (at != null) {
                        try {
                            when = java.time.OffsetDateTime.parse(at).toInstant();
                        } catch (java.time.format.DateTimeParseException e) {
                            throw ApiException.invalid(pp + "/consented_at", "`consented_at` must be an ISO 8601 "
                                    + "date-time with an offset.");
                        }
                        if (!historical) {
                            throw ApiException.invalid(pp + "/consented_at", "`consented_at` is only accepted with "
                                    + "`historical_import: true`.");
                        }
                    } else if (historical) {
                        throw ApiException.invalid(pp + "/consented_at", "`historical_import` needs `consented_at`.");
                    }
                    out.add(new IngestOp.ChannelConsent(channel, purpose, subscribe ? "subscribed" : "unsubscribed",
                            when != null ? when : Instant.now()));
                }
            }
            if (out.isEmpty()) throw ApiException.invalid(ptr, "`subscriptions` must name at least one channel consent.");
            return out;
        }
    }

    @Path("/api/{kind: profile-suppression-bulk-create-jobs|profile-suppression-bulk-delete-jobs}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Suppressions {
        private final SubscriptionService consent;

        public Suppressions(SubscriptionService consent) {
            this.consent = consent;
        }

        @POST
        public Response post(@Auth Caller caller, @Context UriInfo ui, @PathParam("kind") String kind, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            boolean suppress = kind.contains("create");
            Job.Kind k = suppress ? Job.Kind.SUPPRESSION_CREATE : Job.Kind.SUPPRESSION_DELETE;
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), k.type());
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            String listId = listRelationship(data);
            if (data.at("/relationships/segment/data").isObject()) {
                throw ApiException.invalid("/data/relationships/segment", "Suppressing a segment's members is not "
                        + "supported; name a list or the profiles.");
            }
            List<String> emails = new ArrayList<>();
            if (attrs.hasNonNull("profiles") || listId == null) {
                JsonNode items = profiles(attrs, SubscriptionService.MAX_SUPPRESSIONS);
                for (int i = 0; i < items.size(); i++) {
                    String p = "/data/attributes/profiles/data/" + i;
                    JsonNode it = items.get(i);
                    if (!it.isObject() || !"profile".equals(it.path("type").asText(null))) {
                        throw ApiException.invalid(p + "/type", "Each item must be {\"type\": \"profile\", …}.");
                    }
                    String email = KlaviyoJson.string(KlaviyoJson.requiredObject(it, "attributes", p + "/attributes"),
                            "email", p + "/attributes/email");
                    if (email == null || io.switchboard.core.identity.Normalizer.email(email).isEmpty()) {
                        throw ApiException.invalid(p + "/attributes/email", "`email` must be a valid email address.");
                    }
                    emails.add(email);
                }
            }
            Job job = consent.suppression(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), emails, listId, suppress);
            return Response.accepted(document(ui, kind, job)).type(JsonApi.MEDIA_TYPE).build();
        }

        @GET
        public ObjectNode list(@Auth Caller caller, @Context UriInfo ui, @PathParam("kind") String kind,
                               @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            Job.Kind k = kind.contains("create") ? Job.Kind.SUPPRESSION_CREATE : Job.Kind.SUPPRESSION_DELETE;
            String[] c = KlaviyoWire.cursor(cursor, 2);
            Instant afterAt;
            try {
                afterAt = c == null ? null : Instant.parse(c[0]);
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiException.invalidParameter("page[cursor]", "`page[cursor]` is not a cursor this endpoint issued.");
            }
            SubscriptionService.JobPage page = consent.jobs(caller.companyId(), k, c == null ? null : c[1], afterAt, 100);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode data = doc.putArray("data");
            for (Job j : page.items()) data.add(resource(ui, kind, j));
            KlaviyoWire.links(doc, ui, page.next() == null ? null
                    : KlaviyoWire.cursor(page.next().createdAt().toString(), page.next().id()));
            return doc;
        }

        @GET
        @Path("/{id}{slash: /?}")
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("kind") String kind,
                              @PathParam("id") String id) {
            KlaviyoProfilesResource.requireSecret(caller);
            Job.Kind k = kind.contains("create") ? Job.Kind.SUPPRESSION_CREATE : Job.Kind.SUPPRESSION_DELETE;
            return document(ui, kind, consent.job(caller.companyId(), k, id));
        }

        static ObjectNode document(UriInfo ui, String kind, Job j) {
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ObjectNode r = resource(ui, kind, j);
            doc.set("data", r);
            doc.putObject("links").put("self", r.at("/links/self").asText());
            return doc;
        }

        static ObjectNode resource(UriInfo ui, String kind, Job j) {
            String self = KlaviyoWire.base(ui) + "api/" + kind + "/" + j.id() + "/";
            ObjectNode o = KlaviyoWire.JSON.createObjectNode();
            o.put("type", j.kind().type()).put("id", j.id());
            ObjectNode a = o.putObject("attributes");
            a.put("status", j.status());
            a.put("created_at", KlaviyoWire.format(j.createdAt()));
            a.put("total_count", j.totalCount());
            a.put("completed_count", j.completedCount());
            a.put("completed_at", KlaviyoWire.format(j.completedAt()));
            a.put("skipped_count", j.skippedCount());
            ObjectNode lists = o.putObject("relationships").putObject("lists");
            KlaviyoWire.identifiers(lists, "data", "list", j.listIds());
            lists.putObject("links").put("self", self + "relationships/lists/").put("related", self + "lists/");
            o.putObject("links").put("self", self);
            return o;
        }
    }

    static JsonNode profiles(ObjectNode attrs, int max) {
        ObjectNode profiles = KlaviyoJson.requiredObject(attrs, "profiles", "/data/attributes/profiles");
        JsonNode items = profiles.get("data");
        String p = "/data/attributes/profiles/data";
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw ApiException.invalid(p, "`profiles.data` must be a non-empty list of profiles.");
        }
        if (items.size() > max) throw ApiException.invalid(p, "At most " + max + " profiles per job (got " + items.size() + ").");
        return items;
    }

    static String listRelationship(ObjectNode data) {
        JsonNode l = data.at("/relationships/list/data");
        if (l.isMissingNode() || l.isNull()) return null;
        String id = l.path("id").asText(null);
        if (!l.isObject() || !"list".equals(l.path("type").asText(null)) || id == null || id.isBlank()) {
            throw ApiException.invalid("/data/relationships/list/data", "`list.data` must be {\"type\": \"list\", \"id\": …}.");
        }
        return id;
    }

    /** Klaviyo's {@code subscriptions} attribute of a profile, from what the consent stores hold. */
    static ObjectNode subscriptions(SubscriptionService.ProfileConsent c) {
        ObjectNode s = KlaviyoWire.JSON.createObjectNode();
        ObjectNode em = s.putObject("email").putObject("marketing");
        SubscriptionService.ChannelState e = find(c, "email", "marketing");
        boolean suppressed = c.suppression() != null;
        em.put("can_receive_email_marketing", c.hasEmail() && !suppressed && !isUnsubscribed(e));
        state(em, e);
        ArrayNode sup = em.putArray("suppression");
        if (suppressed) {
            sup.addObject().put("reason", c.suppression().reason())
                    .put("timestamp", KlaviyoWire.format(c.suppression().at()));
        }
        em.putArray("list_suppressions");
        ObjectNode sms = s.putObject("sms");
        SubscriptionService.ChannelState sm = find(c, "sms", "marketing");
        ObjectNode smsM = sms.putObject("marketing");
        smsM.put("can_receive_sms_marketing", c.hasPhone() && !isUnsubscribed(sm));
        state(smsM, sm);
        SubscriptionService.ChannelState st = find(c, "sms", "transactional");
        ObjectNode smsT = sms.putObject("transactional");
        smsT.put("can_receive_sms_transactional", c.hasPhone() && !isUnsubscribed(st));
        state(smsT, st);
        SubscriptionService.ChannelState pm = find(c, "push", "marketing");
        ObjectNode push = s.putObject("mobile_push").putObject("marketing");
        push.put("can_receive_push_marketing", !isUnsubscribed(pm));
        push.put("consent", pm == null ? "NEVER_SUBSCRIBED" : pm.state().toUpperCase(Locale.ROOT));
        push.put("consent_timestamp", pm == null ? null : KlaviyoWire.format(pm.consentedAt()));
        return s;
    }

    private static void state(ObjectNode o, SubscriptionService.ChannelState r) {
        o.put("consent", r == null ? "NEVER_SUBSCRIBED" : r.state().toUpperCase(Locale.ROOT));
        o.put("consent_timestamp", r == null ? null : KlaviyoWire.format(r.consentedAt()));
        o.put("last_updated", r == null ? null : KlaviyoWire.format(r.updatedAt()));
        o.put("method", r == null ? null : r.method());
        o.put("method_detail", r == null || r.methodDetail() == null ? "" : r.methodDetail());
    }

    private static boolean isUnsubscribed(SubscriptionService.ChannelState r) {
        return r != null && r.state().equals("unsubscribed");
    }

    private static SubscriptionService.ChannelState find(SubscriptionService.ProfileConsent c, String channel, String purpose) {
        for (SubscriptionService.ChannelState r : c.subscriptions()) {
            if (r.channel().equals(channel) && r.purpose().equals(purpose)) return r;
        }
        return null;
    }

    /**
     * {@code additional-fields[profile]=subscriptions}: validates the parameter and, when asked, adds the
     * {@code subscriptions} attribute to each resource object (profiles and objects in the same order).
     */
    static boolean wantsSubscriptions(String raw) {
        java.util.Set<String> f = KlaviyoMetricsResource.fields(raw, "additional-fields[profile]",
                java.util.Set.of("subscriptions", "predictive_analytics"));
        return f != null && f.contains("subscriptions");
    }

    static void addSubscriptions(SubscriptionService consent, long companyId,
                                 List<io.switchboard.core.identity.Profile> profiles,
                                 List<io.switchboard.api.klaviyo.KlaviyoProfileDto> dtos) {
        java.util.Map<String, boolean[]> contacts = new java.util.LinkedHashMap<>();
        for (var p : profiles) contacts.put(p.id(), new boolean[] {p.email() != null, p.phoneNumber() != null});
        var all = consent.consents(companyId, contacts);
        for (var d : dtos) {
            var c = all.get(d.id);
            if (c != null) d.attributes.put("subscriptions", subscriptions(c));
        }
    }
}
