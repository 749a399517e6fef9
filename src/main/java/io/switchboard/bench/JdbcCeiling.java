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
 * {@code identify}: the identify ceiling — ROWS_PER_COMMIT identifies per commit, half of them new people, written
 * set-based into the server's own tables (see {@link #identifyLoop}); needs the server's schema and a company.
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
        String mode = args.length > 4 ? args[4] : "insert";
        boolean copyMode = "copy".equals(mode);
        boolean identifyMode = "identify".equals(mode);
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
                    if (identifyMode) {
                        identifyLoop(c, perCommit, deadline, rows, commits);
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
                rows.get() / elapsed, commits.get() / elapsed, threads, perCommit, identifyMode ? "profiles" : table, mode);
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

    /**
     * The identify ceiling: what PostgreSQL itself needs for Parcelvoy identifies of bench/pv_identify.lua (an
     * external id, an email and three attributes; half of them new people, half known), batched per commit
     * the way group commit batches them and written as cheaply as the schema allows — no row locks, no merge
     * checks, no change queues, one statement per kind of write for the whole commit:
     * <ol>
     *   <li>one look-up of the owners of every identifier of the commit (the server must know new from known);</li>
     *   <li>new people: one multi-row INSERT each into {@code profiles}, {@code profile_identifiers} (external id
     *       and email) and {@code identity_history} (the "create" record the server keeps);</li>
     *   <li>known people: one UPDATE of their attributes, write times and {@code updated_at} from arrays.</li>
     * </ol>
     * A row of the output counts one identify. The server does more per identify than this, never less.
     */
    static void identifyLoop(Connection c, int perCommit, long deadline, AtomicLong rows, AtomicLong commits)
            throws Exception {
        long company;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(id) FROM companies")) {
            rs.next();
            company = rs.getLong(1);
            if (rs.wasNull()) throw new IllegalStateException("identify ceiling: no company in the database");
        }
        c.commit();
        String tag = "ceil-" + UlidCreator.getMonotonicUlid().toString().toLowerCase() + "-";
        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<String[]> known = new ArrayList<>(); // {external id, profile id}
        long next = 0;
        try (PreparedStatement look = c.prepareStatement("SELECT kind, value, profile_id FROM profile_identifiers "
                + "WHERE company_id = ? AND (kind, value) IN (SELECT * FROM unnest(?::text[], ?::text[]))");
             PreparedStatement insProfile = c.prepareStatement("INSERT INTO profiles (company_id, id, external_id, email, "
                     + "attributes, write_times, created_at, updated_at) VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, now(), now())");
             PreparedStatement insClaim = c.prepareStatement("INSERT INTO profile_identifiers (company_id, kind, value, "
                     + "profile_id) VALUES (?, ?, ?, ?)");
             PreparedStatement insHistory = c.prepareStatement("INSERT INTO identity_history (company_id, operation, "
                     + "survivor_id, identifiers, rule, credential, source) VALUES (?, 'create', ?, ?::jsonb, 'new', "
                     + "'public_key', 'parcelvoy')");
             PreparedStatement update = c.prepareStatement("UPDATE profiles p SET attributes = p.attributes || u.a, "
                     + "write_times = p.write_times || u.w, updated_at = now() FROM unnest(?::text[], ?::jsonb[], "
                     + "?::jsonb[]) AS u(id, a, w) WHERE p.company_id = ? AND p.id = u.id")) {
            while (System.nanoTime() < deadline) {
                long ms = System.currentTimeMillis();
                List<String> kinds = new ArrayList<>(), values = new ArrayList<>();
                List<String> upIds = new ArrayList<>(), upAttrs = new ArrayList<>(), upTimes = new ArrayList<>();
                int fresh = 0;
                for (int i = 0; i < perCommit; i++) {
                    String attrs = "{\"plan\":\"pro\",\"visits\":" + r.nextInt(1, 1000) + ",\"ref\":\""
                            + UlidCreator.getMonotonicUlid() + "\"}";
                    String times = "{\"plan\":" + ms + ",\"visits\":" + ms + ",\"ref\":" + ms + "}";
                    boolean isNew = known.size() < perCommit || r.nextBoolean();
                    String ext;
                    if (isNew) {
                        ext = tag + (next++);
                        String id = UlidCreator.getMonotonicUlid().toString();
                        String email = ext + "@example.com";
                        insProfile.setLong(1, company);
                        insProfile.setString(2, id);
                        insProfile.setString(3, ext);
                        insProfile.setString(4, email);
                        insProfile.setString(5, attrs);
                        insProfile.setString(6, times);
                        insProfile.addBatch();
                        for (String[] kv : new String[][] {{"external_id", ext}, {"email", email}}) {
                            insClaim.setLong(1, company);
                            insClaim.setString(2, kv[0]);
                            insClaim.setString(3, kv[1]);
                            insClaim.setString(4, id);
                            insClaim.addBatch();
                        }
                        insHistory.setLong(1, company);
                        insHistory.setString(2, id);
                        insHistory.setString(3, "[{\"kind\":\"external_id\",\"value\":\"" + ext
                                + "\"},{\"kind\":\"email\",\"value\":\"" + email + "\"}]");
                        insHistory.addBatch();
                        known.add(new String[] {ext, id});
                        fresh++;
                    } else {
                        String[] k = known.get(r.nextInt(known.size()));
                        ext = k[0];
                        upIds.add(k[1]);
                        upAttrs.add(attrs);
                        upTimes.add(times);
                    }
                    kinds.add("external_id");
                    values.add(ext);
                    kinds.add("email");
                    values.add(ext + "@example.com");
                }
                look.setLong(1, company);
                look.setArray(2, c.createArrayOf("text", kinds.toArray()));
                look.setArray(3, c.createArrayOf("text", values.toArray()));
                try (ResultSet rs = look.executeQuery()) {
                    while (rs.next()) rs.getString(3);
                }
                if (fresh > 0) {
                    insProfile.executeBatch();
                    insClaim.executeBatch();
                    insHistory.executeBatch();
                }
                if (!upIds.isEmpty()) {
                    update.setArray(1, c.createArrayOf("text", upIds.toArray()));
                    update.setArray(2, c.createArrayOf("jsonb", upAttrs.toArray()));
                    update.setArray(3, c.createArrayOf("jsonb", upTimes.toArray()));
                    update.setLong(4, company);
                    update.executeUpdate();
                }
                c.commit();
                rows.addAndGet(perCommit);
                commits.incrementAndGet();
            }
        }
    }
}
