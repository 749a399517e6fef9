package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.api.klaviyo.KlaviyoJson;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.audiences.Metric;
import io.switchboard.core.audiences.MetricAggregate;
import io.switchboard.core.audiences.MetricService;
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
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Klaviyo's metric endpoints: {@code GET /api/metrics}, {@code /api/metrics/{id}}, the event's
 * {@code /metric} and {@code /relationships/metric|profile}, and {@code POST /api/metric-aggregates}.
 * Each path is its own root resource so no prefix shadows another resource's {@code /api/…} paths.
 */
public final class KlaviyoMetricsResource {
    private KlaviyoMetricsResource() {}

    static final Set<String> METRIC_FIELDS = Set.of("name", "created", "updated", "integration");
    /** Every metric is recorded through an API (a dialect), never a third-party integration. */
    static final String INTEGRATION = "API";

    static ObjectNode metric(String base, Metric m, Set<String> fields) {
        ObjectNode o = KlaviyoWire.JSON.createObjectNode();
        o.put("type", "metric").put("id", m.id());
        ObjectNode a = o.putObject("attributes");
        if (fields == null || fields.contains("name")) a.put("name", m.name());
        if (fields == null || fields.contains("created")) a.put("created", KlaviyoWire.format(m.created()));
        if (fields == null || fields.contains("updated")) a.put("updated", KlaviyoWire.format(m.created()));
        if (fields == null || fields.contains("integration")) {
            a.putObject("integration").put("object", "integration").put("key", "api").put("name", INTEGRATION)
                    .put("category", INTEGRATION);
        }
        o.putObject("links").put("self", base + "api/metrics/" + m.id() + "/");
        return o;
    }

    static Set<String> fields(String raw, String parameter, Set<String> allowed) {
        if (raw == null || raw.isBlank()) return null;
        Set<String> out = new LinkedHashSet<>();
        for (String f : raw.split(",")) {
            String t = f.trim();
            if (!allowed.contains(t)) {
                throw ApiException.invalidParameter(parameter, "`" + parameter + "` may name " + String.join(", ",
                        allowed.stream().sorted().toList()) + "; not `" + t + "`.");
            }
            out.add(t);
        }
        return out;
    }

    @Path("/api/metrics")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Metrics {
        static final int PAGE = 200;
        private final MetricService metrics;

        public Metrics(MetricService metrics) {
            this.metrics = metrics;
        }

        /** All metrics, by id, 200 a page; filter {@code equals(integration.name|integration.category, …)}. */
        @GET
        public ObjectNode list(@Auth Caller caller, @Context UriInfo ui, @QueryParam("filter") String filter,
                               @QueryParam("fields[metric]") String fieldsRaw,
                               @QueryParam("page[cursor]") String cursor) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = fields(fieldsRaw, "fields[metric]", METRIC_FIELDS);
            boolean none = false;
            for (KlaviyoWire.Term t : KlaviyoWire.filter(filter, "equals(integration.name,\"API\")")) {
                if (!t.op().equals("equals") || !(t.field().equals("integration.name")
                        || t.field().equals("integration.category"))) {
                    throw KlaviyoWire.badFilter("use equals(integration.name,…) or equals(integration.category,…)",
                            "equals(integration.name,\"API\")");
                }
                if (!t.value().equalsIgnoreCase(INTEGRATION)) none = true;
            }
            String[] after = KlaviyoWire.cursor(cursor, 1);
            MetricService.Page page = none ? new MetricService.Page(List.of(), null)
                    : metrics.page(caller.companyId(), after == null ? null : after[0], PAGE);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ArrayNode data = doc.putArray("data");
            String base = KlaviyoWire.base(ui);
            for (Metric m : page.items()) data.add(metric(base, m, fields));
            KlaviyoWire.links(doc, ui, page.nextAfter() == null ? null : KlaviyoWire.cursor(page.nextAfter()));
            return doc;
        }

