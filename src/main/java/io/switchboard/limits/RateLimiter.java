package io.switchboard.limits;

import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per company and endpoint class rate limiting over {@link SharedBuckets}, with a cheap hot path.
 *
 * <p>Each server process keeps, per (company, class, limit), a small local allowance of tokens it has
 * already taken from the shared bucket. A request takes one local token with a CAS (no I/O); when the
 * allowance is empty one thread reserves the next batch ({@link RateLimitConfig#batchFor}: ~50 ms of the
 * burst rate, 1 token for small limits) in one shared-bucket round trip while the others wait for it;
 * for batches of 4 or more the next batch is reserved in the background once half of the current one
 * is used, so requests rarely wait for the database at all.
 * Because tokens are taken from the shared bucket before they are handed out, all processes together
 * never admit more than the limit; unused reservations are dropped after
 * {@link RateLimitConfig#getReservationTtlMillis()} so an idle process holds none. A denial is
 * remembered locally until the bucket has refilled a whole batch, so a client hammering a throttled
 * class costs at most (rate / batch) round trips a second per process. If the shared store fails, the limiter fails open (the request itself will
 * meet the same database and answer 503) and retries the store after a second.
 */
public final class RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    /** Outcome for one request. Headers: limit, remaining (approximate), reset seconds; or retry-after. */
    public record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds) {}

    /**
     * The allowance key. Not a record: its hash is computed once, and the limit is compared by reference
     * first (the settings cache hands out the same instance), because this lookup runs on every limited
     * request and a record's generated hashCode/equals over the nested {@link RateLimit} showed in profiles.
     */
    private static final class Key {
        private final long companyId;
        private final RateClass rateClass;
        private final RateLimit limit;
        private final int hash;

        Key(long companyId, RateClass rateClass, RateLimit limit) {
            this.companyId = companyId;
            this.rateClass = rateClass;
            this.limit = limit;
            this.hash = (Long.hashCode(companyId) * 31 + rateClass.hashCode()) * 31 + limit.hashCode();
        }

        long companyId() { return companyId; }

        RateClass rateClass() { return rateClass; }

        RateLimit limit() { return limit; }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.companyId == companyId && k.rateClass == rateClass
                    && (k.limit == limit || k.limit.equals(limit));
        }
    }

    private final SharedBuckets buckets;
    private final RateLimitConfig config;
    private final LongSupplier nanoClock;
    private final Cache<Key, Allowance> allowances;
    private final LongAdder remoteCalls = new LongAdder();
    private final ExecutorService prefetcher = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "rate-limit-prefetch");
        t.setDaemon(true);
        return t;
    });
    private volatile long storeBrokenUntil;
    private volatile long lastFailureLog;

    public RateLimiter(SharedBuckets buckets, RateLimitConfig config) {
        this(buckets, config, System::nanoTime);
    }

    public RateLimiter(SharedBuckets buckets, RateLimitConfig config, LongSupplier nanoClock) {
        this.buckets = buckets;
        this.config = config;
        this.nanoClock = nanoClock;
        this.allowances = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(5)).maximumSize(200_000).build();
    }

    public RateLimitConfig config() {
        return config;
    }

    /** Shared-bucket round trips so far (for tests and the overhead measurement). */
    public long remoteCalls() {
        return remoteCalls.sum();
    }

    /** Takes one token for a request of {@code companyId} in {@code rateClass} under {@code limit}. */
    public Decision acquire(long companyId, RateClass rateClass, RateLimit limit) {
        if (limit.unlimited()) {
            return new Decision(true, 0, 0, 0, 0);
        }
        Allowance a = allowances.get(new Key(companyId, rateClass, limit), k -> new Allowance(k));
        return a.acquire();
    }

    private final class Allowance {
        private final Key key;
        private final String bucketKey;
        private final long batch;
        private final long minDenyNanos;
        private final long prefetchAt;
        private final AtomicBoolean prefetching = new AtomicBoolean();
        private final AtomicLong tokens = new AtomicLong();
        private final ReentrantLock refill = new ReentrantLock();
        private volatile long validUntil;
        private volatile long deniedUntil;
        private volatile long remoteRemaining;

        Allowance(Key key) {
            this.key = key;
            this.bucketKey = key.companyId() + ":" + key.rateClass().key() + ":" + key.limit().keyPart();
            this.batch = config.batchFor(key.limit());
            RateLimit l = key.limit();
            long perSecond = l.burstPerSecond() > 0 ? l.burstPerSecond() : Math.max(1, l.steadyPerMinute() / 60);
            // once denied, wait until a whole batch has refilled: a client hammering a throttled class then
            // costs at most (rate / batch) round trips a second, and is admitted at the full rate after
            this.minDenyNanos = batch * 1_000_000_000L / perSecond;
            // with half a batch left, the next batch is reserved in the background, so requests rarely
            // wait for a round trip; tiny batches (small limits) stay synchronous and exact
            this.prefetchAt = config.isPrefetch() && batch >= 4 ? batch / 2 : 0;
            this.remoteRemaining = key.limit().reportedLimit();
        }

        Decision acquire() {
            long now = nanoClock.getAsLong();
            if (now - deniedUntil < 0) {
                return denied(deniedUntil - now);
            }
            if (now - validUntil < 0 && takeLocal()) {
                maybePrefetch();
                return allowed();
            }
            refill.lock();
            try {
                now = nanoClock.getAsLong();
                if (now - deniedUntil < 0) {
                    return denied(deniedUntil - now);
                }
                if (now - validUntil < 0 && takeLocal()) {
                    return allowed(); // another thread refilled while we waited
                }
                if (now - storeBrokenUntil < 0) {
                    return allowed(); // fail open while the store is broken
                }
                SharedBuckets.Reservation r;
                try {
                    remoteCalls.increment();
                    r = buckets.reserve(bucketKey, key.limit(), batch);
                } catch (RuntimeException e) {
                    storeBrokenUntil = now + 1_000_000_000L;
                    if (now - lastFailureLog > 10_000_000_000L || lastFailureLog == 0) {
                        lastFailureLog = now;
                        LOG.warn("rate-limit store unavailable, failing open for 1 s: {}", e.toString());
                    }
                    return allowed();
                }
                remoteRemaining = r.remaining();
                if (r.granted() <= 0) {
                    tokens.set(0);
                    long wait = Math.max(r.nanosToWait(), minDenyNanos);
                    deniedUntil = now + wait;
                    return denied(wait);
                }
                if (now - validUntil >= 0) {
                    tokens.set(0); // reserved tokens past their lifetime are dropped
                }
                tokens.addAndGet(r.granted() - 1);
                validUntil = now + config.getReservationTtlMillis() * 1_000_000L;
                return allowed();
            } finally {
                refill.unlock();
            }
        }

        /** Starts a background reservation when the local allowance runs low (not for tiny batches). */
        private void maybePrefetch() {
            if (prefetchAt > 0 && tokens.get() <= prefetchAt && !prefetching.get()
                    && prefetching.compareAndSet(false, true)) {
                try {
                    prefetcher.execute(this::prefetch);
                } catch (RuntimeException e) {
                    prefetching.set(false);
                }
            }
        }

        private void prefetch() {
            try {
                refill.lock();
                try {
                    long now = nanoClock.getAsLong();
                    if (now - storeBrokenUntil < 0 || now - deniedUntil < 0 || tokens.get() > prefetchAt) {
                        return;
                    }
                    SharedBuckets.Reservation r;
                    try {
                        remoteCalls.increment();
                        r = buckets.reserve(bucketKey, key.limit(), batch);
                    } catch (RuntimeException e) {
                        storeBrokenUntil = now + 1_000_000_000L;
                        return;
                    }
                    remoteRemaining = r.remaining();
                    if (r.granted() > 0) {
                        if (now - validUntil >= 0) tokens.set(0);
                        tokens.addAndGet(r.granted());
                        validUntil = now + config.getReservationTtlMillis() * 1_000_000L;
                    }
                } finally {
                    refill.unlock();
                }
            } finally {
                prefetching.set(false);
            }
        }

        private boolean takeLocal() {
            for (;;) {
                long t = tokens.get();
                if (t <= 0) return false;
                if (tokens.compareAndSet(t, t - 1)) return true;
            }
        }

        private Decision allowed() {
            RateLimit l = key.limit();
            long limit = l.reportedLimit();
            long remaining = Math.min(limit, Math.max(0, remoteRemaining + Math.max(0, tokens.get())));
            return new Decision(true, limit, remaining, l.secondsToRefill(limit - remaining), 0);
        }

        private Decision denied(long nanos) {
            long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
            return new Decision(false, key.limit().reportedLimit(), 0, seconds, seconds);
        }
    }
}
