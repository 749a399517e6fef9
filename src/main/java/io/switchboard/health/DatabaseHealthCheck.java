package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * Healthy when PostgreSQL answers a trivial query through the pool. While the {@link DatabaseMonitor}
 * knows the database to be down, unhealthy at once (no wait for a pool connection).
 */
public class DatabaseHealthCheck extends HealthCheck {
    private final Jdbi jdbi;
    private final DatabaseMonitor monitor;

    public DatabaseHealthCheck(Jdbi jdbi) {
        this(jdbi, null);
    }

    public DatabaseHealthCheck(Jdbi jdbi, DatabaseMonitor monitor) {
        this.jdbi = jdbi;
        this.monitor = monitor;
    }

    @Override
    protected Result check() {
        if (monitor != null && !monitor.isUp()) {
            return Result.unhealthy("database unreachable since " + Instant.ofEpochMilli(monitor.downSince())
                    + ": " + monitor.lastError());
        }
        try {
            jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            return Result.healthy();
        } catch (Exception e) {
            return Result.unhealthy("database unreachable: " + e.getClass().getSimpleName());
        }
    }
}
