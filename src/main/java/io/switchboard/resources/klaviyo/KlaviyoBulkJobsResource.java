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
import io.switchboard.api.klaviyo.ProfileRequest;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.audiences.AudienceList;
import io.switchboard.core.audiences.BulkJobService;
import io.switchboard.core.audiences.Job;
import io.switchboard.core.audiences.ListService;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.resources.klaviyo.events.KlaviyoEventMapper;
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
import java.util.Set;

/**
 * Klaviyo's asynchronous bulk jobs: {@code POST /api/profile-bulk-import-jobs} (≤ 10,000 profiles, 5 MB;
 * 202 with the queued job), its status, lists, profiles and import-errors; {@code POST
 * /api/event-bulk-create-jobs} (≤ 1,000 profiles with their events; 202). The request checks the envelope;
 * each item is decoded by the background worker, a bad item becoming an import error (Klaviyo's behaviour).
 */
public final class KlaviyoBulkJobsResource {
    public static final int MAX_PROFILES = 10_000;
    public static final int MAX_EVENT_PROFILES = 1_000;
    static final String SOURCE = "klaviyo_server";

    private KlaviyoBulkJobsResource() {}

    /** Item decoder of profile-bulk-import-jobs: one profile resource object → an upsert (STRICT_UPSERT). */
    public static BulkJobService.ItemDecoder profileDecoder() {
        return (companyId, item) -> {
            JsonNode n = readItem(item);
            if (n.hasNonNull("id")) {
                throw ApiException.invalid("/id", "`id` is not used by bulk import: profiles are matched by "
                        + "email, phone_number or external_id.");
            }
            ObjectNode attrs = KlaviyoJson.requiredObject(n, "attributes", "/attributes");
            ObjectNode meta = KlaviyoJson.object(n, "meta", "/meta");
            ProfileRequest r = ProfileRequest.read(attrs, "/attributes", meta, "/meta",
                    ProfileRequest.Identity.WITHOUT_ANONYMOUS_ID);
            if (r.identifiers().isEmpty()) {
                throw ApiException.invalid("/attributes", "A profile needs an email, phone_number or external_id.");
            }
            return IngestOp.resolving(r.identifiers(), r.write(), WriteMode.STRICT_UPSERT, List.of());
        };
    }

