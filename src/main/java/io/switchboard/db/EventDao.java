package io.switchboard.db;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The event store. Writes are set-based (one INSERT … SELECT FROM unnest(…) per request, or per group
 * of requests), reads go through the two indexes of migration 003. Every statement is scoped by company_id.
 */
@org.jdbi.v3.sqlobject.config.UseTemplateEngine(org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine.class)
public interface EventDao extends SqlObject {

    record EventRow(String id, Instant occurredAt, String profileId, String type, String name, String properties,
                    BigDecimal value, String valueCurrency, Instant receivedAt, String source, String dedupKey,
                    String raw, String metricId) {}

    /** profile_id is shown as the survivor's id when the event's profile was merged away. */
    String COLUMNS = "e.id, e.occurred_at, COALESCE(pr.merged_into, e.profile_id) AS profile_id, e.type, e.name, e.properties::text AS properties, e.value, "
            + "e.value_currency, e.received_at, e.source, e.dedup_key, e.raw::text AS raw, m.id AS metric_id";
    String FROM = " FROM events e LEFT JOIN metrics m ON m.company_id = e.company_id AND m.name = e.name "
            + "LEFT JOIN profiles pr ON pr.company_id = e.company_id AND pr.id = e.profile_id ";

    /** Inserts many events in one statement; the arrays are parallel. Times are ISO-8601 strings. */
    @SqlUpdate("INSERT INTO events (company_id, occurred_at, id, profile_id, type, name, properties, value, "
            + "value_currency, received_at, source, dedup_key, raw) "
            + "SELECT :companyId, t.o::timestamptz, t.id, t.p, t.ty, t.n, t.props::jsonb, t.v::numeric, t.c, "
            + ":receivedAt, t.s, t.d, t.r::jsonb "
            + "FROM unnest(:occurred::text[], :ids::text[], :profiles::text[], :types::text[], :names::text[], "
            + ":props::text[], :values::text[], :currencies::text[], :sources::text[], :dedups::text[], :raws::text[]) "
            + "AS t(o, id, p, ty, n, props, v, c, s, d, r)")
    int insert(@Bind("companyId") long companyId, @Bind("receivedAt") Instant receivedAt,
               @Bind("occurred") String[] occurred, @Bind("ids") String[] ids, @Bind("profiles") String[] profiles,
               @Bind("types") String[] types, @Bind("names") String[] names, @Bind("props") String[] props,
               @Bind("values") String[] values, @Bind("currencies") String[] currencies,
               @Bind("sources") String[] sources, @Bind("dedups") String[] dedups, @Bind("raws") String[] raws);

    /** Upserts metric rows for event names; returns nothing (a concurrent insert of the same name is fine). */
    @SqlUpdate("INSERT INTO metrics (company_id, id, name) SELECT :companyId, t.id, t.n "
            + "FROM unnest(:ids::text[], :names::text[]) AS t(id, n) ORDER BY t.n ON CONFLICT DO NOTHING")
    int upsertMetrics(@Bind("companyId") long companyId, @Bind("ids") String[] ids, @Bind("names") String[] names);

    /** Moves last_event_at forward; {@code id = ANY} keeps it to primary-key probes whatever the statistics say. */
    @SqlUpdate("UPDATE profiles p SET last_event_at = t.at FROM (SELECT u.id, max(u.at::timestamptz) AS at "
            + "FROM unnest(:ids::text[], :ats::text[]) AS u(id, at) GROUP BY u.id) t "
            + "WHERE p.company_id = :companyId AND p.id = ANY(:ids::text[]) AND p.id = t.id "
            + "AND (p.last_event_at IS NULL OR p.last_event_at < t.at)")
    int markLastEvent(@Bind("companyId") long companyId, @Bind("ids") String[] ids, @Bind("ats") String[] ats);

    /** One event by id: the id's ULID time is occurred_at (ms), so only one partition is searched. */
    @SqlQuery("SELECT " + COLUMNS + FROM + "WHERE e.company_id = :companyId AND e.occurred_at >= :from "
            + "AND e.occurred_at < :to AND e.id = :id")
    @RegisterConstructorMapper(EventRow.class)
    Optional<EventRow> find(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("from") Instant from,
                            @Bind("to") Instant to);

    /**
     * Events of a set of profiles (a survivor and its tombstones) by time, keyset-paged on (occurred_at, id).
     * {@code <dir>} is ASC or DESC; {@code <cmp>} is {@code >} or {@code <} accordingly.
     */
    @SqlQuery("SELECT " + COLUMNS + FROM + "WHERE e.company_id = :companyId AND e.profile_id = ANY(:profiles) "
            + "AND e.type = ANY(:types) AND (:name::text IS NULL OR e.name = :name) "
            + "AND (NOT :namedOnly OR e.name IS NOT NULL) "
            + "AND e.occurred_at >= :from AND e.occurred_at < :to "
            + "AND (:afterTime::timestamptz IS NULL OR (e.occurred_at, e.id) <cmp> (:afterTime, :afterId)) "
            + "ORDER BY e.occurred_at <dir>, e.id <dir> LIMIT :limit")
    @RegisterConstructorMapper(EventRow.class)
    List<EventRow> byProfiles(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles,
                              @Bind("types") String[] types, @Bind("name") String name,
                              @Bind("namedOnly") boolean namedOnly, @Bind("from") Instant from, @Bind("to") Instant to,
                              @Bind("afterTime") Instant afterTime, @Bind("afterId") String afterId,
                              @Define("dir") String dir, @Define("cmp") String cmp, @Bind("limit") int limit);

    /** Events of a company by name and time (or all names when name is null), keyset-paged. */
    @SqlQuery("SELECT " + COLUMNS + FROM + "WHERE e.company_id = :companyId AND e.type = ANY(:types) "
            + "AND (:name::text IS NULL OR e.name = :name) AND (NOT :namedOnly OR e.name IS NOT NULL) "
            + "AND e.occurred_at >= :from AND e.occurred_at < :to "
            + "AND (:afterTime::timestamptz IS NULL OR (e.occurred_at, e.id) <cmp> (:afterTime, :afterId)) "
            + "ORDER BY e.occurred_at <dir>, e.id <dir> LIMIT :limit")
    @RegisterConstructorMapper(EventRow.class)
    List<EventRow> byCompany(@Bind("companyId") long companyId, @Bind("types") String[] types,
                             @Bind("name") String name, @Bind("namedOnly") boolean namedOnly,
                             @Bind("from") Instant from, @Bind("to") Instant to,
                             @Bind("afterTime") Instant afterTime, @Bind("afterId") String afterId,
                             @Define("dir") String dir, @Define("cmp") String cmp, @Bind("limit") int limit);

    @SqlQuery("SELECT name FROM metrics WHERE company_id = :companyId AND id = :id")
    Optional<String> metricName(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT id FROM metrics WHERE company_id = :companyId AND name = :name")
    Optional<String> metricId(@Bind("companyId") long companyId, @Bind("name") String name);

    @SqlUpdate("DELETE FROM events WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    int deleteForProfiles(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);
}
