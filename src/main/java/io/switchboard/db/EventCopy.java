package io.switchboard.db;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Event rows written with PostgreSQL {@code COPY … FROM STDIN} (text format, PgJDBC's CopyManager) when
 * there are enough of them for COPY to pay; fewer go through {@link EventDao#insert} (one INSERT … SELECT
 * FROM unnest). Same columns, same values, same constraints: a duplicate id fails the same way (23505),
 * and the rows are part of the caller's transaction. The threshold is measured (docs/performance.md,
 * "Batches: COPY"): below it the extra round trip of COPY's start costs more than it saves.
 */
public final class EventCopy {
    /** Rows from which COPY is used (docs/performance.md). */
    public static final int MIN_ROWS = Integer.getInteger("switchboard.eventCopyMinRows", 16);

    static final String COPY = "COPY events (company_id, occurred_at, id, profile_id, type, name, properties, value, "
            + "value_currency, received_at, source, dedup_key, raw) FROM STDIN";

    private EventCopy() {}

    /** The arrays are parallel, as for {@link EventDao#insert}; times are ISO-8601 strings. Returns the rows written. */
    public static int insert(Handle h, long companyId, Instant receivedAt, String[] occurred, String[] ids,
                             String[] profiles, String[] types, String[] names, String[] props, String[] values,
                             String[] currencies, String[] sources, String[] dedups, String[] raws) {
        int n = ids.length;
        if (n < MIN_ROWS) {
            return Daos.attach(h, EventDao.class).insert(companyId, receivedAt, occurred, ids, profiles, types, names,
                    props, values, currencies, sources, dedups, raws);
        }
        String company = Long.toString(companyId);
        String received = receivedAt.toString();
        StringBuilder b = new StringBuilder(n * 256);
        for (int i = 0; i < n; i++) {
            b.append(company).append('\t');
            field(b, occurred[i]).append('\t');
            field(b, ids[i]).append('\t');
            field(b, profiles[i]).append('\t');
            field(b, types[i]).append('\t');
            field(b, names[i]).append('\t');
            field(b, props[i]).append('\t');
            field(b, values[i]).append('\t');
            field(b, currencies[i]).append('\t');
            b.append(received).append('\t');
            field(b, sources[i]).append('\t');
            field(b, dedups[i]).append('\t');
            field(b, raws[i]).append('\n');
        }
        byte[] data = b.toString().getBytes(StandardCharsets.UTF_8);
        try {
            Connection c = h.getConnection();
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            CopyIn in = copy.copyIn(COPY);
            try {
                in.writeToCopy(data, 0, data.length);
                return (int) in.endCopy();
            } finally {
                if (in.isActive()) in.cancelCopy();
            }
        } catch (SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
        }
    }

    /** A value in COPY's text format: {@code \N} for null; backslash, tab, newline and carriage return escaped. */
    static StringBuilder field(StringBuilder b, String v) {
        if (v == null) return b.append("\\N");
        for (int i = 0, len = v.length(); i < len; i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(ch);
            }
        }
        return b;
    }

}
