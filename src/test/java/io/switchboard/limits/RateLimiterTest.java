package io.switchboard.limits;

import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.core.tenancy.CompanySettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    static RateLimiter limiter(SharedBuckets b) {
        return new RateLimiter(b, new RateLimitConfig());
    }

    @Test
    void reservesBatchesSoMostRequestsCostNoRoundTrip() {
        RateLimiter l = limiter(Bucket4jBuckets.inMemory());
        RateLimit klaviyoClient = new RateLimit(350, 3500);
        for (int i = 0; i < 100; i++) {
            assertThat(l.acquire(1, RateClass.CLIENT, klaviyoClient).allowed()).isTrue();
        }
        // 50 ms of 350/s = 17 tokens per reservation (one more may be in flight in the background)
        assertThat(new RateLimitConfig().batchFor(klaviyoClient)).isEqualTo(17);
        assertThat(l.remoteCalls()).isBetween(6L, 7L);
    }

    @Test
    void smallLimitsAreExactAndNeverOverAdmitted() {
        RateLimiter l = limiter(Bucket4jBuckets.inMemory());
        RateLimit bulk = new RateLimit(10, 150);
        assertThat(new RateLimitConfig().batchFor(bulk)).isEqualTo(1);
        int allowed = 0;
        for (int i = 0; i < 50; i++) {
            if (l.acquire(1, RateClass.BULK, bulk).allowed()) allowed++;
        }
        assertThat(allowed).isBetween(10, 11);
    }

    @Test
    void aDenialIsRememberedLocallyUntilTheRefill() {
        RateLimiter l = limiter(Bucket4jBuckets.inMemory());
        RateLimit oncePerMinute = new RateLimit(0, 1);
        RateLimiter.Decision first = l.acquire(7, RateClass.SERVER, oncePerMinute);
        assertThat(first.allowed()).isTrue();
        assertThat(first.limit()).isEqualTo(1);
        assertThat(first.remaining()).isZero();
        assertThat(first.resetSeconds()).isEqualTo(60);
        RateLimiter.Decision denied = l.acquire(7, RateClass.SERVER, oncePerMinute);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfterSeconds()).isBetween(59L, 60L);
        long calls = l.remoteCalls();
        for (int i = 0; i < 100; i++) {
            assertThat(l.acquire(7, RateClass.SERVER, oncePerMinute).allowed()).isFalse();
        }
        assertThat(l.remoteCalls()).isEqualTo(calls);
    }

    @Test
    void companiesClassesAndLimitsHaveSeparateBuckets() {
        RateLimiter l = limiter(Bucket4jBuckets.inMemory());
        RateLimit one = new RateLimit(1, 1);
        assertThat(l.acquire(1, RateClass.CLIENT, one).allowed()).isTrue();
        assertThat(l.acquire(1, RateClass.CLIENT, one).allowed()).isFalse();
        assertThat(l.acquire(2, RateClass.CLIENT, one).allowed()).isTrue();
        assertThat(l.acquire(1, RateClass.SERVER, one).allowed()).isTrue();
        // a changed limit (a settings PATCH) starts a fresh bucket
        assertThat(l.acquire(1, RateClass.CLIENT, new RateLimit(2, 2)).allowed()).isTrue();
        assertThat(l.acquire(3, RateClass.CLIENT, RateLimit.UNLIMITED).allowed()).isTrue();
    }

    @Test
    void failsOpenWhileTheStoreIsBrokenAndRetriesAfterASecond() {
        AtomicInteger calls = new AtomicInteger();
        SharedBuckets broken = (key, limit, wanted) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("database down");
        };
        RateLimiter l = limiter(broken);
        for (int i = 0; i < 100; i++) {
            assertThat(l.acquire(1, RateClass.CLIENT, new RateLimit(1, 1)).allowed()).isTrue();
        }
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void reservedTokensExpireSoAnIdleProcessHoldsNone() {
        AtomicLong clock = new AtomicLong(0);
        AtomicInteger calls = new AtomicInteger();
        SharedBuckets counting = (key, limit, wanted) -> {
            calls.incrementAndGet();
            return new SharedBuckets.Reservation(wanted, 100, 0);
        };
        RateLimitConfig cfg = new RateLimitConfig();
        cfg.setPrefetch(false);
        RateLimiter l = new RateLimiter(counting, cfg, clock::get);
        RateLimit client = new RateLimit(350, 3500);
        l.acquire(1, RateClass.CLIENT, client);
        l.acquire(1, RateClass.CLIENT, client);
        assertThat(calls.get()).isEqualTo(1);
        clock.addAndGet(cfg.getReservationTtlMillis() * 1_000_000L + 1);
        l.acquire(1, RateClass.CLIENT, client);
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void prefetchesTheNextBatchInTheBackground() throws Exception {
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(2);
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        SharedBuckets b = (key, limit, wanted) -> {
            threads.add(Thread.currentThread().getName());
            second.countDown();
            return new SharedBuckets.Reservation(wanted, 1000, 0);
        };
        RateLimiter l = limiter(b);
        RateLimit client = new RateLimit(350, 3500);
        for (int i = 0; i < 10; i++) {
            assertThat(l.acquire(1, RateClass.CLIENT, client).allowed()).isTrue();
        }
        assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).anyMatch(n -> n.startsWith("rate-limit-prefetch"));
        // 17 + 17 reserved, 10 used: 24 more without any further round trip
        long calls = l.remoteCalls();
        for (int i = 0; i < 24; i++) l.acquire(1, RateClass.CLIENT, client);
        assertThat(l.remoteCalls()).isLessThanOrEqualTo(calls + 1);
    }

    @Test
    void concurrentCallersNeverExceedTheBucket() throws Exception {
        RateLimiter l = limiter(Bucket4jBuckets.inMemory());
        RateLimit limit = new RateLimit(200, 100_000);
        AtomicInteger allowed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            fs.add(pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    if (l.acquire(9, RateClass.CLIENT, limit).allowed()) allowed.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : fs) f.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        // capacity 200 plus what refilled meanwhile (200/s)
        assertThat(allowed.get()).isGreaterThanOrEqualTo(200).isLessThanOrEqualTo(200 + (int) Math.ceil(seconds * 200) + 1);
    }

    @Test
    void companyOverridesApplyFieldByFieldOverConfiguredDefaults() {
        RateLimitConfig cfg = new RateLimitConfig();
        cfg.setClasses(Map.of("ingestion", new RateLimitConfig.ClassLimit(1000L, null)));
        assertThat(cfg.limitFor(RateClass.INGESTION, CompanySettings.DEFAULTS))
                .isEqualTo(new RateLimit(1000, RateClass.INGESTION.defaults().steadyPerMinute()));
        CompanySettings s = new CompanySettings(null, null, null,
                Map.of("client", new CompanySettings.RateLimitOverride(null, 60)));
        assertThat(cfg.limitFor(RateClass.CLIENT, s)).isEqualTo(new RateLimit(350, 60));
        assertThat(cfg.limitFor(RateClass.SERVER, s)).isEqualTo(new RateLimit(75, 750));
    }
}
