package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.api.klaviyo.KlaviyoProfileDto;
import io.switchboard.api.klaviyo.KlaviyoProfileMapper;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.audiences.Segment;
import io.switchboard.core.audiences.SegmentDefinition;
import io.switchboard.core.audiences.SegmentService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Profile;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Klaviyo's segments: {@code /api/segments} CRUD with Klaviyo's {@code definition}, members
 * ({@code /profiles}, {@code /relationships/profiles}) and a profile's segments. Supported conditions:
 * profile-property (string / numeric / boolean / existence filters), profile-metric (count or sum,
 * numeric comparison, in-the-last / at-least / between-static / all-time), profile-group-membership
 * (lists and segments) and profile-marketing-consent (email, sms). Anything else is a 400 naming it.
 */
public final class KlaviyoSegmentsResource {
    private KlaviyoSegmentsResource() {}

    static final int MAX_GROUPS = 20;
    static final int MAX_CONDITIONS = 20;
    private static final String D = "/data/attributes/definition";

    /** Parses a definition (a 400 with a pointer inside {@code /data/attributes/definition} when unsupported). */
    public static SegmentDefinition parse(JsonNode def) {
        if (def == null || !def.isObject()) throw ApiException.invalid(D, "`definition` must be an object.");
        JsonNode groups = def.get("condition_groups");
        if (groups == null || !groups.isArray() || groups.isEmpty()) {
            throw ApiException.invalid(D + "/condition_groups", "`condition_groups` must be a non-empty list.");
        }
        if (groups.size() > MAX_GROUPS) throw ApiException.invalid(D + "/condition_groups", "At most " + MAX_GROUPS + " groups.");
        List<SegmentDefinition.Group> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            String gp = D + "/condition_groups/" + g + "/conditions";
            JsonNode cs = groups.get(g).get("conditions");
            if (cs == null || !cs.isArray() || cs.isEmpty()) throw ApiException.invalid(gp, "`conditions` must be a non-empty list.");
            if (cs.size() > MAX_CONDITIONS) throw ApiException.invalid(gp, "At most " + MAX_CONDITIONS + " conditions per group.");
            List<SegmentDefinition.Condition> conditions = new ArrayList<>();
            for (int c = 0; c < cs.size(); c++) conditions.add(condition(cs.get(c), gp + "/" + c));
            out.add(new SegmentDefinition.Group(conditions));
        }
        return new SegmentDefinition(out);
    }

    /** Reads a stored definition again (it was validated when written). */
    public static SegmentDefinition parseStored(String text) {
        try {
            return parse(KlaviyoWire.JSON.readTree(text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored segment definition is not JSON", e);
        }
    }

    private static String text(JsonNode n, String field, String p) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw ApiException.invalid(p + "/" + field, "`" + field + "` is required (a string).");
        return v.asText();
    }

    private static SegmentDefinition.Condition condition(JsonNode c, String p) {
        if (!c.isObject()) throw ApiException.invalid(p, "Each condition must be an object.");
        String type = text(c, "type", p);
        switch (type) {
            case "profile-property" -> {
                String property = text(c, "property", p);
                JsonNode f = c.get("filter");
                if (f == null || !f.isObject()) throw ApiException.invalid(p + "/filter", "`filter` is required.");
                String kind = text(f, "type", p + "/filter");
                String op = text(f, "operator", p + "/filter");
                JsonNode v = f.get("value");
                switch (kind) {
                    case "string" -> {
                        if (!Set.of("equals", "not-equals", "contains", "not-contains", "starts-with", "not-starts-with",
                                "ends-with", "not-ends-with").contains(op)) {
                            throw ApiException.invalid(p + "/filter/operator", "Unsupported string operator `" + op + "`.");
                        }
                        if (v == null || !(v.isTextual() || v.isNull())) {
                            throw ApiException.invalid(p + "/filter/value", "`value` must be a string.");
                        }
                        return new SegmentDefinition.Property(property, kind, op, v.isNull() ? null : v.asText());
                    }
                    case "numeric" -> {
                        numericOperator(op, p + "/filter/operator");
                        if (v == null || !v.isNumber()) throw ApiException.invalid(p + "/filter/value", "`value` must be a number.");
                        return new SegmentDefinition.Property(property, kind, op, v.decimalValue());
                    }
                    case "boolean" -> {
                        if (v == null || !v.isBoolean()) throw ApiException.invalid(p + "/filter/value", "`value` must be a boolean.");
                        return new SegmentDefinition.Property(property, kind, op, v.asBoolean());
                    }
                    case "existence" -> {
                        if (!op.equals("is-set") && !op.equals("not-set")) {
                            throw ApiException.invalid(p + "/filter/operator", "`operator` must be is-set or not-set.");
                        }
                        return new SegmentDefinition.Property(property, kind, op, null);
                    }
                    default -> throw ApiException.invalid(p + "/filter/type", "Filter type `" + kind + "` is not supported; "
                            + "use string, numeric, boolean or existence.");
                }
            }
            case "profile-metric" -> {
                String metricId = text(c, "metric_id", p);
                String measurement = text(c, "measurement", p);
                if (!measurement.equals("count") && !measurement.equals("sum")) {
                    throw ApiException.invalid(p + "/measurement", "`measurement` must be count or sum.");
                }
                JsonNode mf = c.get("measurement_filter");
                if (mf == null || !mf.isObject()) throw ApiException.invalid(p + "/measurement_filter", "`measurement_filter` is required.");
                String op = text(mf, "operator", p + "/measurement_filter");
                numericOperator(op, p + "/measurement_filter/operator");
                JsonNode v = mf.get("value");
                if (v == null || !v.isNumber()) throw ApiException.invalid(p + "/measurement_filter/value", "`value` must be a number.");
                if (c.hasNonNull("metric_filters") && !c.get("metric_filters").isEmpty()) {
                    throw ApiException.invalid(p + "/metric_filters", "`metric_filters` are not supported.");
                }
                return new SegmentDefinition.Metric(metricId, measurement.equals("sum"), op, v.decimalValue(),
                        window(c.get("timeframe_filter"), p + "/timeframe_filter"));
            }
            case "profile-group-membership" -> {
                JsonNode m = c.get("is_member");
                if (m == null || !m.isBoolean()) throw ApiException.invalid(p + "/is_member", "`is_member` is required (a boolean).");
                JsonNode ids = c.get("group_ids");
                if (ids == null || !ids.isArray() || ids.isEmpty()) {
                    throw ApiException.invalid(p + "/group_ids", "`group_ids` must be a non-empty list of list or segment ids.");
                }
                List<String> out = new ArrayList<>();
                ids.forEach(x -> out.add(x.asText()));
                if (c.hasNonNull("timeframe_filter")) {
                    throw ApiException.invalid(p + "/timeframe_filter", "A membership `timeframe_filter` is not supported.");
                }
                return new SegmentDefinition.Membership(m.asBoolean(), out);
            }
            case "profile-marketing-consent" -> {
                JsonNode k = c.get("consent");
                if (k == null || !k.isObject()) throw ApiException.invalid(p + "/consent", "`consent` is required.");
                String channel = text(k, "channel", p + "/consent");
                if (!channel.equals("email") && !channel.equals("sms")) {
                    throw ApiException.invalid(p + "/consent/channel", "`channel` must be email or sms.");
                }
                JsonNode can = k.get("can_receive_marketing");
                if (can == null || !can.isBoolean()) {
                    throw ApiException.invalid(p + "/consent/can_receive_marketing", "`can_receive_marketing` is required.");
                }
                String state = k.at("/consent_status/subscription").asText("any");
                if (k.at("/consent_status/filters").isArray() && !k.at("/consent_status/filters").isEmpty()) {
                    throw ApiException.invalid(p + "/consent/consent_status/filters", "Consent `filters` are not supported.");
                }
                return new SegmentDefinition.Consent(channel, can.asBoolean(), switch (state) {
                    case "any" -> null;
                    case "subscribed", "unsubscribed", "never_subscribed" -> state;
                    default -> throw ApiException.invalid(p + "/consent/consent_status/subscription",
                            "`subscription` must be any, subscribed, unsubscribed or never_subscribed.");
                });
            }
            default -> throw ApiException.invalid(p + "/type", "Condition type `" + type + "` is not supported; use "
                    + "profile-property, profile-metric, profile-group-membership or profile-marketing-consent.");
        }
    }

    private static void numericOperator(String op, String p) {
        if (!Set.of("equals", "not-equals", "greater-than", "greater-than-or-equal", "less-than", "less-than-or-equal")
                .contains(op)) {
            throw ApiException.invalid(p, "Unsupported numeric operator `" + op + "`.");
        }
    }

    private static SegmentDefinition.Window window(JsonNode f, String p) {
        if (f == null || !f.isObject()) throw ApiException.invalid(p, "`timeframe_filter` is required.");
        String op = text(f, "operator", p);
        switch (op) {
            case "alltime" -> {
                return SegmentDefinition.Window.ALL_TIME;
            }
            case "in-the-last", "at-least" -> {
                JsonNode q = f.get("quantity");
                if (q == null || !q.canConvertToInt() || q.asInt() < 1 || q.asInt() > 3650) {
                    throw ApiException.invalid(p + "/quantity", "`quantity` must be an integer from 1 to 3650.");
                }
                Duration d = switch (text(f, "unit", p)) {
                    case "hour" -> Duration.ofHours(q.asInt());
                    case "day" -> Duration.ofDays(q.asInt());
                    case "week" -> Duration.ofDays(7L * q.asInt());
                    default -> throw ApiException.invalid(p + "/unit", "`unit` must be hour, day or week.");
                };
                return op.equals("in-the-last") ? new SegmentDefinition.Window(d, null, null, null)
                        : new SegmentDefinition.Window(null, d, null, null);
            }
            case "between-static" -> {
                Instant start = instant(text(f, "start", p), p + "/start");
                Instant end = instant(text(f, "end", p), p + "/end");
                if (!start.isBefore(end)) throw ApiException.invalid(p + "/end", "`end` must be after `start`.");
                return new SegmentDefinition.Window(null, null, start, end);
            }
            default -> throw ApiException.invalid(p + "/operator", "Timeframe `" + op + "` is not supported; use "
                    + "in-the-last, at-least, between-static or alltime.");
        }
    }

    private static Instant instant(String v, String p) {
        try {
            return io.switchboard.core.Times.bounded(java.time.OffsetDateTime.parse(v).toInstant())
                    .orElseThrow(() -> new java.time.format.DateTimeParseException("out of range", v, 0));
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.invalid(p, "`" + v + "` is not an ISO 8601 date-time with an offset.");
        }
    }

    static ObjectNode segment(String base, Segment s) {
        ObjectNode o = KlaviyoWire.JSON.createObjectNode();
        o.put("type", "segment").put("id", s.id());
        ObjectNode a = o.putObject("attributes");
        a.put("name", s.name());
        try {
            a.set("definition", KlaviyoWire.JSON.readTree(s.definition()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        a.put("created", KlaviyoWire.format(s.created()));
        a.put("updated", KlaviyoWire.format(s.updated()));
        a.put("is_active", true);
        a.put("is_processing", s.processing());
        a.put("is_starred", s.starred());
        if (s.profileCount() != null) a.put("profile_count", s.profileCount());
        ObjectNode profiles = o.putObject("relationships").putObject("profiles");
        profiles.putObject("links").put("self", base + "api/segments/" + s.id() + "/relationships/profiles/")
                .put("related", base + "api/segments/" + s.id() + "/profiles/");
        o.putObject("links").put("self", base + "api/segments/" + s.id() + "/");
        return o;
    }

    @Path("/api/segments")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Segments {
        private final SegmentService segments;
        private final IdentityService identity;

        public Segments(SegmentService segments, IdentityService identity) {
            this.segments = segments;
            this.identity = identity;
        }

        @POST
        public Response create(@Auth Caller caller, @Context UriInfo ui, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "segment");
            ObjectNode a = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            String name = KlaviyoListsResource.name(a, true);
            JsonNode def = a.get("definition");
            SegmentDefinition parsed = parse(def);
            JsonNode star = a.get("is_starred");
            Segment s = segments.create(caller.companyId(), name, def.toString(), parsed, star != null && star.asBoolean(false));
            return Response.status(201).type(JsonApi.MEDIA_TYPE).entity(document(ui, s)).build();
        }

        @GET
        public ObjectNode page(@Auth Caller caller, @Context UriInfo ui, @QueryParam("page[cursor]") String cursor,
                               @QueryParam("page[size]") String size) {
            KlaviyoProfilesResource.requireSecret(caller);
            String[] c = KlaviyoWire.cursor(cursor, 1);
            SegmentService.Page page = segments.page(caller.companyId(), c == null ? null : c[0],
                    KlaviyoWire.pageSize(size, 10, 10));
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode arr = doc.putArray("data");
            for (Segment s : page.items()) arr.add(segment(KlaviyoWire.base(ui), s));
            KlaviyoWire.links(doc, ui, page.nextAfter() == null ? null : KlaviyoWire.cursor(page.nextAfter()));
            return doc;
        }

        @GET
        @Path("/{id}{slash: /?}")
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @QueryParam("additional-fields[segment]") String more) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> m = KlaviyoMetricsResource.fields(more, "additional-fields[segment]", Set.of("profile_count"));
            return document(ui, segments.get(caller.companyId(), id, m != null));
        }

        @PATCH
        @Path("/{id}{slash: /?}")
        public ObjectNode update(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "segment");
            String dataId = KlaviyoJson.string(data, "id", "/data/id");
            if (dataId == null) throw ApiException.invalid("/data/id", "`data.id` is required and must equal the segment id.");
            if (!dataId.equals(id)) {
                throw new ApiException(ErrorKind.CONFLICT, "`data.id` does not match the segment id in the path.",
                        "/data/id", null, null);
            }
            ObjectNode a = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            String name = KlaviyoListsResource.name(a, false);
            JsonNode def = a.get("definition");
            SegmentDefinition parsed = def == null || def.isNull() ? null : parse(def);
            JsonNode star = a.get("is_starred");
            if (star != null && !star.isNull() && !star.isBoolean()) {
                throw ApiException.invalid("/data/attributes/is_starred", "`is_starred` must be a boolean.");
            }
            if (a.has("is_active") && !a.get("is_active").asBoolean(true)) {
                throw ApiException.invalid("/data/attributes/is_active", "Deactivating a segment is not supported.");
            }
            Segment s = segments.update(caller.companyId(), id, name, star == null || star.isNull() ? null : star.asBoolean(),
                    parsed == null ? null : def.toString(), parsed);
            return document(ui, s);
        }

        @DELETE
        @Path("/{id}{slash: /?}")
        public Response delete(@Auth Caller caller, @PathParam("id") String id) {
            KlaviyoProfilesResource.requireSecret(caller);
            segments.delete(caller.companyId(), id);
            return Response.noContent().build();
        }

        @GET
        @Path("/{id}/relationships/profiles{slash: /?}")
        public ObjectNode memberIds(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                                    @QueryParam("page[size]") String size, @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            String[] c = KlaviyoWire.cursor(cursor, 1);
            SegmentService.MemberPage page = segments.members(caller.companyId(), id, c == null ? null : c[0],
                    KlaviyoWire.pageSize(size, 20, 100));
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            KlaviyoWire.identifiers(doc, "data", "profile", page.profileIds());
            KlaviyoWire.links(doc, ui, page.nextAfter() == null ? null : KlaviyoWire.cursor(page.nextAfter()));
            return doc;
        }

        @GET
        @Path("/{id}/profiles{slash: /?}")
        public JSONAPIDocument<List<KlaviyoProfileDto>> members(@Auth Caller caller, @Context UriInfo ui,
                                                                @PathParam("id") String id,
                                                                @QueryParam("page[size]") String size,
                                                                @QueryParam("page[cursor]") String cursor,
                                                                @QueryParam("fields[profile]") String fields) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
            String[] c = KlaviyoWire.cursor(cursor, 1);
            SegmentService.MemberPage page = segments.members(caller.companyId(), id, c == null ? null : c[0],
                    KlaviyoWire.pageSize(size, 20, 100));
            List<Profile> profiles = new ArrayList<>();
            java.util.Map<String, Instant> joined = new java.util.HashMap<>();
            for (int i = 0; i < page.profileIds().size(); i++) {
                identity.find(caller.companyId(), page.profileIds().get(i)).ifPresent(profiles::add);
                joined.put(page.profileIds().get(i), page.joinedAt().get(i));
            }
            String next = page.nextAfter() == null ? null : jakarta.ws.rs.core.UriBuilder.fromUri(ui.getRequestUri())
                    .replaceQueryParam("page[cursor]", KlaviyoWire.cursor(page.nextAfter())).build().toString();
            JSONAPIDocument<List<KlaviyoProfileDto>> doc = KlaviyoProfilesResource.mapper(ui).collection(profiles, sparse,
                    ui.getRequestUri().toString(), next, null);
            for (KlaviyoProfileDto d : doc.get()) {
                d.attributes.put("joined_group_at", new com.fasterxml.jackson.databind.node.TextNode(
                        KlaviyoWire.format(joined.get(d.id))));
            }
            return doc;
        }

        private static ObjectNode document(UriInfo ui, Segment s) {
            String base = KlaviyoWire.base(ui);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            doc.set("data", segment(base, s));
            doc.putObject("links").put("self", base + "api/segments/" + s.id() + "/");
            return doc;
        }
    }

    @Path("/api/profiles/{id}/{rel: segments|relationships/segments}{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class ProfileSegments {
        private final SegmentService segments;
        private final IdentityService identity;

        public ProfileSegments(SegmentService segments, IdentityService identity) {
            this.segments = segments;
            this.identity = identity;
        }

        @GET
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @PathParam("rel") String rel) {
            KlaviyoProfilesResource.requireSecret(caller);
            Profile p = identity.get(caller.companyId(), id);
            List<Segment> of = segments.segmentsOf(caller.companyId(), p.id());
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            if (rel.equals("segments")) {
                ArrayNode arr = doc.putArray("data");
                for (Segment s : of) arr.add(segment(KlaviyoWire.base(ui), s));
            } else {
                KlaviyoWire.identifiers(doc, "data", "segment", of.stream().map(Segment::id).toList());
            }
            doc.putObject("links").put("self", ui.getRequestUri().toString());
            return doc;
        }
    }
}
