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
    /**
     * Counts of completed days per company. received_at and created_at are set by the server at insert,
     * so a past day's counts no longer grow; only today is counted live (merges and deletions of old
     * profiles show after at most {@link #PAST_TTL}).
     */
    private final java.util.concurrent.ConcurrentHashMap<Long, Past> past = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.time.Duration PAST_TTL = java.time.Duration.ofMinutes(10);

    private record Past(LocalDate today, Instant at, Map<LocalDate, long[]> counts) {}

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
        Instant midnight = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Past p = past.get(companyId);
        if (p == null || !p.today().equals(today) || p.at().isBefore(Instant.now().minus(PAST_TTL))
                || p.counts().size() < days - 1) {
            p = new Past(today, Instant.now(), counts(companyId, today.minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toInstant(), midnight));
            past.put(companyId, p);
        }
        Map<LocalDate, long[]> counts = new HashMap<>(p.counts());
        counts.putAll(counts(companyId, midnight, null));
        List<Day> out = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            long[] c = counts.getOrDefault(d, new long[2]);
            out.add(new Day(d, c[0], c[1]));
        }
        return out;
    }

    private Map<LocalDate, long[]> counts(long companyId, Instant from, Instant to) {
        Map<LocalDate, long[]> counts = new HashMap<>();
        String upper = to == null ? "" : " AND received_at < :to";
        String upperP = to == null ? "" : " AND created_at < :to";
        jdbi.useHandle(h -> {
            h.createQuery("""
                            SELECT (received_at AT TIME ZONE 'UTC')::date AS d, count(*) FROM events
                            WHERE company_id = :c AND received_at >= :from""" + upper + " GROUP BY 1")
                    .bind("c", companyId).bind("from", from)
                    .configure(org.jdbi.v3.core.statement.SqlStatements.class, c -> c.setUnusedBindingAllowed(true)).bind("to", to)
                    .map((rs, ctx) -> { counts.computeIfAbsent(rs.getObject(1, LocalDate.class), k -> new long[2])[0] = rs.getLong(2); return 0; })
                    .list();
            h.createQuery("""
                            SELECT (created_at AT TIME ZONE 'UTC')::date AS d, count(*) FROM profiles
                            WHERE company_id = :c AND created_at >= :from AND merged_into IS NULL""" + upperP + " GROUP BY 1")
                    .bind("c", companyId).bind("from", from)
                    .configure(org.jdbi.v3.core.statement.SqlStatements.class, c -> c.setUnusedBindingAllowed(true)).bind("to", to)
                    .map((rs, ctx) -> { counts.computeIfAbsent(rs.getObject(1, LocalDate.class), k -> new long[2])[1] = rs.getLong(2); return 0; })
                    .list();
        });
        for (LocalDate d = from.atZone(ZoneOffset.UTC).toLocalDate(); to != null && d.isBefore(to.atZone(ZoneOffset.UTC).toLocalDate()); d = d.plusDays(1)) {
            counts.putIfAbsent(d, new long[2]);
        }
        return counts;
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
