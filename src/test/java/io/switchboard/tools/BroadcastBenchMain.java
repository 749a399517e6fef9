package io.switchboard.tools;

import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.BroadcastKit;
import io.switchboard.testing.DeliveryKit;
import io.switchboard.testing.FakeSmtpServer;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broadcast target of issue 15 (docs/audiences.md, "Broadcasts"): a broadcast to 100,000 recipients
 * (a list; profiles seeded in SQL, not timed) on the real server with the production configuration
 * ({@code config.yml}: delivery workers, batch, poll interval) and a fresh embedded PostgreSQL, through a
 * local SMTP server, the provider limited to {@code rate} sends a second. Prints the time until the whole
 * audience is enqueued and a per-second timeline of sends delivered, until all are sent or
 * {@code seconds} have passed. Run by {@code bench/run --broadcast}:
 *
 * <pre>java -cp target/test-classes:target/classes:$CP io.switchboard.tools.BroadcastBenchMain [recipients] [rate] [seconds]</pre>
 */
public final class BroadcastBenchMain {
    private BroadcastBenchMain() {}

    public static void main(String[] args) throws Exception {
        int recipients = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 120;
        try (FakeSmtpServer smtp = new FakeSmtpServer()) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("delivery.allowPrivateNetworks", "true");
            settings.put("logging.level", "WARN");
            // BENCH_DELIVERY_WORKERS / BENCH_MAX_IN_FLIGHT: the delivery knobs (config.yml: 2 workers, 4 per company)
            String workers = System.getenv("BENCH_DELIVERY_WORKERS");
            if (workers != null && !workers.isBlank()) settings.put("delivery.workers", workers);
            String inFlight = System.getenv("BENCH_MAX_IN_FLIGHT");
            if (inFlight != null && !inFlight.isBlank()) settings.put("delivery.maxInFlightPerCompany", inFlight);
            String batch = System.getenv("BENCH_BATCH_SIZE");
            if (batch != null && !batch.isBlank()) settings.put("delivery.batchSize", batch);
            AppFixture f = new AppFixture(SwitchboardApplication.class, "config.yml", settings);
            f.app.before();
            try {
                run(f, smtp, recipients, rate, seconds);
            } finally {
                f.app.after();
            }
        }
        System.exit(0);
    }

    private static void run(AppFixture f, FakeSmtpServer smtp, int recipients, int rate, int seconds) throws Exception {
        DeliveryKit k = new DeliveryKit(f);
        BroadcastKit b = new BroadcastKit(f);
        TestCompany c = f.createCompany("BroadcastBench");
        long cid = f.companyId(c.publicId());
        String pid = k.provider(c, "smtp", Map.of("host", "127.0.0.1", "port", smtp.port(), "tls", "none",
                "from", "news@bench.test"), rate, "second");
        String campaign = k.campaign(c, "email", pid, Map.of("subject", "News for {{user.external_id}}",
                "text", "Hello {{user.external_id}}"));
        long t0 = System.nanoTime();
        b.seedList(c, "BENCH", "bb", recipients);
        f.db().useHandle(h -> h.execute("ANALYZE"));
        System.out.printf("setup: %,d profiles in list BENCH in %.1f s (not part of the target)%n", recipients,
                (System.nanoTime() - t0) / 1e9);

        long start = System.nanoTime();
        String id = b.toList(c, campaign, "BENCH", Map.of());
        List<String> timeline = new ArrayList<>();
        double enqueuedAfter = -1;
        long lastSent = 0;
        int zeroSeconds = 0;
        long minPerSecond = Long.MAX_VALUE;
        long maxPerSecond = 0;
        long firstSentSecond = -1;
        for (int s = 1; s <= seconds; s++) {
            long due = start + s * 1_000_000_000L;
            long wait = (due - System.nanoTime()) / 1_000_000;
            if (wait > 0) Thread.sleep(wait);
            Object[] row = f.db().withHandle(h -> h.createQuery("SELECT state, enqueued_count, enqueued_at, started_at "
                    + "FROM broadcasts WHERE company_id = :c AND id = :id").bind("c", cid).bind("id", id)
                    .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getTimestamp(3), rs.getTimestamp(4)})
                    .one());
            long enqueued = (Long) row[1];
            long sent = smtp.recipients.size();
            long perSecond = sent - lastSent;
            lastSent = sent;
            if (enqueuedAfter < 0 && row[2] != null) {
                enqueuedAfter = (((Timestamp) row[2]).getTime() - ((Timestamp) row[3]).getTime()) / 1000.0;
            }
            if (sent > 0 && firstSentSecond < 0) firstSentSecond = s;
            boolean steady = firstSentSecond > 0 && s > firstSentSecond && sent < recipients;
            if (steady) {
                if (perSecond == 0) zeroSeconds++;
                minPerSecond = Math.min(minPerSecond, perSecond);
                maxPerSecond = Math.max(maxPerSecond, perSecond);
            }
            timeline.add(String.format("%4d s  enqueued %,7d  sent %,7d  (+%d)", s, enqueued, sent, perSecond));
            System.out.println(timeline.get(timeline.size() - 1));
            if (sent >= recipients) break;
        }
        long sent = smtp.recipients.size();
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.println();
        System.out.printf("recipients %,d; provider rate %d/s; delivery workers %s, batch %s, max in flight per company %s%n",
                recipients, rate, f.app.getConfiguration().getDelivery().getWorkers(),
                f.app.getConfiguration().getDelivery().getBatchSize(),
                f.app.getConfiguration().getDelivery().getMaxInFlightPerCompany());
        System.out.printf("fully enqueued after %s (job start → last page; target ≤ 60 s)%n",
                enqueuedAfter < 0 ? "NOT within the run" : String.format("%.1f s", enqueuedAfter));
        System.out.printf("sent %,d in %.0f s; per second after the first: min %d, max %d, seconds with none: %d; "
                + "mean %.1f/s%n", sent, elapsed, minPerSecond == Long.MAX_VALUE ? 0 : minPerSecond, maxPerSecond,
                zeroSeconds, firstSentSecond < 0 ? 0.0 : sent / Math.max(1.0, elapsed - firstSentSecond + 1));
    }
}
