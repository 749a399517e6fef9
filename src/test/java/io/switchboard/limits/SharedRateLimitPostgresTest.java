package io.switchboard.limits;

import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.switchboard.testing.TestDatabase;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two limiters on one PostgreSQL table behave like two server processes sharing one limit. */
class SharedRateLimitPostgresTest {
    static ManagedDataSource ds;
    static Jdbi jdbi;

    @BeforeAll
    static void start() throws Exception {
        ds = dataSource(TestDatabase.newDatabase());
        jdbi = Jdbi.create(ds);
    }

    static ManagedDataSource dataSource(String url) throws Exception {
        DataSourceFactory f = new DataSourceFactory();
        f.setDriverClass("org.postgresql.Driver");
        f.setUrl(url);
        f.setUser("postgres");
        f.setPassword("");
        f.setMinSize(2);
        f.setInitialSize(2);
        f.setMaxSize(8);
        ManagedDataSource d = f.build(new MetricRegistry(), "buckets");
        d.start();
        return d;
    }

    @AfterAll
    static void stop() throws Exception {
        ds.stop();
    }

    @Test
    void twoProcessesShareOneLimit() {
        RateLimiter a = new RateLimiter(Bucket4jBuckets.postgres(ds), new RateLimitConfig());
        RateLimiter b = new RateLimiter(Bucket4jBuckets.postgres(ds), new RateLimitConfig());
        RateLimit limit = new RateLimit(40, 600);
        int allowedA = 0;
        int allowedB = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            if (a.acquire(42, RateClass.CLIENT, limit).allowed()) allowedA++;
            if (b.acquire(42, RateClass.CLIENT, limit).allowed()) allowedB++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(allowedA).isPositive();
        assertThat(allowedB).isPositive();
        // together never more than the bucket holds plus what refilled meanwhile (40/s)
        assertThat(allowedA + allowedB).isLessThanOrEqualTo(40 + (int) Math.ceil(seconds * 40) + 1);
        assertThat(allowedA + allowedB).isGreaterThanOrEqualTo(40 - 2 * (int) new RateLimitConfig().batchFor(limit));

        Map<String, Object> row = jdbi.withHandle(h -> h.createQuery(
                "SELECT id, company_id, expires_at > (extract(epoch from now()) * 1000)::bigint AS live FROM rate_limit_buckets WHERE company_id = 42")
                .mapToMap().one());
        assertThat(row.get("id")).isEqualTo("42:client:40s600m");
        assertThat(row.get("live")).isEqualTo(true);
    }

    @Test
    void throttledAnswersCarryTheWaitAndCostNoRoundTrips() {
        RateLimiter a = new RateLimiter(Bucket4jBuckets.postgres(ds), new RateLimitConfig());
        RateLimit bulk = new RateLimit(10, 150);
        int allowed = 0;
        RateLimiter.Decision last = null;
        for (int i = 0; i < 30; i++) {
            last = a.acquire(43, RateClass.BULK, bulk);
            if (last.allowed()) allowed++;
        }
        assertThat(allowed).isBetween(10, 12);
        assertThat(last.allowed()).isFalse();
        assertThat(last.retryAfterSeconds()).isEqualTo(1);
        assertThat(a.remoteCalls()).isLessThan(20);
    }
}
