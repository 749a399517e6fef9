package io.switchboard.resources.klaviyo.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.events.EventReads;
import io.switchboard.core.events.EventReads.Cursor;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.ProfileRef;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.db.EventDao.EventRow;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.api.Body;
import io.switchboard.resources.klaviyo.events.KlaviyoEventMapper.ProfileSpec;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import io.switchboard.resources.klaviyo.KlaviyoApi;
import io.switchboard.resources.klaviyo.KlaviyoRevision;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Klaviyo server events: {@code POST /api/events} (202), {@code GET /api/events} (filter on profile_id,
 * metric_id, datetime; sort; cursor paging; absolute links) and {@code GET /api/events/{id}}.
 */
@Path("/api")
@KlaviyoApi
@AuthDialect(Dialect.KLAVIYO_SERVER)
@RolesAllowed(Caller.ROLE_SECRET)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
@Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class KlaviyoServerEventsResource {
    public static final String SOURCE = "klaviyo_server";
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx")
            .withZone(ZoneOffset.UTC);
    private static final Pattern TERM = Pattern.compile("^([a-z-]+)\\(\\s*([a-z_]+)\\s*,\\s*(.+?)\\s*\\)$");

    private final IngestService ingest;
    private final KlaviyoEventMapper mapper;
    private final EventReads reads;
    private final IdentityService identity;

    public KlaviyoServerEventsResource(IngestService ingest, KlaviyoEventMapper mapper, EventReads reads,
                                       IdentityService identity) {
        this.ingest = ingest;
        this.mapper = mapper;
        this.reads = reads;
        this.identity = identity;
    }

    @POST
    @Path("/events{slash: /?}")
    public Response create(@Auth Caller caller, @Context ContainerRequestContext req, byte[] raw) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        JsonNode data = KlaviyoEventMapper.data(Body.parse(raw), "event");
        JsonNode attrs = data.get("attributes");
        ProfileSpec who = mapper.profile(caller.companyId(), attrs, "/data/attributes", true);
        IngestOp.Event e = KlaviyoEventMapper.event(attrs, "/data/attributes", Instant.now(), SOURCE, data);
        ingest.ingest(caller.companyId(), new WriteContext(caller.credentialLabel(), SOURCE), null, List.of(who.op(WriteMode.NORMAL, List.of(e))));
        return Response.accepted().header("revision", rev.header()).build();
    }

    @GET
    @Path("/events/{id: [0-9A-Za-z]+}{slash: /?}")
    public Response get(@Context UriInfo uri, @Auth Caller caller, @Context ContainerRequestContext req,
                        @PathParam("id") String id) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        EventRow row = reads.byId(caller.companyId(), id)
                .orElseThrow(() -> ApiException.notFound("No event with id `" + id + "`."));
        ObjectNode doc = Body.MAPPER.createObjectNode();
        doc.set("data", resource(uri, row));
        doc.putObject("links").put("self", base(uri) + "api/events/" + id + "/");
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).header("revision", rev.header()).build();
    }

    /** {@code GET /api/events/{id}/profile}: the event's profile (the {@code related} link of its relationship). */
    @GET
    @Path("/events/{id: [0-9A-Za-z]+}/profile{slash: /?}")
    public Response profile(@Context UriInfo uri, @Auth Caller caller, @Context ContainerRequestContext req,
                            @PathParam("id") String id, @QueryParam("fields[profile]") String fields) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        EventRow row = event(caller, id);
        var mapper = new io.switchboard.api.klaviyo.KlaviyoProfileMapper(uri.getBaseUri());
        var sparse = io.switchboard.api.klaviyo.KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
        return Response.ok(mapper.document(identity.get(caller.companyId(), row.profileId()), sparse))
                .type(JsonApi.MEDIA_TYPE).header("revision", rev.header()).build();
    }

    /** {@code GET /api/events/{id}/metric}: the event's metric. */
    @GET
    @Path("/events/{id: [0-9A-Za-z]+}/metric{slash: /?}")
    public Response metric(@Context UriInfo uri, @Auth Caller caller, @Context ContainerRequestContext req,
                           @PathParam("id") String id) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        EventRow row = event(caller, id);
        String name = row.metricId() == null ? null : reads.metricName(caller.companyId(), row.metricId()).orElse(null);
        if (name == null) throw ApiException.notFound("Event `" + id + "` has no metric.");
        ObjectNode doc = Body.MAPPER.createObjectNode();
        ObjectNode data = doc.putObject("data").put("type", "metric").put("id", row.metricId());
        data.putObject("attributes").put("name", name);
        data.putObject("links").put("self", base(uri) + "api/events/" + id + "/metric/");
        doc.putObject("links").put("self", base(uri) + "api/events/" + id + "/metric/");
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).header("revision", rev.header()).build();
    }

    /** {@code GET /api/events/{id}/relationships/profile|metric}: the relationship's resource identifier. */
    @GET
    @Path("/events/{id: [0-9A-Za-z]+}/relationships/{rel: profile|metric}{slash: /?}")
    public Response relationship(@Context UriInfo uri, @Auth Caller caller, @Context ContainerRequestContext req,
                                 @PathParam("id") String id, @PathParam("rel") String rel) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        EventRow row = event(caller, id);
        String target = rel.equals("profile") ? row.profileId() : row.metricId();
        ObjectNode doc = Body.MAPPER.createObjectNode();
        if (target == null) doc.putNull("data");
        else doc.putObject("data").put("type", rel).put("id", target);
        doc.putObject("links").put("self", base(uri) + "api/events/" + id + "/relationships/" + rel + "/")
                .put("related", base(uri) + "api/events/" + id + "/" + rel + "/");
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).header("revision", rev.header()).build();
    }

    private EventRow event(Caller caller, String id) {
        return reads.byId(caller.companyId(), id)
                .orElseThrow(() -> ApiException.notFound("No event with id `" + id + "`."));
    }

    @GET
    @Path("/events{slash: /?}")
    public Response list(@Context UriInfo uri, @Auth Caller caller, @Context ContainerRequestContext req,
                         @QueryParam("filter") String filter, @QueryParam("sort") String sort,
                         @QueryParam("page[size]") String pageSize, @QueryParam("page[cursor]") String cursor,
                         @QueryParam("fields[event]") String fields) {
        KlaviyoRevision rev = KlaviyoRevision.of(req);
        long companyId = caller.companyId();
        int size = io.switchboard.resources.Paging.size(pageSize, 200, 1000);
        boolean desc = false;
        if (sort != null && !sort.isBlank()) {
            switch (sort.trim()) {
                case "datetime", "timestamp" -> desc = false;
                case "-datetime", "-timestamp" -> desc = true;
                default -> throw ApiException.invalidParameter("sort",
                        "`sort` must be one of datetime, -datetime, timestamp, -timestamp.");
            }
        }
        Cursor after = null;
        boolean backwards = false;
        if (cursor != null && !cursor.isBlank()) {
            String c = cursor.trim();
            backwards = c.startsWith(BEFORE);
            after = io.switchboard.resources.Paging.cursor(backwards ? c.substring(BEFORE.length()) : c, Cursor::decode);
            if (after == null) throw io.switchboard.resources.Paging.badCursor();
        }
        java.util.Set<String> only = sparseFields(fields);
        Filter f = parseFilter(companyId, filter);
        // a "prev" cursor reads the rows before its position in the opposite order, then restores the page order
        List<EventRow> rows = f.empty ? List.of() : reads.list(companyId, new EventReads.Query(f.profileId, f.name,
                f.from, f.to, backwards != desc, size, after, EventReads.ACTIVITY, true));
        boolean more = rows.size() > size;
        if (more) rows = rows.subList(0, size);
        if (backwards) {
            rows = new ArrayList<>(rows);
            java.util.Collections.reverse(rows);
        }
        ObjectNode doc = Body.MAPPER.createObjectNode();
        ArrayNode data = doc.putArray("data");
        rows.forEach(r -> data.add(sparse(resource(uri, r), only)));
        ObjectNode links = doc.putObject("links");
        links.put("self", uri.getRequestUri().toString());
        boolean hasNext = backwards ? !rows.isEmpty() : more;
        boolean hasPrev = backwards ? more : after != null && !rows.isEmpty();
        if (hasNext) {
            EventRow last = rows.get(rows.size() - 1);
            links.put("next", uri.getRequestUriBuilder().replaceQueryParam("page[cursor]",
                    new Cursor(last.occurredAt(), last.id()).encode()).build().toString());
        }
        if (hasPrev) {
            EventRow first = rows.get(0);
            links.put("prev", uri.getRequestUriBuilder().replaceQueryParam("page[cursor]",
                    BEFORE + new Cursor(first.occurredAt(), first.id()).encode()).build().toString());
        }
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).header("revision", rev.header()).build();
    }

    /** Marks a {@code prev} cursor (not a base64url character, so never the start of a {@code next} cursor). */
    private static final String BEFORE = "b.";
    private static final List<String> EVENT_FIELDS = List.of("timestamp", "event_properties", "datetime", "uuid");

    /** {@code fields[event]=a,b}: the attributes to return (JSON:API sparse fieldset); null = all. */
    private static java.util.Set<String> sparseFields(String fields) {
        if (fields == null) return null;
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String f : fields.split(",")) {
            String name = f.trim();
            if (name.isEmpty()) continue;
            if (!EVENT_FIELDS.contains(name)) {
                throw ApiException.invalidParameter("fields[event]", "`fields[event]` may name " + String.join(", ",
                        EVENT_FIELDS) + "; got `" + name + "`.");
            }
            out.add(name);
        }
        return out;
    }

    private static ObjectNode sparse(ObjectNode resource, java.util.Set<String> only) {
        if (only == null) return resource;
        ((ObjectNode) resource.get("attributes")).retain(only);
        return resource;
    }

    private static String base(UriInfo uri) {
        String b = uri.getBaseUri().toString();
        return b.endsWith("/") ? b : b + "/";
    }

    private static ObjectNode resource(UriInfo uri, EventRow r) {
        String base = base(uri);
        ObjectNode o = Body.MAPPER.createObjectNode();
        o.put("type", "event");
        o.put("id", r.id());
        ObjectNode a = o.putObject("attributes");
        a.put("timestamp", r.occurredAt().getEpochSecond());
        ObjectNode props;
        try {
            JsonNode p = Body.MAPPER.readTree(r.properties());
            props = p instanceof ObjectNode on ? on : Body.MAPPER.createObjectNode();
        } catch (Exception e) {
            props = Body.MAPPER.createObjectNode();
        }
        if (r.value() != null) props.put("$value", r.value());
        if (r.valueCurrency() != null) props.put("$value_currency", r.valueCurrency());
        if (r.dedupKey() != null && r.source().startsWith("klaviyo")) props.put("$event_id", r.dedupKey());
        a.set("event_properties", props);
        a.put("datetime", DATETIME.format(r.occurredAt()));
        a.put("uuid", r.id());
        ObjectNode rel = o.putObject("relationships");
        ObjectNode profile = rel.putObject("profile");
        profile.putObject("data").put("type", "profile").put("id", r.profileId());
        profile.putObject("links").put("self", base + "api/events/" + r.id() + "/relationships/profile/")
                .put("related", base + "api/events/" + r.id() + "/profile/");
        ObjectNode metric = rel.putObject("metric");
        if (r.metricId() != null) metric.putObject("data").put("type", "metric").put("id", r.metricId());
        else metric.putNull("data");
        metric.putObject("links").put("self", base + "api/events/" + r.id() + "/relationships/metric/")
                .put("related", base + "api/events/" + r.id() + "/metric/");
        o.putObject("links").put("self", base + "api/events/" + r.id() + "/");
        return o;
    }

    private static final class Filter {
        String profileId;
        String name;
        Instant from;
        Instant to;
        boolean empty;
    }

    private Filter parseFilter(long companyId, String filter) {
        Filter f = new Filter();
        if (filter == null || filter.isBlank()) return f;
        for (String term : terms(filter.trim())) {
            Matcher m = TERM.matcher(term);
            if (!m.matches()) throw badFilter("cannot read `" + term + "`");
            String op = m.group(1);
            String field = m.group(2);
            String value = unquote(m.group(3));
            switch (field) {
                case "profile_id" -> {
                    if (!op.equals("equals")) throw badFilter("profile_id supports only equals");
                    // a merged profile's id stands for its survivor (resolved in core)
                    String live = identity.liveId(companyId, ProfileRef.byId(value)).orElse(null);
                    if (live == null) f.empty = true;
                    f.profileId = live == null ? value : live;
                }
                case "metric_id" -> {
                    if (!op.equals("equals")) throw badFilter("metric_id supports only equals");
                    String name = reads.metricName(companyId, value).orElse(null);
                    if (name == null) f.empty = true;
                    f.name = name;
                }
                case "datetime", "timestamp" -> {
                    Instant t = (field.equals("timestamp") ? io.switchboard.core.Times.epochSeconds(value)
                            : io.switchboard.core.Times.parse(value.replace(" ", "+"))).orElse(null); // years 1-9999
                    if (t == null) throw badFilter("`" + value + "` is not a valid " + field);
                    switch (op) {
                        case "greater-than" -> f.from = max(f.from, t.plusNanos(1000));
                        case "greater-or-equal" -> f.from = max(f.from, t);
                        case "less-than" -> f.to = min(f.to, t);
                        case "less-or-equal" -> f.to = min(f.to, t.plusNanos(1000));
                        default -> throw badFilter(field + " supports greater-than, greater-or-equal, less-than, less-or-equal");
                    }
                }
                default -> throw badFilter("unsupported field `" + field + "`; use profile_id, metric_id or datetime");
            }
        }
        return f;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static ApiException badFilter(String why) {
        return ApiException.invalidParameter("filter", "Invalid `filter`: " + why + ". Example: "
                + "and(equals(profile_id,\"01H…\"),greater-than(datetime,2024-01-01T00:00:00Z)).");
    }

    private static String unquote(String v) {
        String s = v.trim();
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** Top-level terms: {@code and(a,b)} and comma-separated lists are both conjunctions. */
    static List<String> terms(String s) {
        List<String> out = new ArrayList<>();
        for (String part : splitTop(s)) {
            String p = part.trim();
            if (p.startsWith("and(") && p.endsWith(")")) out.addAll(terms(p.substring(4, p.length() - 1)));
            else out.add(p);
        }
        return out;
    }

    private static List<String> splitTop(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
