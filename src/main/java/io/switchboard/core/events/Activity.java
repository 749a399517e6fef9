package io.switchboard.core.events;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** A company's activity for the portal: events and new profiles per day, the newest events as they arrive. */
public class Activity {
    private final Jdbi jdbi;

    public Activity(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record Day(LocalDate day, long events, long newProfiles) {}

    public record RecentEvent(String id, String profileId, String type, String name, String source,
                              Instant occurredAt, Instant receivedAt, String properties, String raw) {}

    /** The last {@code days} days (UTC), oldest first, zero-filled. */
    public List<Day> daily(long companyId, int days) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        Instant from = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<LocalDate, long[]> counts = new HashMap<>();
        jdbi.useHandle(h -> {
            h.createQuery("""
                            SELECT (received_at AT TIME ZONE 'UTC')::date AS d, count(*) FROM events
                            WHERE company_id = :c AND received_at >= :from GROUP BY 1""")
                    .bind("c", companyId).bind("from", from)
                    .map((rs, ctx) -> { counts.computeIfAbsent(rs.getObject(1, LocalDate.class), k -> new long[2])[0] = rs.getLong(2); return 0; })
                    .list();
            h.createQuery("""
                            SELECT (created_at AT TIME ZONE 'UTC')::date AS d, count(*) FROM profiles
                            WHERE company_id = :c AND created_at >= :from AND merged_into IS NULL GROUP BY 1""")
                    .bind("c", companyId).bind("from", from)
                    .map((rs, ctx) -> { counts.computeIfAbsent(rs.getObject(1, LocalDate.class), k -> new long[2])[1] = rs.getLong(2); return 0; })
                    .list();
        });
        List<Day> out = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            long[] c = counts.getOrDefault(d, new long[2]);
            out.add(new Day(d, c[0], c[1]));
        }
        return out;
    }

    /**
     * The newest events of the company by arrival, newest first; optional filters by name, dialect
     * (source) and profile id; {@code before} pages back (received_at, id).
     */
    public List<RecentEvent> recent(long companyId, String name, String source, String profileId, Instant before,
                                    int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT id, profile_id, type, name, source, occurred_at, received_at, properties::text, raw::text
                FROM events WHERE company_id = :c""");
        if (name != null) sql.append(" AND name = :name");
        if (source != null) sql.append(" AND source = :source");
        if (profileId != null) sql.append(" AND profile_id = :profile");
        if (before != null) sql.append(" AND received_at < :before");
        sql.append(" ORDER BY received_at DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql.toString()).bind("c", companyId).bind("limit", Math.max(1, Math.min(limit, 200)));
            if (name != null) q.bind("name", name);
            if (source != null) q.bind("source", source);
            if (profileId != null) q.bind("profile", profileId);
            if (before != null) q.bind("before", before);
            return q.map((rs, ctx) -> new RecentEvent(rs.getString(1), rs.getString(2), rs.getString(3),
                    rs.getString(4), rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant(),
                    rs.getString(8), rs.getString(9))).list();
        });
    }

    /** The dialects (sources) events arrive through. */
    public List<String> sources(long companyId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT DISTINCT source FROM events WHERE company_id = :c AND received_at > now() - interval '30 days'
                        ORDER BY 1 LIMIT 20""").bind("c", companyId).mapTo(String.class).list());
    }
}