        @GET
        @Path("/{id}{slash: /?}")
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @QueryParam("fields[metric]") String fieldsRaw) {
            KlaviyoProfilesResource.requireSecret(caller);
            Set<String> fields = fields(fieldsRaw, "fields[metric]", METRIC_FIELDS);
            String base = KlaviyoWire.base(ui);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            doc.set("data", metric(base, metrics.get(caller.companyId(), id), fields));
            doc.putObject("links").put("self", base + "api/metrics/" + id + "/");
            return doc;
        }
    }

    @Path("/api/events/{id}/{rel: metric|relationships/metric|relationships/profile}{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class EventMetric {
        private final MetricService metrics;

        public EventMetric(MetricService metrics) {
            this.metrics = metrics;
        }

        @GET
        public ObjectNode get(@Auth Caller caller, @Context UriInfo ui, @PathParam("id") String id,
                              @PathParam("rel") String rel, @QueryParam("fields[metric]") String fieldsRaw) {
            KlaviyoProfilesResource.requireSecret(caller);
            String base = KlaviyoWire.base(ui);
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            long companyId = caller.companyId();
            switch (rel) {
                case "metric" -> {
                    Set<String> fields = fields(fieldsRaw, "fields[metric]", METRIC_FIELDS);
                    Metric m = metrics.ofEvent(companyId, id).orElse(null);
                    if (m == null) doc.putNull("data");
                    else doc.set("data", metric(base, m, fields));
                }
                case "relationships/metric" -> {
                    Metric m = metrics.ofEvent(companyId, id).orElse(null);
                    if (m == null) doc.putNull("data");
                    else doc.putObject("data").put("type", "metric").put("id", m.id());
                }
                default -> doc.putObject("data").put("type", "profile").put("id", metrics.profileOfEvent(companyId, id));
            }
            doc.putObject("links").put("self", ui.getRequestUri().toString());
            return doc;
        }
    }

    @Path("/api/metric-aggregates{slash: /?}")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @KlaviyoApi
    @Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    public static class Aggregates {
        static final int DEFAULT_PAGE_SIZE = 500;
        static final int MAX_PAGE_SIZE = 10_000;
        static final int MAX_BY = 3;
        private static final String P = "/data/attributes";
        private static final String EXAMPLE = "[\"greater-or-equal(datetime,2024-01-01T00:00:00)\", "
                + "\"less-than(datetime,2024-02-01T00:00:00)\"]";
        private final MetricService metrics;

        public Aggregates(MetricService metrics) {
            this.metrics = metrics;
        }

        /**
         * Count / sum_value / unique of one metric per hour|day|week|month over a time range (both ends
         * required, at most 366 days), optionally grouped by up to 3 event properties and filtered by
         * {@code equals(property,"value")}. Answered synchronously (200).
         */
        @POST
        public Response aggregate(@Auth Caller caller, @Context UriInfo ui, byte[] body) {
            KlaviyoProfilesResource.requireSecret(caller);
            ObjectNode data = KlaviyoJson.data(KlaviyoJson.parse(body), "metric-aggregate");
            ObjectNode a = KlaviyoJson.requiredObject(data, "attributes", P);
            String metricId = KlaviyoJson.string(a, "metric_id", P + "/metric_id");
            if (metricId == null || metricId.isBlank()) {
                throw ApiException.invalid(P + "/metric_id", "`metric_id` is required.");
            }
            Set<MetricAggregate.Measurement> measurements = EnumSet.noneOf(MetricAggregate.Measurement.class);
            for (String m : strings(a, "measurements", true)) {
                try {
                    measurements.add(MetricAggregate.Measurement.valueOf(m.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid(P + "/measurements", "Unknown measurement `" + m
                            + "`; use count, sum_value or unique.");
                }
            }
            String iv = KlaviyoJson.string(a, "interval", P + "/interval");
            MetricAggregate.Interval interval;
            try {
                interval = iv == null ? MetricAggregate.Interval.DAY
                        : MetricAggregate.Interval.valueOf(iv.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(P + "/interval", "`interval` must be hour, day, week or month.");
            }
            String tz = KlaviyoJson.string(a, "timezone", P + "/timezone");
            ZoneId zone;
            try {
                zone = tz == null ? ZoneId.of("UTC") : ZoneId.of(tz);
            } catch (DateTimeException e) {
                throw ApiException.invalid(P + "/timezone", "`timezone` must be an IANA zone such as America/New_York.");
            }
            List<String> by = strings(a, "by", false);
            if (by.size() > MAX_BY) throw ApiException.invalid(P + "/by", "At most " + MAX_BY + " `by` dimensions.");
            int pageSize = DEFAULT_PAGE_SIZE;
            JsonNode ps = a.get("page_size");
            if (ps != null && !ps.isNull()) {
                if (!ps.canConvertToInt() || !ps.isIntegralNumber() || ps.asInt() < 1 || ps.asInt() > MAX_PAGE_SIZE) {
                    throw ApiException.invalid(P + "/page_size", "`page_size` must be an integer from 1 to "
                            + MAX_PAGE_SIZE + ".");
                }
                pageSize = ps.asInt();
            }
            if (KlaviyoJson.string(a, "page_cursor", P + "/page_cursor") != null) {
                throw ApiException.invalid(P + "/page_cursor", "`page_cursor` is not supported: every group up to "
                        + "`page_size` is returned in one answer.");
            }
            Instant from = null;
            Instant to = null;
            List<MetricAggregate.PropertyEquals> filters = new ArrayList<>();
            List<String> rawFilters = strings(a, "filter", true);
            for (int i = 0; i < rawFilters.size(); i++) {
                String pointer = P + "/filter/" + i;
                List<KlaviyoWire.Term> terms;
                try {
                    terms = KlaviyoWire.filter(rawFilters.get(i), EXAMPLE);
                } catch (ApiException e) {
                    throw ApiException.invalid(pointer, e.detail());
                }
                for (KlaviyoWire.Term t : terms) {
                    if (t.field().equals("datetime")) {
                        Instant v;
                        try {
                            v = KlaviyoWire.time(t.value(), "filter");
                        } catch (ApiException e) {
                            throw ApiException.invalid(pointer, e.detail());
                        }
                        switch (t.op()) {
                            case "greater-or-equal" -> from = v;
                            case "greater-than" -> from = v.plusNanos(1000);
                            case "less-than" -> to = v;
                            case "less-or-equal" -> to = v.plusNanos(1000);
                            default -> throw ApiException.invalid(pointer, "`datetime` takes greater-or-equal, "
                                    + "greater-than, less-than or less-or-equal.");
                        }
                    } else if (t.op().equals("equals") && t.values().size() == 1) {
                        filters.add(new MetricAggregate.PropertyEquals(t.field(), t.value()));
                    } else {
                        throw ApiException.invalid(pointer, "Only `datetime` ranges and equals(<property>,\"value\") "
                                + "are supported, not `" + t.op() + "(" + t.field() + ",…)`.");
                    }
                }
            }
            if (from == null || to == null) {
                throw ApiException.invalid(P + "/filter", "`filter` must give a time range: " + EXAMPLE + ".");
            }
            if (!from.isBefore(to)) throw ApiException.invalid(P + "/filter", "The time range is empty (start ≥ end).");
            if (java.time.Duration.between(from, to).compareTo(MetricService.MAX_RANGE) > 0) {
                throw ApiException.invalid(P + "/filter", "The time range may span at most 366 days.");
            }
            MetricAggregate.Result r = metrics.aggregate(caller.companyId(), new MetricAggregate.Query(metricId,
                    measurements, interval, from, to, zone, by, filters, pageSize));
            ObjectNode doc = KlaviyoWire.JSON.createObjectNode();
            ObjectNode d = doc.putObject("data");
            d.put("type", "metric-aggregate").put("id", UUID.randomUUID().toString());
            ObjectNode attrs = d.putObject("attributes");
            ArrayNode dates = attrs.putArray("dates");
            for (Instant t : r.dates()) dates.add(KlaviyoWire.format(t, zone));
            ArrayNode rows = attrs.putArray("data");
            for (MetricAggregate.Row row : r.rows()) {
                ObjectNode o = rows.addObject();
                ArrayNode dims = o.putArray("dimensions");
                row.dimensions().forEach(dims::add);
                ObjectNode ms = o.putObject("measurements");
                row.measurements().forEach((k, values) -> {
                    ArrayNode arr = ms.putArray(k.name().toLowerCase(Locale.ROOT));
                    for (BigDecimal v : values) {
                        if (k == MetricAggregate.Measurement.SUM_VALUE) arr.add(v.doubleValue());
                        else arr.add(v.longValue());
                    }
                });
            }
            String self = KlaviyoWire.base(ui) + "api/metric-aggregates/";
            d.putObject("links").put("self", self);
            doc.putObject("links").put("self", self);
            return Response.ok(doc).type(JsonApi.MEDIA_TYPE).build();
        }

        private static List<String> strings(ObjectNode a, String field, boolean required) {
            JsonNode v = a.get(field);
            String pointer = P + "/" + field;
            if (v == null || v.isNull()) {
                if (required) throw ApiException.invalid(pointer, "`" + field + "` is required (a list of strings).");
                return List.of();
            }
            if (!v.isArray() || (required && v.size() == 0)) {
                throw ApiException.invalid(pointer, "`" + field + "` must be a " + (required ? "non-empty " : "")
                        + "list of strings.");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) throw ApiException.invalid(pointer + "/" + i, "Each item must be a string.");
                out.add(v.get(i).asText());
            }
            return out;
        }
    }
}
