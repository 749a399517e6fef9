package io.switchboard.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.core.Tx;
import io.switchboard.core.audiences.SegmentService;
import io.switchboard.core.events.EventPartitions;
import io.switchboard.resources.klaviyo.KlaviyoSegmentsResource;
import io.switchboard.testing.TestDatabase;
import java.time.YearMonth;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The segment target of issue 15 (docs/audiences.md): membership of a segment over 100,000 profiles and
 * 1,000,000 events computed from scratch, on a fresh embedded PostgreSQL with the real migrations. Prints
 * the load time, the full recompute (including the "Entered Segment" events it records), a second full
 * recompute (nothing changes) and one incremental pass over 1,000 queued profiles.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.switchboard.tools.SegmentBenchMain</pre>
 */
public final class SegmentBenchMain {
    private SegmentBenchMain() {}

    public static void main(String[] args) throws Exception {
        int profiles = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Jdbi jdbi = Jdbi.create(TestDatabase.newDatabase(), "postgres", "");
        jdbi.installPlugin(new SqlObjectPlugin());
        jdbi.installPlugin(new PostgresPlugin());
        YearMonth now = YearMonth.now();
        new EventPartitions(jdbi).ensure(now.minusMonths(3), 5);
        long t0 = System.nanoTime();
        long company = jdbi.withHandle(h -> {
            h.execute("INSERT INTO companies (public_id, name) VALUES ('BENCH1', 'Bench')");
            long c = h.createQuery("SELECT id FROM companies WHERE public_id = 'BENCH1'").mapTo(Long.class).one();
            h.execute("INSERT INTO profiles (company_id, id, email, properties) SELECT " + c + ", 'P' || lpad(p::text, 25, '0'), "
                    + "'u' || p || '@example.com', jsonb_build_object('plan', (ARRAY['free','pro','team'])[1 + p % 3], "
                    + "'seats', p % 50) FROM generate_series(0, " + (profiles - 1) + ") p");
            h.execute("INSERT INTO metrics (company_id, id, name) SELECT " + c + ", 'M' || n, 'Event ' || n "
                    + "FROM generate_series(0, 4) n");
            // events spread over the last 60 days, five names, profile g % profiles
            h.execute("INSERT INTO events (company_id, occurred_at, id, profile_id, type, name, properties, value, "
                    + "received_at, source) SELECT " + c + ", ts, lpad(g::text, 26, '0'), 'P' || lpad((g % " + profiles
                    + ")::text, 25, '0'), 'track', 'Event ' || ((g / 7) % 5), '{}'::jsonb, (g % 100)::numeric, ts, 'bench' "
                    + "FROM generate_series(1, " + events + ") g, LATERAL (SELECT now() - ((g::bigint * 7919) % (60 * 86400)) "
                    + "* interval '1 second') t(ts)");
            h.execute("DELETE FROM segment_dirty_profiles");
            h.execute("VACUUM ANALYZE");
            return c;
        });
        System.out.printf("loaded %,d profiles and %,d events in %.1f s%n", profiles, events, (System.nanoTime() - t0) / 1e9);
        Tx tx = new Tx(jdbi);
        SegmentService segments = new SegmentService(tx, KlaviyoSegmentsResource::parseStored,
                new io.switchboard.core.audiences.SegmentQueue());
        // "placed Event 0 at least once in the last 30 days AND plan is not free"
        String def = "{\"condition_groups\":[{\"conditions\":[{\"type\":\"profile-metric\",\"metric_id\":\"M0\","
                + "\"measurement\":\"count\",\"measurement_filter\":{\"type\":\"numeric\",\"operator\":"
                + "\"greater-than-or-equal\",\"value\":1},\"timeframe_filter\":{\"type\":\"date\",\"operator\":"
                + "\"in-the-last\",\"quantity\":30,\"unit\":\"day\"}}]},{\"conditions\":[{\"type\":\"profile-property\","
                + "\"property\":\"properties['plan']\",\"filter\":{\"type\":\"string\",\"operator\":\"not-equals\","
                + "\"value\":\"free\"}}]}]}";
        var parsed = KlaviyoSegmentsResource.parse(new ObjectMapper().readTree(def));
        segments.create(company, "Bench", def, parsed, false);
        // a new segment's first recompute waits SegmentQueue.FIRST_COMPUTE_DELAY: not measured here
        jdbi.useHandle(h -> h.execute("UPDATE segments SET created_at = created_at - interval '1 minute'"));
        long t1 = System.nanoTime();
        var first = segments.recomputeOneStale(300).orElseThrow();
        System.out.printf("full recompute from scratch: %.2f s (%,d entered, %,d left; Entered Segment events recorded)%n",
                (System.nanoTime() - t1) / 1e9, first.entered(), first.left());
        jdbi.useHandle(h -> h.execute("UPDATE segments SET version = version + 1"));
        long t2 = System.nanoTime();
        var second = segments.recomputeOneStale(300).orElseThrow();
        System.out.printf("full recompute, nothing changed: %.2f s (%,d entered, %,d left)%n",
                (System.nanoTime() - t2) / 1e9, second.entered(), second.left());
        jdbi.useHandle(h -> h.execute("INSERT INTO segment_dirty_profiles (company_id, profile_id) SELECT " + company
                + ", 'P' || lpad((p * 97 % " + profiles + ")::text, 25, '0') FROM generate_series(0, 999) p"));
        long t3 = System.nanoTime();
        int drained = segments.drainDirty(1000);
        System.out.printf("incremental pass over %,d queued profiles: %.3f s%n", drained, (System.nanoTime() - t3) / 1e9);
        System.exit(0);
    }
}
