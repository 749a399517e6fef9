package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import io.switchboard.delivery.DeliveryWorkers;
import java.time.Duration;
import java.time.Instant;

/** Healthy while every delivery worker thread of this process is alive and has gone round its loop recently. */
public class DeliveryHealthCheck extends HealthCheck {
    private final DeliveryWorkers workers;
    private final Duration stall;

    public DeliveryHealthCheck(DeliveryWorkers workers, Duration stall) {
        this.workers = workers;
        this.stall = stall;
    }

    @Override
    protected Result check() {
        if (workers.workerCount() == 0) {
            return Result.healthy("delivery disabled in this process (delivery.workers = 0)");
        }
        if (!workers.isRunning()) {
            return Result.unhealthy("a delivery worker thread has stopped");
        }
        Instant last = workers.lastLoop();
        if (last.isBefore(Instant.now().minus(stall))) {
            return Result.unhealthy("delivery workers have not polled since " + last);
        }
        return Result.healthy(workers.workerCount() + " delivery worker(s) running");
    }
}
