package io.switchboard.bench;

import com.github.f4b6a3.ulid.UlidCreator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database ceiling of bench/run: how many event rows per second PostgreSQL itself takes over JDBC
 * on this machine, with durable commits (fsync and synchronous_commit as configured: on), several
 * threads, and rows batched per transaction the way the server's group commit batches them.
 *
 * <p>The rows have the shape of the server's event rows (same columns, similar sizes). They go into
 * {@code events} when that table exists (the bench database is thrown away), else into a copy of its
 * definition.
 *
 * <pre>java -cp target/switchboard.jar io.switchboard.bench.JdbcCeiling URL THREADS ROWS_PER_COMMIT SECONDS [insert|copy]</pre>
 * {@code insert} (default): a batched prepared INSERT (reWriteBatchedInserts); {@code copy}: the rows of each
 * commit as one {@code COPY events … FROM STDIN} (text format, PgJDBC's CopyManager), as db/EventCopy does.
 * Prints one line: {@code rows_per_s=… commits_per_s=… threads=… rows_per_commit=… table=… mode=…}.
 */
public final class JdbcCeiling {
    private JdbcCeiling() {}

    static final String MIRROR = """
            CREATE TABLE IF NOT EXISTS bench_events (
                company_id bigint NOT NULL, occurred_at timestamptz NOT NULL, id varchar(26) NOT NULL,
                profile_id varchar(26) NOT NULL, type text NOT NULL DEFAULT 'track', name text,
                properties jsonb NOT NULL DEFAULT '{}'::jsonb, value numeric, value_currency text,
                received_at timestamptz NOT NULL DEFAULT now(), source text NOT NULL, dedup_key text, raw jsonb,
                PRIMARY KEY (company_id, occurred_at, id)) PARTITION BY RANGE (occurred_at);
            CREATE TABLE IF NOT EXISTS bench_events_default PARTITION OF bench_events DEFAULT;
            CREATE INDEX IF NOT EXISTS bench_events_profile_idx ON bench_events (company_id, profile_id, occurred_at, id);
            CREATE INDEX IF NOT EXISTS bench_events_name_idx ON bench_events (company_id, name, occurred_at, id);
            """;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[1]);
        int perCommit = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        boolean copyMode = args.length > 4 && "copy".equals(args[4]);
        Properties props = new Properties();
        props.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
        props.setProperty("password", System.getenv().getOrDefault("PGPASSWORD", ""));
        props.setProperty("reWriteBatchedInserts", "true");

        String table;
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT to_regclass('public.events') IS NOT NULL");
            rs.next();
            if (rs.getBoolean(1)) {
                table = "events";
            } else {
                s.execute(MIRROR);
                table = "bench_events";
            }
            try (ResultSet st = s.executeQuery("SHOW synchronous_commit")) {
                st.next();
                if (!"on".equals(st.getString(1))) System.err.println("warning: synchronous_commit=" + st.getString(1));
            }
        }
        String sql = "INSERT INTO " + table + " (company_id, occurred_at, id, profile_id, type, name, properties, "
                + "received_at, source, dedup_key, raw) VALUES (?, ?, ?, ?, 'track', ?, ?::jsonb, ?, 'parcelvoy', ?, ?::jsonb)";

        AtomicLong rows = new AtomicLong();
        AtomicLong commits = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, props)) {
                    c.setAutoCommit(false);
                    if (copyMode) {
                        copyLoop(c, table, perCommit, deadline, rows, commits);
                        return;
                    }
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        while (System.nanoTime() < deadline) {
                            for (int i = 0; i < perCommit; i++) {
                                long now = System.currentTimeMillis();
                                int user = r.nextInt(10_000);
                                int sku = r.nextInt(100_000);
                                String props1 = "{\"sku\":\"sku-" + sku + "\",\"price\":" + r.nextInt(1, 500)
                                        + ".99,\"currency\":\"USD\",\"n\":" + i + "}";
                                ps.setLong(1, 1L);
                                ps.setTimestamp(2, new Timestamp(now));
                                ps.setString(3, UlidCreator.getMonotonicUlid().toString());
                                ps.setString(4, "01PROFILE" + String.format("%017d", user));
                                ps.setString(5, "Product Viewed");
                                ps.setString(6, props1);
                                ps.setTimestamp(7, new Timestamp(now));
                                ps.setString(8, null);
                                ps.setString(9, "{\"name\":\"Product Viewed\",\"external_id\":\"user-" + user
                                        + "\",\"data\":" + props1 + "}");
                                ps.addBatch();
                            }
                            ps.executeBatch();
                            c.commit();
                            rows.addAndGet(perCommit);
                            commits.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "ceiling-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) th.join();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (!errors.isEmpty()) {
            errors.get(0).printStackTrace();
            System.exit(1);
        }
        System.out.printf("rows_per_s=%.0f commits_per_s=%.0f threads=%d rows_per_commit=%d table=%s mode=%s%n",
                rows.get() / elapsed, commits.get() / elapsed, threads, perCommit, table, copyMode ? "copy" : "insert");
    }

    /** The same rows, each commit's rows as one COPY FROM STDIN in text format. */
    static void copyLoop(Connection c, String table, int perCommit, long deadline, AtomicLong rows, AtomicLong commits)
            throws Exception {
        org.postgresql.copy.CopyManager cm = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        String copy = "COPY " + table + " (company_id, occurred_at, id, profile_id, type, name, properties, "
                + "received_at, source, dedup_key, raw) FROM STDIN";
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(perCommit * 300);
        while (System.nanoTime() < deadline) {
            b.setLength(0);
            for (int i = 0; i < perCommit; i++) {
                String now = java.time.Instant.now().toString();
                int user = r.nextInt(10_000);
                int sku = r.nextInt(100_000);
                String props1 = "{\"sku\":\"sku-" + sku + "\",\"price\":" + r.nextInt(1, 500)
                        + ".99,\"currency\":\"USD\",\"n\":" + i + "}";
                b.append("1\t").append(now).append('\t').append(UlidCreator.getMonotonicUlid()).append('\t')
                        .append("01PROFILE").append(String.format("%017d", user)).append("\ttrack\tProduct Viewed\t")
                        .append(props1).append('\t').append(now).append("\tparcelvoy\t\\N\t")
                        .append("{\"name\":\"Product Viewed\",\"external_id\":\"user-").append(user)
                        .append("\",\"data\":").append(props1).append("}\n");
            }
            byte[] data = b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            org.postgresql.copy.CopyIn in = cm.copyIn(copy);
            in.writeToCopy(data, 0, data.length);
            in.endCopy();
            c.commit();
            rows.addAndGet(perCommit);
            commits.incrementAndGet();
        }
    }
}
