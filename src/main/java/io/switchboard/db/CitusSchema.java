package io.switchboard.db;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Citus step of the migrations ({@code databaseMode: citus}, docs/scale.md): after Liquibase has
 * created or altered the tables on the coordinator, every table of the schema is placed:
 * <ul>
 *   <li><b>reference</b> (a copy on every node): the directory tables {@link #REFERENCE} — looked up before
 *       the company is known (a key hash, a public id) — and any table without a {@code company_id} column
 *       or with a unique index that does not contain it;</li>
 *   <li><b>distributed by company_id</b>, all co-located (one company's rows of every table on one node, so
 *       each request's transaction is a single-node transaction): every other table, {@code events} with
 *       its monthly partitions;</li>
 *   <li><b>local to the coordinator</b>: {@link #LOCAL} — Liquibase's own tables and the rate-limit buckets
 *       (Bucket4j's expiry sweep is a cross-row {@code FOR UPDATE SKIP LOCKED}, which Citus only runs on one
 *       shard; every server talks to the coordinator, so a coordinator table is shared by all of them).</li>
 * </ul>
 * Idempotent: tables already placed as wanted are left alone, so it runs at every start and places the
 * tables of new migrations. Foreign keys touching a table being placed are dropped and re-created around
 * the placement (Citus cannot distribute a table that a still-local table references); everything runs
 * in one transaction, so a failure leaves the schema as it was. Servers starting together serialise on
 * an advisory lock of the coordinator.
 */
public final class CitusSchema {
    private static final Logger LOG = LoggerFactory.getLogger(CitusSchema.class);
    public static final String DISTRIBUTION_COLUMN = "company_id";
    /**
     * Looked up before a company is known — by a key hash, a public id, an invitation link's token hash —
     * so replicated to every node (a lookup by token with {@code FOR UPDATE} cannot run across shards).
     */
    public static final Set<String> REFERENCE = Set.of("companies", "api_keys", "invitations");
    /** Stay plain tables on the coordinator. */
    public static final Set<String> LOCAL = Set.of("databasechangelog", "databasechangeloglock", "rate_limit_buckets");
    private static final long LOCK = 0x5b0a_c175L;

    public enum Placement { LOCAL, REFERENCE, DISTRIBUTED }

    /** A table's wanted placement and what it is now (null: not known to Citus). */
    public record Table(String name, Placement wanted, Placement current) {}

    private CitusSchema() {}

    /** Runs the step on a short-lived data source of its own; returns the tables it placed. */
    public static List<Table> apply(DataSourceFactory factory, MetricRegistry metrics) {
        ManagedDataSource ds = factory.build(metrics, "citus-schema");
        try (Connection c = ds.getConnection()) {
            return apply(c);
        } catch (SQLException e) {
            throw new IllegalStateException("citus: placing the tables failed: " + e.getMessage(), e);
        } finally {
            try {
                ds.stop();
            } catch (Exception ignored) {
                // closing a pool of one connection
            }
        }
    }

    public static List<Table> apply(Connection c) throws SQLException {
        c.setAutoCommit(true);
        requireCitus(c);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + LOCK + ")");
        }
        try {
            List<Table> todo = plan(c).stream().filter(t -> t.wanted() != t.current()
                    && t.wanted() != Placement.LOCAL).toList();
            if (todo.isEmpty()) {
                return todo;
            }
            long t0 = System.nanoTime();
            place(c, todo);
            LOG.info("citus: placed {} table(s) in {} ms: {}", todo.size(), (System.nanoTime() - t0) / 1_000_000,
                    todo.stream().map(t -> t.name() + "=" + t.wanted().name().toLowerCase()).toList());
            return todo;
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(" + LOCK + ")");
            }
        }
    }

    private static void requireCitus(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'citus'")) {
            if (rs.next()) return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION citus");
        } catch (SQLException e) {
            throw new SQLException("databaseMode is citus, but the database has no Citus extension and could not "
                    + "create it (the coordinator needs shared_preload_libraries = 'citus'): " + e.getMessage(), e);
        }
    }

    /** Every table of the current schema (partitions excluded: they follow their parent), wanted vs. current. */
    public static List<Table> plan(Connection c) throws SQLException {
        String sql = """
                SELECT c.relname,
                       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ?
                               AND NOT a.attisdropped) AS has_key,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique
                               AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                                               AND a.attname = ? AND a.attnum = ANY (i.indkey))) AS unique_without_key,
                       p.partmethod::text, p.repmodel::text
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                ORDER BY c.relname
                """;
        List<Table> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, DISTRIBUTION_COLUMN);
            ps.setString(2, DISTRIBUTION_COLUMN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    Placement wanted = LOCAL.contains(name) ? Placement.LOCAL
                            : REFERENCE.contains(name) || !rs.getBoolean(2) || rs.getBoolean(3) ? Placement.REFERENCE
                            : Placement.DISTRIBUTED;
                    String method = rs.getString(4), model = rs.getString(5);
                    Placement current = method == null ? Placement.LOCAL
                            : "h".equals(method) ? Placement.DISTRIBUTED
                            : "t".equals(model) ? Placement.REFERENCE
                            : null; // a Citus local table (auto-converted by a foreign key to a reference table)
                    tables.add(new Table(name, wanted, current));
                }
            }
        }
        return tables;
    }

    private static void place(Connection c, List<Table> todo) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // DDL and distribution in one transaction: Citus then uses one connection per node
            s.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
            Set<String> names = new LinkedHashSet<>();
            todo.forEach(t -> names.add(t.name()));
            Map<String, String[]> fks = foreignKeys(c, names);
            for (Map.Entry<String, String[]> fk : fks.entrySet()) {
                s.execute("ALTER TABLE " + ident(fk.getValue()[0]) + " DROP CONSTRAINT " + ident(fk.getKey()));
            }
            for (Table t : todo) {
                if (t.current() == null) {
                    // without its foreign keys a table that Citus converted on its own can go back to local
                    s.execute("SELECT undistribute_table(" + literal(t.name()) + ")");
                }
            }
            for (Table t : todo) {
                if (t.wanted() == Placement.REFERENCE) {
                    s.execute("SELECT create_reference_table(" + literal(t.name()) + ")");
                }
            }
            String colocateWith = existingDistributed(c);
            for (Table t : todo) {
                if (t.wanted() == Placement.DISTRIBUTED) {
                    s.execute("SELECT create_distributed_table(" + literal(t.name()) + ", " + literal(DISTRIBUTION_COLUMN)
                            + ", colocate_with => " + literal(colocateWith == null ? "default" : colocateWith) + ")");
                    if (colocateWith == null) colocateWith = t.name();
                }
            }
            for (Map.Entry<String, String[]> fk : fks.entrySet()) {
                s.execute("ALTER TABLE " + ident(fk.getValue()[0]) + " ADD CONSTRAINT " + ident(fk.getKey()) + " "
                        + fk.getValue()[1]);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Foreign keys from or to any of the tables: name → {table, definition}. */
    private static Map<String, String[]> foreignKeys(Connection c, Set<String> tables) throws SQLException {
        Map<String, String[]> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT k.conname, f.relname, pg_get_constraintdef(k.oid)
                FROM pg_constraint k
                JOIN pg_class f ON f.oid = k.conrelid
                JOIN pg_class t ON t.oid = k.confrelid
                JOIN pg_namespace n ON n.oid = f.relnamespace AND n.nspname = current_schema()
                WHERE k.contype = 'f' AND (f.relname = ANY (?) OR t.relname = ANY (?))
                ORDER BY f.relname, k.conname
                """)) {
            java.sql.Array arr = c.createArrayOf("text", tables.toArray());
            ps.setArray(1, arr);
            ps.setArray(2, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
            }
        }
        return out;
    }

    private static String existingDistributed(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT p.logicalrelid::regclass::text FROM pg_dist_partition p
                JOIN pg_attribute a ON a.attrelid = p.logicalrelid AND a.attname = ?
                WHERE p.partmethod = 'h' AND column_to_column_name(p.logicalrelid, p.partkey) = ?
                ORDER BY p.colocationid, 1 LIMIT 1
                """)) {
            ps.setString(1, DISTRIBUTION_COLUMN);
            ps.setString(2, DISTRIBUTION_COLUMN);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String ident(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
