package io.switchboard.core.events;

import io.dropwizard.lifecycle.Managed;
import io.switchboard.db.IdempotencyDao;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of the event store: partitions ahead (at start-up, then daily), expired idempotency
 * keys (hourly, per company, in bounded batches), and optional retention (drop months older than
 * {@code retentionMonths}; 0 keeps everything).
 */
public class EventMaintenance implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(EventMaintenance.class);
    private static final int PURGE_BATCH = 10_000;

    private final Jdbi jdbi;
    private final EventPartitions partitions;
    private final int monthsAhead;
    private final int retentionMonths;
    private final Clock clock;
    private ScheduledExecutorService executor;

    public EventMaintenance(Jdbi jdbi, int monthsAhead, int retentionMonths, Clock clock) {
        this.jdbi = jdbi;
        this.partitions = new EventPartitions(jdbi);
        this.monthsAhead = monthsAhead;
        this.retentionMonths = retentionMonths;
        this.clock = clock;
    }

    public EventPartitions partitions() {
        return partitions;
    }

    /** Creates partitions synchronously (called at start-up, before requests are served). */
    public void prepare() {
        partitions.ensureAround(LocalDate.now(clock.withZone(ZoneOffset.UTC)), monthsAhead);
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-maintenance");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::safeDaily, 1, 24, TimeUnit.HOURS);
        executor.scheduleWithFixedDelay(this::safePurge, 5, 60, TimeUnit.MINUTES);
    }

    @Override
    public void stop() {
        if (executor != null) executor.shutdownNow();
    }

    private void safeDaily() {
        try {
            prepare();
            if (retentionMonths > 0) {
                partitions.dropOlderThan(YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(retentionMonths));
            }
        } catch (RuntimeException e) {
            LOG.warn("event partition upkeep failed: {}", e.toString());
        }
    }

    private void safePurge() {
        try {
            purgeExpiredKeys();
        } catch (RuntimeException e) {
            LOG.warn("idempotency key purge failed: {}", e.toString());
        }
    }

    /** Deletes expired idempotency keys of every company; returns the number deleted. */
    public long purgeExpiredKeys() {
        Instant now = clock.instant();
        long total = 0;
        for (long companyId : jdbi.withExtension(IdempotencyDao.class, IdempotencyDao::companyIds)) {
            int n;
            do {
                n = jdbi.withExtension(IdempotencyDao.class, d -> d.purge(companyId, now, PURGE_BATCH));
                total += n;
            } while (n == PURGE_BATCH);
        }
        return total;
    }
}
