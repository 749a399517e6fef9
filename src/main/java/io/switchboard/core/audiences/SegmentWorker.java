package io.switchboard.core.audiences;

import io.dropwizard.lifecycle.Managed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps segment memberships current: every {@code periodMillis} it recomputes stale segments from scratch
 * (new definitions; relative-time ones every {@code refreshSeconds}) and drains the dirty-profiles queue.
 */
public class SegmentWorker implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentWorker.class);
    static final int DIRTY_BATCH = 1000;
    private final SegmentService segments;
    private final long periodMillis;
    private final double refreshSeconds;
    private ScheduledExecutorService exec;

    public SegmentWorker(SegmentService segments, long periodMillis, double refreshSeconds) {
        this.segments = segments;
        this.periodMillis = periodMillis;
        this.refreshSeconds = refreshSeconds;
    }

    @Override
    public void start() {
        exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "segments");
            t.setDaemon(true);
            return t;
        });
        exec.scheduleWithFixedDelay(this::tick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void tick() {
        try {
            for (int i = 0; i < 100 && segments.recomputeOneStale(refreshSeconds).isPresent(); i++) {
                // one segment per transaction
            }
            for (int i = 0; i < 100 && segments.drainDirty(DIRTY_BATCH) == DIRTY_BATCH; i++) {
                // a full batch: more may be waiting
            }
        } catch (RuntimeException e) {
            LOG.warn("segment worker: {}", e.toString());
        }
    }

    @Override
    public void stop() throws InterruptedException {
        if (exec != null) {
            exec.shutdownNow();
            exec.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
