package io.switchboard.core.audiences;

import io.dropwizard.lifecycle.Managed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background worker of audience jobs: one thread polls the queue (every {@code pollMillis} when idle,
 * at once while there is work). Started and stopped with the server; jobs survive restarts in the table.
 */
public class JobWorker implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    private final BulkJobService jobs;
    private final long pollMillis;
    private ScheduledExecutorService exec;

    public JobWorker(BulkJobService jobs, long pollMillis) {
        this.jobs = jobs;
        this.pollMillis = pollMillis;
    }

    @Override
    public void start() {
        exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audience-jobs");
            t.setDaemon(true);
            return t;
        });
        exec.scheduleWithFixedDelay(this::drain, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    private void drain() {
        try {
            while (!Thread.currentThread().isInterrupted() && jobs.workOne()) {
                // keep going while there is work
            }
        } catch (RuntimeException e) {
            LOG.warn("audience job worker: {}", e.toString());
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
