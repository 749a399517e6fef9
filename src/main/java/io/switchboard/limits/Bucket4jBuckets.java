package io.switchboard.limits;

import io.switchboard.core.tenancy.RateLimit;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Bucket4j buckets in PostgreSQL (table {@code rate_limit_buckets}, migration 005): one row per
 * company, endpoint class and limit, updated under {@code SELECT … FOR UPDATE}. Also usable with a local
 * (in-memory) proxy manager for unit tests.
 */
public final class Bucket4jBuckets implements SharedBuckets {
    public static final String TABLE = "rate_limit_buckets";
    private final ProxyManager<String> proxies;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> postgres;
    private final Map<String, Bucket> local;

    private Bucket4jBuckets(PostgreSQLSelectForUpdateBasedProxyManager<String> pm) {
        this.proxies = pm;
        this.postgres = pm;
        this.local = null;
    }

    private Bucket4jBuckets() {
        this.proxies = null;
        this.postgres = null;
        this.local = new ConcurrentHashMap<>();
    }

    /** Process-local buckets with the same semantics (unit tests, or a single server without sharing). */
    public static Bucket4jBuckets inMemory() {
        return new Bucket4jBuckets();
    }

    public static Bucket4jBuckets postgres(DataSource dataSource) {
        PostgreSQLSelectForUpdateBasedProxyManager<String> pm = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(
                        autoCommitRestoring(dataSource))
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE)
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                // a row lives until its bucket would be full again, plus a minute
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .build();
        return new Bucket4jBuckets(pm);
    }

    /**
     * Bucket4j's select-for-update transactions call {@code setAutoCommit(false)} and close the connection
     * without setting it back, and the shared pool does not reset it: the next borrower (any DAO) would
     * then run inside a transaction nobody commits — its writes invisible to others, its handle "already
     * in a transaction" for {@code inTransaction}. This wrapper ends any open transaction and restores
     * auto-commit before the connection goes back to the pool.
     */
    static DataSource autoCommitRestoring(DataSource ds) {
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(Bucket4jBuckets.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
                    Object r = invoke(m, ds, args);
                    return r instanceof java.sql.Connection c && m.getName().equals("getConnection") ? restoring(c) : r;
                });
    }

    private static java.sql.Connection restoring(java.sql.Connection c) {
        return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(Bucket4jBuckets.class.getClassLoader(),
                new Class<?>[] {java.sql.Connection.class}, (proxy, m, args) -> {
                    if (m.getName().equals("close") && (args == null || args.length == 0)) {
                        try {
                            if (!c.isClosed() && !c.getAutoCommit()) {
                                c.rollback(); // Bucket4j has committed already; this only ends a failed one
                                c.setAutoCommit(true);
                            }
                        } catch (java.sql.SQLException e) {
                            // a broken connection: the pool's validation drops it
                        }
                    }
                    return invoke(m, c, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Deletes up to {@code batch} expired rows; returns how many. */
    public int removeExpired(int batch) {
        return postgres == null ? 0 : postgres.removeExpired(batch);
    }

    static BucketConfiguration configuration(RateLimit l) {
        ConfigurationBuilder b = BucketConfiguration.builder();
        // order matters: remaining() reads the last bandwidth, so the steady window goes last
        if (l.burstPerSecond() > 0) {
            b.addLimit(x -> x.capacity(l.burstPerSecond()).refillGreedy(l.burstPerSecond(), Duration.ofSeconds(1)));
        }
        if (l.steadyPerMinute() > 0) {
            b.addLimit(x -> x.capacity(l.steadyPerMinute()).refillGreedy(l.steadyPerMinute(), Duration.ofMinutes(1)));
        }
        return b.build();
    }

    /** Proxies are cheap handles (no remote call); callers may cache them per key. */
    public Bucket bucket(String key, RateLimit limit) {
        BucketConfiguration cfg = configuration(limit);
        if (local != null) {
            return local.computeIfAbsent(key, k -> {
                LocalBucketBuilder b = Bucket.builder();
                for (var bw : cfg.getBandwidths()) b.addLimit(bw);
                return b.build();
            });
        }
        return proxies.builder().build(key, () -> cfg);
    }

    @Override
    public Reservation reserve(String key, RateLimit limit, long wanted) {
        return reserve(bucket(key, limit), limit, wanted);
    }

    public static Reservation reserve(Bucket bucket, RateLimit limit, long wanted) {
        VerboseResult<Long> r = bucket.asVerbose().tryConsumeAsMuchAsPossible(wanted);
        long granted = r.getValue();
        long[] available = r.getDiagnostics().getAvailableTokensPerEachBandwidth();
        long remaining = available.length == 0 ? 0 : available[available.length - 1];
        long wait = 0;
        if (granted == 0) {
            // every exhausted window needs at most one token's refill time (greedy refill)
            List<long[]> windows = new ArrayList<>(); // {capacity, periodNanos}
            if (limit.burstPerSecond() > 0) windows.add(new long[] {limit.burstPerSecond(), 1_000_000_000L});
            if (limit.steadyPerMinute() > 0) windows.add(new long[] {limit.steadyPerMinute(), 60_000_000_000L});
            for (int i = 0; i < windows.size() && i < available.length; i++) {
                if (available[i] < 1) {
                    wait = Math.max(wait, windows.get(i)[1] / windows.get(i)[0]);
                }
            }
            if (wait == 0) wait = 1_000_000L;
        }
        return new Reservation(granted, Math.max(0, remaining), wait);
    }
}
