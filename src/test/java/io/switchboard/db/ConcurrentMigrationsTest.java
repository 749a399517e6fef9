package io.switchboard.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.switchboard.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Two servers starting at the same instant on an empty database both migrate it (issue 11 leftovers):
 * before {@link Migrations} took a PostgreSQL advisory lock, both created Liquibase's own tables
 * (DATABASECHANGELOGLOCK, DATABASECHANGELOG) at once and one of them failed to start with "relation
 * already exists" / a duplicate key in pg_type. Several fresh databases, two migrations released by one
 * barrier on each: every migration succeeds and each changeset is recorded exactly once.
 */
class ConcurrentMigrationsTest {
    static final int ROUNDS = 3;

    @Test
    void twoMigrationsStartingTogetherOnAnEmptyDatabaseBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String url = TestDatabase.emptyDatabase();
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<?>> runs = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    DataSourceFactory f = factory(url);
                    runs.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        Migrations.migrate(f, new MetricRegistry());
                        return null;
                    }));
                }
                for (Future<?> r : runs) {
                    r.get(5, TimeUnit.MINUTES); // throws ExecutionException when a migration failed
                }
                Jdbi jdbi = Jdbi.create(url, "postgres", "");
                long total = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM databasechangelog").mapTo(Long.class).one());
                long distinct = jdbi.withHandle(h -> h.createQuery(
                        "SELECT count(DISTINCT (id, author, filename)) FROM databasechangelog").mapTo(Long.class).one());
                assertThat(total).as("round %d: changesets recorded", round).isPositive().isEqualTo(distinct);
                long companies = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM companies").mapTo(Long.class).one());
                assertThat(companies).isZero();
                boolean locked = jdbi.withHandle(h -> h.createQuery("SELECT bool_or(locked) FROM databasechangeloglock")
                        .mapTo(Boolean.class).one());
                assertThat(locked).as("Liquibase lock released").isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static DataSourceFactory factory(String url) {
        DataSourceFactory f = new DataSourceFactory();
        f.setDriverClass("org.postgresql.Driver");
        f.setUrl(url);
        f.setUser("postgres");
        f.setPassword("");
        return f;
    }
}
