package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.api.klaviyo.KlaviyoProfileDto;
import io.switchboard.api.klaviyo.KlaviyoProfileMapper;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.audiences.AudienceList;
import io.switchboard.core.audiences.ListService;
import io.switchboard.core.audiences.SubscriptionService;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Klaviyo's static lists: {@code /api/lists} CRUD, {@code /api/lists/{id}/profiles},
 * {@code /api/lists/{id}/relationships/profiles} (get, add, remove) and a profile's
 * {@code /api/profiles/{id}/lists} and {@code /relationships/lists}. Another company's list or profile
 * is 404, the same answer as one that does not exist.
 */
public final class KlaviyoListsResource {
    private KlaviyoListsResource() {}

    static final Set<String> LIST_FIELDS = Set.of("name", "created", "updated", "opt_in_process", "profile_count");
    private static final String LIST_FILTER_EXAMPLE = "equals(name,\"Newsletter\")";
    private static final String MEMBER_FILTER_EXAMPLE = "any(email,[\"a@example.com\",\"b@example.com\"])";

    static ObjectNode list(String base, AudienceList l, Set<String> fields) {
        ObjectNode o = KlaviyoWire.JSON.createObjectNode();
        o.put("type", "list").put("id", l.id());
        ObjectNode a = o.putObject("attributes");
        if (fields == null || fields.contains("name")) a.put("name", l.name());
        if (fields == null || fields.contains("created")) a.put("created", KlaviyoWire.format(l.created()));
        if (fields == null || fields.contains("updated")) a.put("updated", KlaviyoWire.format(l.updated()));
        if (fields == null || fields.contains("opt_in_process")) a.put("opt_in_process", l.optInProcess());
        if (l.profileCount() != null && (fields == null || fields.contains("profile_count"))) {
            a.put("profile_count", l.profileCount());
        }
        ObjectNode rel = o.putObject("relationships");
        ObjectNode profiles = rel.putObject("profiles");
        profiles.putObject("links").put("self", base + "api/lists/" + l.id() + "/relationships/profiles/")
                .put("related", base + "api/lists/" + l.id() + "/profiles/");
        o.putObject("links").put("self", base + "api/lists/" + l.id() + "/");
        return o;
    }

    static String optIn(ObjectNode attrs, String pointer) {
        String v = KlaviyoJson.string(attrs, "opt_in_process", pointer);
        if (v != null && !v.equals("single_opt_in") && !v.equals("double_opt_in")) {
            throw ApiException.invalid(pointer, "`opt_in_process` must be single_opt_in or double_opt_in.");
        }
        return v;
    }

    static String name(ObjectNode attrs, boolean required) {
        String pointer = "/data/attributes/name";
        String v = KlaviyoJson.string(attrs, "name", pointer);
        if (v == null) {
            if (required) throw ApiException.invalid(pointer, "`name` is required.");
            return null;
        }
        if (v.isBlank()) throw ApiException.invalid(pointer, "`name` must not be empty.");
        if (v.length() > ListService.MAX_NAME_LENGTH) {
            throw ApiException.invalid(pointer, "`name` is longer than " + ListService.MAX_NAME_LENGTH + " characters.");
        }
        return v.trim();
    }

    @Path("/api/lists")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Lists {
        static final int PAGE_MAX = 10;
        static final int MEMBERS_DEFAULT = 20;
        static final int MEMBERS_MAX = 100;
        private final ListService lists;
        private final IdentityService identity;
        private final SubscriptionService consent;

        public Lists(ListService lists, IdentityService identity, SubscriptionService consent) {
            this.lists = lists;
            this.identity = identity;
            this.consent = consent;
        }

        @POST
        public Response create(@Auth Caller caller, @Context UriInfo ui, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "list");
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            String name = name(attrs, true);
            String optIn = optIn(attrs, "/data/attributes/opt_in_process");
            AudienceList l = lists.create(caller.companyId(), name, optIn == null ? "single_opt_in" : optIn);
            return Response.status(201).type(JsonApi.MEDIA_TYPE).entity(document(ui, l, null)).build();
        }

