package io.switchboard.health;

import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows whether PostgreSQL is reachable, from a probe on a dedicated connection (not the pool, so a busy
 * pool is not mistaken for an outage): every second while up, every 250 ms while down. A probe failure is
 * confirmed on a fresh connection before the database is declared down.
 *
 * <p>While down, {@code http.DatabaseOutageFilter} answers 503 at once, the health check is unhealthy,
 * and rate limiting and settings lookups stay off the database. On each transition the connection pool
 * is purged ({@code onChange}), so no request is handed a connection to the server that went away.
 *
 * <p>Only a failed or refused connection counts as down: a probe that merely times out (a busy server)
 * leaves the state alone, so load never turns into 503s.
 */
public final class DatabaseMonitor implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMonitor.class);

    private final String url;
    private final Properties props;
    private final long upIntervalMillis;
    private final long downIntervalMillis;
    private final Runnable onChange;
    private volatile boolean up = true;
    private volatile long downSince;
    private volatile String lastError = "";
    private Connection conn;
    private ScheduledExecutorService exec;

    public DatabaseMonitor(String url, String user, String password, Map<String, String> properties,
                           long upIntervalMillis, long downIntervalMillis, Runnable onChange) {
        this.url = url;
        this.props = new Properties();
        if (properties != null) props.putAll(properties);
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "10");
        props.setProperty("ApplicationName", "switchboard-monitor");
        this.upIntervalMillis = upIntervalMillis;
        this.downIntervalMillis = downIntervalMillis;
        this.onChange = onChange == null ? () -> { } : onChange;
    }

    public boolean isUp() {
        return up;
    }

    /** Since when the database has been down (epoch millis), 0 when up. */
    public long downSince() {
        return up ? 0 : downSince;
    }

    public String lastError() {
        return lastError;
    }

    @Override
    public void start() {
        exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "database-monitor");
            t.setDaemon(true);
            return t;
        });
        exec.schedule(this::loop, upIntervalMillis, TimeUnit.MILLISECONDS);
    }

    private void loop() {
        try {
            probeNow();
        } catch (Throwable t) {
            LOG.warn("database probe failed unexpectedly", t);
        } finally {
            if (!exec.isShutdown()) {
                exec.schedule(this::loop, up ? upIntervalMillis : downIntervalMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Probes once and updates the state; returns whether the database answered. */
    public synchronized boolean probeNow() {
        boolean first = probe();
        boolean ok = first || probe(); // the second attempt uses a fresh connection
        if (ok && !first && up) {
            // our connection broke but a new one works: the server restarted between two probes, so
            // pooled connections are broken too
            LOG.warn("database restarted ({}); purging pooled connections", lastError);
            runHook();
        }
        if (ok != up) {
            up = ok;
            if (ok) {
                LOG.warn("database reachable again after {} ms", System.currentTimeMillis() - downSince);
            } else {
                downSince = System.currentTimeMillis();
                LOG.warn("database unreachable: {}", lastError);
            }
            runHook();
        }
        return ok;
    }

    private void runHook() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            LOG.warn("database state change hook failed: {}", e.toString());
        }
    }

    private boolean probe() {
        try {
            if (conn == null) {
                conn = DriverManager.getConnection(url, props);
            }
            try (Statement s = conn.createStatement()) {
                s.setQueryTimeout(2);
                s.execute("/* health */ SELECT 1");
            }
            return true;
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState())) {
                return true; // our 2 s query timeout: slow (a busy server), not down; requests still work
            }
            lastError = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
            closeConnection();
            return false;
        } catch (RuntimeException e) {
            lastError = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
            closeConnection();
            return false;
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private void closeConnection() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // already broken
            }
            conn = null;
        }
    }

    @Override
    public void stop() {
        if (exec != null) {
            exec.shutdownNow();
        }
        synchronized (this) {
            closeConnection();
        }
    }
}