    /** Item decoder of event-bulk-create-jobs: one profile with its events. */
    public static BulkJobService.ItemDecoder eventDecoder(KlaviyoEventMapper mapper) {
        return (companyId, item) -> {
            JsonNode n = readItem(item);
            ObjectNode attrs = KlaviyoJson.requiredObject(n, "attributes", "/attributes");
            KlaviyoEventMapper.ProfileSpec who = mapper.profile(companyId, attrs, "/attributes", true);
            JsonNode events = attrs.at("/events/data");
            if (!events.isArray() || events.isEmpty()) {
                throw ApiException.invalid("/attributes/events/data", "`events.data` must be a non-empty list.");
            }
            Instant now = Instant.now();
            List<IngestOp.Effect> effects = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                String p = "/attributes/events/data/" + i;
                JsonNode e = events.get(i);
                ObjectNode a = KlaviyoJson.requiredObject(e, "attributes", p + "/attributes");
                effects.add(KlaviyoEventMapper.event(a, p + "/attributes", now, SOURCE, e));
            }
            return IngestOp.resolving(who.ids(), who.write(), WriteMode.NORMAL, effects);
        };
    }

    private static JsonNode readItem(String item) {
        try {
            return KlaviyoWire.JSON.readTree(item);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job item is not JSON", e);
        }
    }

    /** The items array of a bulk body, size-checked; returned as JSON text for storage. */
    static JsonNode items(ObjectNode holder, String field, String pointer, int max, String itemType) {
        ObjectNode o = KlaviyoJson.requiredObject(holder, field, pointer);
        JsonNode data = o.get("data");
        if (data == null || !data.isArray() || data.isEmpty()) {
            throw ApiException.invalid(pointer + "/data", "`" + field + ".data` must be a non-empty list.");
        }
        if (data.size() > max) {
            throw ApiException.invalid(pointer + "/data", "At most " + max + " items per job (got " + data.size() + ").");
        }
        for (int i = 0; i < data.size(); i++) {
            JsonNode it = data.get(i);
            if (!it.isObject()) throw ApiException.invalid(pointer + "/data/" + i, "Each item must be an object.");
            JsonNode t = it.get("type");
            if (t == null || !itemType.equals(t.asText(null))) {
                throw new ApiException(ErrorKind.CONFLICT, "Each item's `type` must be `" + itemType + "`.",
                        pointer + "/data/" + i + "/type", null, null);
            }
        }
        return data;
    }

    @Path("/api/profile-bulk-import-jobs")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class ProfileImport {
        static final String TYPE = "profile-bulk-import-job";
        private final BulkJobService jobs;
        private final ListService lists;

        public ProfileImport(BulkJobService jobs, ListService lists) {
            this.jobs = jobs;
            this.lists = lists;
        }

        @POST
        public Response submit(@Auth Caller caller, @Context UriInfo ui, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), TYPE);
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            JsonNode items = items(attrs, "profiles", "/data/attributes/profiles", MAX_PROFILES, "profile");
            List<String> listIds = new ArrayList<>();
            JsonNode l = data.at("/relationships/lists/data");
            if (!l.isMissingNode() && !l.isNull()) {
                if (!l.isArray()) throw ApiException.invalid("/data/relationships/lists/data", "`lists.data` must be a list.");
                for (int i = 0; i < l.size(); i++) {
                    JsonNode x = l.get(i);
                    if (!"list".equals(x.path("type").asText(null)) || !x.path("id").isTextual()) {
                        throw ApiException.invalid("/data/relationships/lists/data/" + i,
                                "Each list must be {\"type\": \"list\", \"id\": …}.");
                    }
                    listIds.add(x.get("id").asText());
                }
            }
            Job job = jobs.submit(caller.companyId(), Job.Kind.PROFILE_IMPORT, items.toString(), items.size(), listIds);
            return Response.accepted(document(ui, job)).type(JsonApi.MEDIA_TYPE).build();
        }

        @GET
        public ObjectNode page(@Auth Caller caller, @Context UriInfo ui, @QueryParam("filter") String filter,
                               @QueryParam("sort") String sort, @QueryParam("page[size]") String size,
                               @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> statuses = null;
            for (KlaviyoWire.Term t : KlaviyoWire.filter(filter, "equals(status,\"queued\")")) {
                if (!t.field().equals("status") || !(t.op().equals("equals") || t.op().equals("any"))) {
                    throw KlaviyoWire.badFilter("use equals(status,…) or any(status,[…])", "equals(status,\"queued\")");
                }
                statuses = Set.copyOf(t.values());
            }
            if (sort != null && !sort.isBlank() && !sort.trim().equals("-created_at")) {
                throw ApiException.invalidParameter("sort", "Jobs are listed newest first: `sort` may only be -created_at.");
            }
            int n = KlaviyoWire.pageSize(size, 20, 100);
            String[] c = KlaviyoWire.cursor(cursor, 2);
            Instant afterAt;
            try {
                afterAt = c == null ? null : Instant.parse(c[0]);
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiException.invalidParameter("page[cursor]", "`page[cursor]` is not a cursor this endpoint issued.");
            }
            var page = jobs.page(caller.companyId(), Job.Kind.PROFILE_IMPORT, c == null ? null : c[1], afterAt, n);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode arr = doc.putArray("data");
            for (Job j : page.items()) {
                if (statuses == null || statuses.contains(j.status())) arr.add(resource(ui, j));
            }
            KlaviyoWire.links(doc, ui, page.next() == null ? null
                    : KlaviyoWire.cursor(page.next().createdAt().toString(), page.next().id()));
            return doc;
        }

        @GET
        @Path("/{id}{slash: /?}")
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id) {
            KlaviyoProfilesResource.requireSecret(caller);
            return document(ui, jobs.get(caller.companyId(), Job.Kind.PROFILE_IMPORT, id));
        }

        @GET
        @Path("/{id}/{rel: lists|relationships/lists}{slash: /?}")
        public ObjectNode lists(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                                @PathParam("rel") String rel) {
            KlaviyoProfilesResource.requireSecret(caller);
            Job job = jobs.get(caller.companyId(), Job.Kind.PROFILE_IMPORT, id);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            if (rel.equals("lists")) {
                ArrayNode arr = doc.putArray("data");
                for (String l : job.listIds()) {
                    try {
                        AudienceList al = lists.get(caller.companyId(), l, false);
                        arr.add(KlaviyoListsResource.list(KlaviyoWire.base(ui), al, null));
                    } catch (ApiException gone) {
                        // the list was deleted since
                    }
                }
            } else {
                KlaviyoWire.identifiers(doc, "data", "list", job.listIds());
            }
            doc.putObject("links").put("self", ui.getRequestUri().toString());
            return doc;
        }

        @GET
        @Path("/{id}/relationships/profiles{slash: /?}")
        public ObjectNode profileIds(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                                     @QueryParam("page[size]") String size, @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            BulkJobService.ProfilePage page = jobs.profiles(caller.companyId(), Job.Kind.PROFILE_IMPORT, id,
                    offset(cursor), KlaviyoWire.pageSize(size, 20, 100), false);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            KlaviyoWire.identifiers(doc, "data", "profile", page.ids());
            KlaviyoWire.links(doc, ui, page.nextOffset() == null ? null : KlaviyoWire.cursor("" + page.nextOffset()));
            return doc;
        }

        @GET
        @Path("/{id}/profiles{slash: /?}")
        public JSONAPIDocument<List<KlaviyoProfileDto>> profiles(@Auth Caller caller, @Context UriInfo ui,
                                                                 @PathParam("id") String id,
                                                                 @QueryParam("page[size]") String size,
                                                                 @QueryParam("page[cursor]") String cursor,
                                                                 @QueryParam("fields[profile]") String fields) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
            BulkJobService.ProfilePage page = jobs.profiles(caller.companyId(), Job.Kind.PROFILE_IMPORT, id,
                    offset(cursor), KlaviyoWire.pageSize(size, 20, 100), true);
            String next = page.nextOffset() == null ? null : jakarta.ws.rs.core.UriBuilder.fromUri(ui.getRequestUri())
                    .replaceQueryParam("page[cursor]", KlaviyoWire.cursor("" + page.nextOffset())).build().toString();
            return KlaviyoProfilesResource.mapper(ui).collection(page.profiles(), sparse, ui.getRequestUri().toString(),
                    next, null);
        }

        @GET
        @Path("/{id}/import-errors{slash: /?}")
        public ObjectNode errors(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                                 @QueryParam("page[size]") String size, @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            Job job = jobs.get(caller.companyId(), Job.Kind.PROFILE_IMPORT, id);
            int from = offset(cursor);
            int n = KlaviyoWire.pageSize(size, 20, 100);
            List<Job.ItemError> all = job.errors();
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode arr = doc.putArray("data");
            for (int i = from; i < Math.min(all.size(), from + n); i++) {
                Job.ItemError e = all.get(i);
                ObjectNode o = arr.addObject();
                o.put("type", "import-error").put("id", job.id() + "-" + e.index());
                ObjectNode a = o.putObject("attributes");
                a.put("code", "invalid").put("title", "Invalid input.").put("detail", e.detail());
                a.putObject("source").put("pointer", "/data/attributes/profiles/data/" + e.index()
                        + (e.pointer() == null ? "" : e.pointer()));
                a.putNull("original_payload");
            }
            KlaviyoWire.links(doc, ui, from + n < all.size() ? KlaviyoWire.cursor("" + (from + n)) : null);
            return doc;
        }

        private static int offset(String cursor) {
            String[] c = KlaviyoWire.cursor(cursor, 1);
            if (c == null) return 0;
            try {
                int v = Integer.parseInt(c[0]);
                if (v >= 0) return v;
            } catch (NumberFormatException ignored) {
                // fall through
            }
            throw ApiException.invalidParameter("page[cursor]", "`page[cursor]` is not a cursor this endpoint issued.");
        }

        static ObjectNode document(UriInfo ui, Job j) {
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ObjectNode r = resource(ui, j);
            doc.set("data", r);
            doc.putObject("links").put("self", r.at("/links/self").asText());
            return doc;
        }

        static ObjectNode resource(UriInfo ui, Job j) {
            String self = KlaviyoWire.base(ui) + "api/profile-bulk-import-jobs/" + j.id() + "/";
            ObjectNode o = KlaviyoWire.JSON.createObjectNode();
            o.put("type", TYPE).put("id", j.id());
            ObjectNode a = o.putObject("attributes");
            a.put("status", j.status());
            a.put("created_at", KlaviyoWire.format(j.createdAt()));
            a.put("total_count", j.totalCount());
            a.put("completed_count", j.completedCount());
            a.put("failed_count", j.failedCount());
            a.put("completed_at", KlaviyoWire.format(j.completedAt()));
            a.putNull("expires_at");
            a.put("started_at", KlaviyoWire.format(j.startedAt()));
            ObjectNode rel = o.putObject("relationships");
            ObjectNode lists = rel.putObject("lists");
            KlaviyoWire.identifiers(lists, "data", "list", j.listIds());
            lists.putObject("links").put("self", self + "relationships/lists/").put("related", self + "lists/");
            rel.putObject("profiles").putObject("links").put("self", self + "relationships/profiles/")
                    .put("related", self + "profiles/");
            rel.putObject("import-errors").putObject("links").put("related", self + "import-errors/");
            o.putObject("links").put("self", self);
            return o;
        }
    }

    @Path("/api/event-bulk-create-jobs{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class EventCreate {
        private final BulkJobService jobs;

        public EventCreate(BulkJobService jobs) {
            this.jobs = jobs;
        }

        @POST
        public Response submit(@Auth Caller caller, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "event-bulk-create-job");
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            JsonNode items = items(attrs, "events-bulk-create", "/data/attributes/events-bulk-create",
                    MAX_EVENT_PROFILES, "event-bulk-create");
            jobs.submit(caller.companyId(), Job.Kind.EVENT_CREATE, items.toString(), items.size(), List.of());
            return Response.accepted().build();
        }
    }
}
