package io.switchboard.core.identity;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;

/**
 * The portal's profile search: one box for email, phone number, external id, anonymous id, profile id
 * (exact, through the identifier index) or name (prefix of first or last name); newest first, keyset
 * pagination by (created_at, id).
 */
public class ProfileSearch {
    private final Jdbi jdbi;

    public ProfileSearch(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record Hit(String id, String email, String phoneNumber, String externalId, String name,
                      Instant createdAt, Instant lastEventAt) {}

    /** {@code before}: the (created_at, id) of the last row of the previous page, or null. */
    public List<Hit> search(long companyId, String term, Instant beforeTime, String beforeId, int limit) {
        String t = term == null ? "" : term.trim();
        if (t.length() > 320) t = t.substring(0, 320);
        String cols = """
                p.id, p.email, p.phone_number, p.external_id,
                trim(coalesce(p.attributes->>'first_name', '') || ' ' || coalesce(p.attributes->>'last_name', '')),
                p.created_at, p.last_event_at""";
        StringBuilder sql = new StringBuilder("SELECT ").append(cols).append(" FROM profiles p WHERE p.company_id = :c AND p.merged_into IS NULL");
        if (!t.isEmpty()) {
            // each branch uses its own index (identifier primary key, profile key, name prefix indexes)
            sql.append(" ").append("""
                     AND p.id IN (
                        SELECT profile_id FROM profile_identifiers
                        WHERE company_id = :c AND kind IN ('email', 'phone_number', 'external_id', 'anonymous_id')
                          AND value IN (:t, :lower, :phone)
                        UNION SELECT id FROM profiles WHERE company_id = :c AND id = :t
                        UNION (SELECT id FROM profiles WHERE company_id = :c AND merged_into IS NULL
                               AND lower(attributes->>'first_name') LIKE :prefix LIMIT 1000)
                        UNION (SELECT id FROM profiles WHERE company_id = :c AND merged_into IS NULL
                               AND lower(attributes->>'last_name') LIKE :prefix LIMIT 1000))""".replace("\n", " "));
            String digits = t.replaceAll("[^0-9+]", "");
            if (digits.length() < 6) digits = t;
            final String fd = digits.startsWith("+") ? digits : "+" + digits;
            if (beforeTime != null) sql.append(" AND (p.created_at, p.id) < (:bt, :bid)");
            sql.append(" ORDER BY p.created_at DESC, p.id DESC LIMIT :limit");
            final String ft = t;
            return jdbi.withHandle(h -> {
                var q = h.createQuery(sql.toString()).bind("c", companyId).bind("t", ft)
                        .bind("lower", ft.toLowerCase(Locale.ROOT)).bind("phone", fd)
                        .bind("prefix", escapeLike(ft.toLowerCase(Locale.ROOT)) + "%").bind("limit", limit);
                if (beforeTime != null) q.bind("bt", beforeTime).bind("bid", beforeId);
                return q.map((rs, ctx) -> hit(rs)).list();
            });
        }
        if (beforeTime != null) sql.append(" AND (p.created_at, p.id) < (:bt, :bid)");
        sql.append(" ORDER BY p.created_at DESC, p.id DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql.toString()).bind("c", companyId).bind("limit", limit);
            if (beforeTime != null) q.bind("bt", beforeTime).bind("bid", beforeId);
            return q.map((rs, ctx) -> hit(rs)).list();
        });
    }

    private static Hit hit(java.sql.ResultSet rs) throws java.sql.SQLException {
        java.sql.Timestamp last = rs.getTimestamp(7);
        return new Hit(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getTimestamp(6).toInstant(), last == null ? null : last.toInstant());
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