        @GET
        public ObjectNode page(@Auth Caller caller, @Context UriInfo ui, @QueryParam("filter") String filter,
                               @QueryParam("sort") String sortRaw, @QueryParam("page[size]") String size,
                               @QueryParam("page[cursor]") String cursor, @QueryParam("fields[list]") String fieldsRaw) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = KlaviyoMetricsResource.fields(fieldsRaw, "fields[list]", Set.of("name", "created",
                    "updated", "opt_in_process", "id"));
            List<String> names = null;
            List<String> ids = null;
            Instant createdAfter = null;
            Instant updatedAfter = null;
            for (KlaviyoWire.Term t : KlaviyoWire.filter(filter, LIST_FILTER_EXAMPLE)) {
                boolean eqOrAny = t.op().equals("equals") || t.op().equals("any");
                switch (t.field()) {
                    case "name" -> {
                        if (!eqOrAny) throw KlaviyoWire.badFilter("name takes equals or any", LIST_FILTER_EXAMPLE);
                        names = t.values();
                    }
                    case "id" -> {
                        if (!eqOrAny) throw KlaviyoWire.badFilter("id takes equals or any", LIST_FILTER_EXAMPLE);
                        ids = t.values();
                    }
                    case "created", "updated" -> {
                        if (!t.op().equals("greater-than")) {
                            throw KlaviyoWire.badFilter(t.field() + " takes greater-than", LIST_FILTER_EXAMPLE);
                        }
                        Instant v = KlaviyoWire.time(t.value(), "filter");
                        if (t.field().equals("created")) createdAfter = v; else updatedAfter = v;
                    }
                    default -> throw KlaviyoWire.badFilter("unsupported field `" + t.field()
                            + "`; use name, id, created or updated", LIST_FILTER_EXAMPLE);
                }
            }
            String s = sortRaw == null || sortRaw.isBlank() ? "id" : sortRaw.trim();
            boolean desc = s.startsWith("-");
            ListService.Sort sort;
            try {
                sort = ListService.Sort.valueOf((desc ? s.substring(1) : s).toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidParameter("sort", "`sort` must be one of created, id, name, updated, "
                        + "with a leading `-` for descending.");
            }
            int n = KlaviyoWire.pageSize(size, PAGE_MAX, PAGE_MAX);
            String[] c = KlaviyoWire.cursor(cursor, 3);
            if (c != null && !c[0].equals(sort.name() + (desc ? "-" : "+"))) {
                throw ApiException.invalidParameter("page[cursor]", "`page[cursor]` belongs to another `sort`.");
            }
            ListService.Page page = lists.page(caller.companyId(), new ListService.Filter(names, ids, createdAfter,
                    updatedAfter), sort, desc, n, c == null ? null : new ListService.Position(c[1], c[2]));
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode data = doc.putArray("data");
            String base = KlaviyoWire.base(ui);
            for (AudienceList l : page.items()) data.add(list(base, l, fields));
            KlaviyoWire.links(doc, ui, page.next() == null ? null
                    : KlaviyoWire.cursor(sort.name() + (desc ? "-" : "+"), page.next().value(), page.next().id()));
            return doc;
        }

