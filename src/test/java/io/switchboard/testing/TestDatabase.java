package io.switchboard.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * One real PostgreSQL per test JVM (zonky embedded binaries). The changelog is applied once to a
 * template database; every test class gets a fresh database cloned from it in milliseconds.
 */
public final class TestDatabase {
    private static EmbeddedPostgres pg;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabase() {}

    private static synchronized EmbeddedPostgres server() throws Exception {
        if (pg == null) {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "on")
                    .start();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE sb_template");
            }
            DataSource template = pg.getDatabase("postgres", "sb_template");
            try (Connection c = template.getConnection()) {
                Liquibase lb = new Liquibase("migrations/changelog.xml", new ClassLoaderResourceAccessor(),
                        DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c)));
                lb.update(new Contexts(), new LabelExpression());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return pg;
    }

    /** A new, migrated, empty database; returns its JDBC URL (user postgres, no password). */
    public static String newDatabase() {
        try {
            EmbeddedPostgres s = server();
            String name = "sb_test_" + COUNTER.incrementAndGet();
            try (Connection c = s.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name + " TEMPLATE sb_template");
            }
            return s.getJdbcUrl("postgres", name);
        } catch (Exception e) {
            throw new IllegalStateException("could not prepare a test database", e);
        }
    }

    /** A new database with nothing in it (not even Liquibase's tables); returns its JDBC URL (user postgres). */
    public static String emptyDatabase() {
        try {
            EmbeddedPostgres s = server();
            String name = "sb_empty_" + COUNTER.incrementAndGet();
            try (Connection c = s.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            }
            return s.getJdbcUrl("postgres", name);
        } catch (Exception e) {
            throw new IllegalStateException("could not prepare an empty test database", e);
        }
    }

    public static int port() {
        try {
            return server().getPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
