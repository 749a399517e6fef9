package io.switchboard.db;

import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ProfileQuery;
import io.switchboard.core.identity.ProfileQuery.Condition;
import io.switchboard.core.identity.ProfileQuery.Cursor;
import io.switchboard.core.identity.ProfileQuery.SortField;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Runs a {@link ProfileQuery}: live profiles of one company, keyset-paged on (sort key, id). Built as
 * SQL text from a fixed vocabulary (column names never come from the request; values are bound).
 */
public final class ProfileQueryDao {
    private final Handle h;

    public ProfileQueryDao(Handle h) {
        this.h = h;
    }

    /** Fetches up to {@code limit} rows in the direction the cursor asks for (rows come back in page order). */
    public List<Profile> fetch(long companyId, ProfileQuery q, int limit) {
        StringBuilder sql = new StringBuilder("SELECT ").append(ProfileDao.COLUMNS)
                .append(" FROM profiles p WHERE p.company_id = :companyId AND p.merged_into IS NULL");
        List<Object[]> binds = new ArrayList<>();
        int n = 0;
        for (Condition c : q.conditions()) {
            String name = "v" + (n++);
            String col = column(c.field());
            switch (c.op()) {
                case EQUALS, ANY -> {
                    sql.append(" AND ").append(col).append(" = ANY(:").append(name).append(")");
                    binds.add(new Object[] {name, c.values().toArray(String[]::new)});
                }
                case GREATER_THAN, LESS_THAN -> {
                    sql.append(" AND ").append(col).append(c.op() == ProfileQuery.Op.GREATER_THAN ? " > " : " < ")
                            .append("CAST(:").append(name).append(" AS timestamptz)");
                    binds.add(new Object[] {name, c.values().get(0)});
                }
            }
        }
        String key = sortExpr(q.sort());
        Cursor cur = q.cursor();
        // walking backwards (a "prev" cursor) reverses the order, then the rows are flipped back
        boolean backwards = cur != null && cur.before();
        boolean desc = q.descending() ^ backwards;
        if (cur != null) {
            String cmp = desc ? " < " : " > ";
            if (q.sort() == SortField.ID) {
                sql.append(" AND p.id").append(cmp).append(":cid");
            } else {
                String k = q.sort() == SortField.EMAIL ? ":ckey" : "CAST(:ckey AS timestamptz)";
                sql.append(" AND (").append(key).append(", p.id)").append(cmp).append("(").append(k).append(", :cid)");
            }
        }
        String dir = desc ? " DESC" : " ASC";
        sql.append(" ORDER BY ");
        if (q.sort() != SortField.ID) sql.append(key).append(dir).append(", ");
        sql.append("p.id").append(dir).append(" LIMIT :limit");
        Query query = h.createQuery(sql.toString()).bind("companyId", companyId).bind("limit", limit);
        for (Object[] b : binds) {
            if (b[1] instanceof String[] arr) query.bind((String) b[0], arr);
            else query.bind((String) b[0], (String) b[1]);
        }
        if (cur != null) {
            query.bind("cid", cur.id());
            if (q.sort() != SortField.ID) query.bind("ckey", cur.key());
        }
        List<Profile> rows = new ArrayList<>(query.map(new ProfileMapper()).list());
        if (backwards) Collections.reverse(rows);
        return rows;
    }

    private static String column(ProfileQuery.Field f) {
        return switch (f) {
            case ID -> "p.id";
            case EMAIL -> "p.email";
            case PHONE_NUMBER -> "p.phone_number";
            case EXTERNAL_ID -> "p.external_id";
            case CREATED -> "p.created_at";
            case UPDATED -> "p.updated_at";
        };
    }

    private static String sortExpr(SortField s) {
        return switch (s) {
            case ID -> "p.id";
            case CREATED -> "p.created_at";
            case UPDATED -> "p.updated_at";
            case EMAIL -> "COALESCE(p.email, '')";
        };
    }
}