        @GET
        @Path("/{id}{slash: /?}")
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @QueryParam("additional-fields[list]") String additional,
                              @QueryParam("fields[list]") String fieldsRaw) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = KlaviyoMetricsResource.fields(fieldsRaw, "fields[list]", LIST_FIELDS);
            Set<String> more = KlaviyoMetricsResource.fields(additional, "additional-fields[list]",
                    Set.of("profile_count"));
            AudienceList l = lists.get(caller.companyId(), id, more != null
                    || (fields != null && fields.contains("profile_count")));
            return document(ui, l, fields);
        }

        @PATCH
        @Path("/{id}{slash: /?}")
        public ObjectNode update(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "list");
            String dataId = KlaviyoJson.string(data, "id", "/data/id");
            if (dataId == null) throw ApiException.invalid("/data/id", "`data.id` is required and must equal the list id.");
            if (!dataId.equals(id)) {
                throw new ApiException(ErrorKind.CONFLICT, "`data.id` (" + dataId + ") does not match the list id in "
                        + "the path (" + id + ").", "/data/id", null, null);
            }
            ObjectNode attrs = KlaviyoJson.requiredObject(data, "attributes", "/data/attributes");
            AudienceList l = lists.update(caller.companyId(), id, name(attrs, false),
                    optIn(attrs, "/data/attributes/opt_in_process"));
            return document(ui, l, null);
        }

        @DELETE
        @Path("/{id}{slash: /?}")
        public Response delete(@Auth Caller caller, @PathParam("id") String id) {
            KlaviyoProfilesResource.requireSecret(caller);
            lists.delete(caller.companyId(), id);
            return Response.noContent().build();
        }

        @POST
        @Path("/{id}/relationships/profiles{slash: /?}")
        public Response add(@Auth Caller caller, @PathParam("id") String id, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            lists.addProfiles(caller.companyId(), id, KlaviyoWire.linkage(body, "profile",
                    ListService.MAX_MEMBERS_PER_REQUEST));
            return Response.noContent().build();
        }

        @DELETE
        @Path("/{id}/relationships/profiles{slash: /?}")
        public Response remove(@Auth Caller caller, @PathParam("id") String id, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            lists.removeProfiles(caller.companyId(), id, KlaviyoWire.linkage(body, "profile",
                    ListService.MAX_MEMBERS_PER_REQUEST));
            return Response.noContent().build();
        }

        @GET
        @Path("/{id}/relationships/profiles{slash: /?}")
        public ObjectNode memberIds(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                                    @QueryParam("filter") String filter, @QueryParam("sort") String sort,
                                    @QueryParam("page[size]") String size, @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            ListService.MemberPage page = lists.members(caller.companyId(), id,
                    memberQuery(filter, sort, size, cursor), false);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            KlaviyoWire.identifiers(doc, "data", "profile",
                    page.members().stream().map(ListService.Member::profileId).toList());
            KlaviyoWire.links(doc, ui, next(page));
            return doc;
        }

        @GET
        @Path("/{id}/profiles{slash: /?}")
        public JSONAPIDocument<List<KlaviyoProfileDto>> members(@Auth Caller caller, @Context UriInfo ui,
                                                                @PathParam("id") String id,
                                                                @QueryParam("filter") String filter,
                                                                @QueryParam("sort") String sort,
                                                                @QueryParam("page[size]") String size,
                                                                @QueryParam("page[cursor]") String cursor,
                                                                @QueryParam("fields[profile]") String fields,
                                                                @QueryParam("additional-fields[profile]") String more) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> sparse = KlaviyoProfileMapper.sparseFields(fields, "fields[profile]");
            boolean withSubscriptions = KlaviyoConsentResource.wantsSubscriptions(more);
            ListService.MemberPage page = lists.members(caller.companyId(), id,
                    memberQuery(filter, sort, size, cursor), true);
            KlaviyoProfileMapper mapper = KlaviyoProfilesResource.mapper(ui);
            JSONAPIDocument<List<KlaviyoProfileDto>> doc = mapper.collection(page.profiles(), sparse,
                    ui.getRequestUri().toString(), next(page) == null ? null
                            : jakarta.ws.rs.core.UriBuilder.fromUri(ui.getRequestUri())
                            .replaceQueryParam("page[cursor]", next(page)).build().toString(), null);
            if (withSubscriptions) {
                KlaviyoConsentResource.addSubscriptions(consent, caller.companyId(), page.profiles(), doc.get());
            }
            for (int i = 0; i < doc.get().size(); i++) {
                KlaviyoProfileDto d = doc.get().get(i);
                Instant joined = page.members().stream().filter(m -> m.profileId().equals(d.id)).findFirst()
                        .map(ListService.Member::joinedAt).orElse(null);
                if (sparse == null || sparse.isEmpty() || sparse.contains("joined_group_at")) {
                    d.attributes.put("joined_group_at", new TextNode(KlaviyoWire.format(joined)));
                }
            }
            return doc;
        }

        private static String next(ListService.MemberPage page) {
            return page.next() == null ? null
                    : KlaviyoWire.cursor(page.next().joinedAt().toString(), page.next().profileId());
        }

        private static ListService.MemberQuery memberQuery(String filter, String sortRaw, String size, String cursor) {
            List<String> emails = null;
            List<String> phones = null;
            Instant from = null;
            Instant to = null;
            for (KlaviyoWire.Term t : KlaviyoWire.filter(filter, MEMBER_FILTER_EXAMPLE)) {
                boolean eqOrAny = t.op().equals("equals") || t.op().equals("any");
                switch (t.field()) {
                    case "email" -> {
                        if (!eqOrAny) throw KlaviyoWire.badFilter("email takes equals or any", MEMBER_FILTER_EXAMPLE);
                        emails = t.values();
                    }
                    case "phone_number" -> {
                        if (!eqOrAny) throw KlaviyoWire.badFilter("phone_number takes equals or any", MEMBER_FILTER_EXAMPLE);
                        phones = t.values();
                    }
                    case "joined_group_at" -> {
                        Instant v = KlaviyoWire.time(t.value(), "filter");
                        switch (t.op()) {
                            case "greater-or-equal" -> from = v;
                            case "greater-than" -> from = v.plusNanos(1000);
                            case "less-than" -> to = v;
                            case "less-or-equal" -> to = v.plusNanos(1000);
                            default -> throw KlaviyoWire.badFilter("joined_group_at takes greater-or-equal, "
                                    + "greater-than, less-or-equal or less-than", MEMBER_FILTER_EXAMPLE);
                        }
                    }
                    default -> throw KlaviyoWire.badFilter("unsupported field `" + t.field()
                            + "`; use email, phone_number or joined_group_at", MEMBER_FILTER_EXAMPLE);
                }
            }
            boolean desc;
            if (sortRaw == null || sortRaw.isBlank() || sortRaw.trim().equals("joined_group_at")) desc = false;
            else if (sortRaw.trim().equals("-joined_group_at")) desc = true;
            else throw ApiException.invalidParameter("sort", "`sort` must be joined_group_at or -joined_group_at.");
            int n = KlaviyoWire.pageSize(size, MEMBERS_DEFAULT, MEMBERS_MAX);
            String[] c = KlaviyoWire.cursor(cursor, 2);
            ListService.Member after = null;
            if (c != null) {
                try {
                    after = new ListService.Member(c[1], Instant.parse(c[0]));
                } catch (java.time.format.DateTimeParseException e) {
                    throw ApiException.invalidParameter("page[cursor]", "`page[cursor]` is not a cursor this "
                            + "endpoint issued.");
                }
            }
            return new ListService.MemberQuery(emails, phones, from, to, desc, n, after);
        }

        private static ObjectNode document(UriInfo ui, AudienceList l, Set<String> fields) {
            String base = KlaviyoWire.base(ui);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            doc.set("data", list(base, l, fields));
            doc.putObject("links").put("self", base + "api/lists/" + l.id() + "/");
            return doc;
        }
    }

    @Path("/api/profiles/{id}/{rel: lists|relationships/lists}{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class ProfileLists {
        static final int MAX = 1000;
        private final ListService lists;
        private final IdentityService identity;

        public ProfileLists(ListService lists, IdentityService identity) {
            this.lists = lists;
            this.identity = identity;
        }

        @GET
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @PathParam("rel") String rel, @QueryParam("fields[list]") String fieldsRaw) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = KlaviyoMetricsResource.fields(fieldsRaw, "fields[list]",
                    Set.of("name", "created", "updated", "opt_in_process", "id"));
            Profile p = identity.get(caller.companyId(), id);
            List<AudienceList> of = lists.listsOf(caller.companyId(), p.id(), MAX);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            if (rel.equals("lists")) {
                ArrayNode data = doc.putArray("data");
                String base = KlaviyoWire.base(ui);
                for (AudienceList l : of) data.add(list(base, l, fields));
            } else {
                List<String> ids = new ArrayList<>();
                for (AudienceList l : of) ids.add(l.id());
                KlaviyoWire.identifiers(doc, "data", "list", ids);
            }
            doc.putObject("links").put("self", ui.getRequestUri().toString());
            return doc;
        }
    }
}
