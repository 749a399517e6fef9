package io.switchboard.db;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Metrics (one per event name per company, written by ingestion) and aggregates over their events. */
public interface MetricDao extends SqlObject {

    record MetricRow(String id, String name, Instant createdAt) {}

    /** One bucket of one group: bucket start (local time in the query's zone), group values, measurements. */
    record AggregateRow(Instant bucket, String[] dims, long count, BigDecimal sumValue, long uniq) {}

    @SqlQuery("SELECT id, name, created_at FROM metrics WHERE company_id = :companyId "
            + "AND (:after::text IS NULL OR id > :after) ORDER BY id LIMIT :limit")
    @RegisterConstructorMapper(MetricRow.class)
    List<MetricRow> page(@Bind("companyId") long companyId, @Bind("after") String afterId, @Bind("limit") int limit);

    @SqlQuery("SELECT id, name, created_at FROM metrics WHERE company_id = :companyId AND id = :id")
    @RegisterConstructorMapper(MetricRow.class)
    Optional<MetricRow> find(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT id, name, created_at FROM metrics WHERE company_id = :companyId AND name = :name")
    @RegisterConstructorMapper(MetricRow.class)
    Optional<MetricRow> byName(@Bind("companyId") long companyId, @Bind("name") String name);

    /**
     * Count, sum of {@code value} and distinct people (a merged-away profile counts as its survivor) of
     * the events named {@code name} in [from, to), per {@code date_trunc(interval)} bucket of local time
     * in {@code zone} and per group. Groups are event properties ({@code properties ->> key}) or
     * {@code $value_currency} (the column); {@code filterKeys/filterValues} are equality filters on the same.
     * Keys are bound, never spliced: only the number of groups shapes the SQL.
     */
    default List<AggregateRow> aggregate(long companyId, String name, Instant from, Instant to, String interval,
                                         String zone, List<String> groupKeys, List<String> filterKeys,
                                         List<String> filterValues) {
        StringBuilder dims = new StringBuilder("ARRAY[");
        for (int i = 0; i < groupKeys.size(); i++) {
            if (i > 0) dims.append(", ");
            dims.append(dimension(groupKeys.get(i), "g" + i));
        }
        dims.append("]::text[]");
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < filterKeys.size(); i++) {
            where.append(" AND ").append(dimension(filterKeys.get(i), "fk" + i)).append(" = :fv").append(i);
        }
        String sql = "SELECT (date_trunc(:interval, e.occurred_at AT TIME ZONE :zone) AT TIME ZONE :zone) AS bucket, "
                + dims + " AS dims, count(*) AS count, COALESCE(sum(e.value), 0) AS sum_value, "
                + "count(DISTINCT COALESCE(p.merged_into, e.profile_id)) AS uniq "
                + "FROM events e LEFT JOIN profiles p ON p.company_id = e.company_id AND p.id = e.profile_id "
                + "WHERE e.company_id = :companyId AND e.name = :name AND e.occurred_at >= :from AND e.occurred_at < :to"
                + where + " GROUP BY 1, 2 ORDER BY 2, 1";
        Query q = getHandle().createQuery(sql).bind("companyId", companyId).bind("name", name).bind("from", from)
                .bind("to", to).bind("interval", interval).bind("zone", zone);
        for (int i = 0; i < groupKeys.size(); i++) q.bind("g" + i, groupKeys.get(i));
        for (int i = 0; i < filterKeys.size(); i++) {
            q.bind("fk" + i, filterKeys.get(i)).bind("fv" + i, filterValues.get(i));
        }
        return q.map((rs, ctx) -> new AggregateRow(rs.getTimestamp("bucket").toInstant(),
                (String[]) rs.getArray("dims").getArray(), rs.getLong("count"), rs.getBigDecimal("sum_value"),
                rs.getLong("uniq"))).list();
    }

    private static String dimension(String key, String param) {
        return key.equals("$value_currency") ? "e.value_currency" : "(e.properties ->> :" + param + ")";
    }
}
