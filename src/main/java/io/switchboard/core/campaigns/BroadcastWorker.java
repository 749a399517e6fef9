package io.switchboard.core.campaigns;

import io.dropwizard.lifecycle.Managed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background job of broadcasts: one thread per server process polls for due broadcasts (every
 * {@code pollMillis} when idle, at once while there is work) and enqueues them page by page. Broadcasts
 * survive restarts in their table: a claim's lease expires and another process resumes after the last
 * committed page.
 */
public class BroadcastWorker implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastWorker.class);
    private final BroadcastService broadcasts;
    private final long pollMillis;
    private ScheduledExecutorService exec;

    public BroadcastWorker(BroadcastService broadcasts, long pollMillis) {
        this.broadcasts = broadcasts;
        this.pollMillis = pollMillis;
    }

    @Override
    public void start() {
        exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broadcasts");
            t.setDaemon(true);
            return t;
        });
        exec.scheduleWithFixedDelay(this::drain, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    private void drain() {
        try {
            while (!Thread.currentThread().isInterrupted() && broadcasts.workOne(() -> Thread.currentThread().isInterrupted())) {
                // keep going while broadcasts are due
            }
        } catch (RuntimeException e) {
            LOG.warn("broadcast worker: {}", e.toString());
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
