package io.switchboard.db;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.migrations.CloseableLiquibase;
import io.dropwizard.migrations.CloseableLiquibaseWithClassPathMigrationsFile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import liquibase.Contexts;
import liquibase.LabelExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Liquibase changelog (top-level {@code migrations/}, on the classpath as {@code migrations/}).
 *
 * <p>Servers starting together serialise on a PostgreSQL session advisory lock held on a dedicated
 * connection for the whole update. Liquibase's own lock (the {@code DATABASECHANGELOGLOCK} row) cannot
 * do that on an empty database: it is itself created by the first update, so two servers starting at
 * the same instant both created Liquibase's tables and one failed to start (or waited five minutes on a
 * lock row left claimed). Under the advisory lock the second server finds everything applied and
 * returns at once. The lock is per database, released on unlock or when the session ends (a server
 * killed mid-migration holds nothing), and taken by polling ({@code pg_try_advisory_lock}) because the
 * connection's {@code socketTimeout} would cut a long blocking wait.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    public static final String CHANGELOG = "migrations/changelog.xml";
    /** The advisory lock key of migrations ("SBMIGRAT"); any value unique within the database. */
    static final long LOCK_KEY = 0x53424D4947524154L;
    static final long LOCK_WAIT_NANOS = 15L * 60 * 1_000_000_000L;

    private Migrations() {}

    /** Applies pending changesets on a short-lived data source of its own, one server at a time (see above). */
    public static void migrate(DataSourceFactory factory, MetricRegistry metrics) {
        // keep stdout clean (the CLI prints JSON there): Liquibase's summary goes to the log instead
        System.setProperty("liquibase.showSummaryOutput", "log");
        System.setProperty("liquibase.showSummary", "off");
        ManagedDataSource ds = factory.build(metrics, "liquibase");
        try (CloseableLiquibase lb = new CloseableLiquibaseWithClassPathMigrationsFile(ds, CHANGELOG)) {
            // closed (lock released, connection returned) before lb closes the data source
            try (Connection lock = ds.getConnection()) {
                acquire(lock);
                try {
                    lb.setShowSummary(liquibase.UpdateSummaryEnum.OFF);
                    lb.setShowSummaryOutput(liquibase.UpdateSummaryOutputEnum.LOG);
                    // "Running Changeset: …" lines go to the log (liquibase.ui, quiet by default), not to stdout
                    liquibase.Scope.child(liquibase.Scope.Attr.ui.name(), new liquibase.ui.LoggerUIService(),
                            () -> lb.update(new Contexts(), new LabelExpression()));
                } finally {
                    release(lock);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("database migration failed: " + e.getMessage(), e);
        }
    }

    private static void acquire(Connection c) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + LOCK_WAIT_NANOS;
        boolean logged = false;
        while (!tryLock(c)) {
            if (!logged) {
                LOG.info("waiting for another server to finish migrating the database (advisory lock {})", LOCK_KEY);
                logged = true;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("another session has held the migration lock for 15 minutes: see "
                        + "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted");
            }
            Thread.sleep(200);
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            st.setLong(1, LOCK_KEY);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void release(Connection c) {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            st.setLong(1, LOCK_KEY);
            st.executeQuery().close();
        } catch (SQLException e) {
            // the data source is closed right after, which ends the session and with it the lock
            LOG.warn("could not release the migration lock: {}", e.getMessage());
        }
    }
}
