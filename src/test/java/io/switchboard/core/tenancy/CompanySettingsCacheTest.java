package io.switchboard.core.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CompanySettingsCacheTest {
    static final CompanySettings OLD = CompanySettings.DEFAULTS;
    static final CompanySettings NEW = new CompanySettings("US", List.of(), List.of(),
            Map.of("ingestion", new CompanySettings.RateLimitOverride(3, 0)));

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final AtomicReference<CompanySettings> stored = new AtomicReference<>(OLD);
    final AtomicInteger loads = new AtomicInteger();
    volatile CountDownLatch loaderGate = new CountDownLatch(0);

    CompanySettingsCache cache(boolean[] up) {
        return new CompanySettingsCache(id -> {
            loads.incrementAndGet();
            try {
                loaderGate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            return Optional.of(stored.get());
        }, () -> up[0], 1_000, clock::get);
    }

    @Test
    void freshEntriesAreServedWithoutReading() {
        CompanySettingsCache c = cache(new boolean[] {true});
        c.get(1);
        stored.set(NEW);
        clock.addAndGet(999_000_000L);
        assertThat(c.get(1)).isEqualTo(OLD);
        assertThat(loads).hasValue(1);
        clock.addAndGet(1_000_000L);
        assertThat(c.get(1)).isEqualTo(NEW);
        assertThat(loads).hasValue(2);
    }

    /** The first burst after an idle period (and a settings change) all sees the new settings. */
    @Test
    void anIdleEntryIsNeverServedStaleToAConcurrentBurst() throws Exception {
        CompanySettingsCache c = cache(new boolean[] {true});
        c.get(1);
        stored.set(NEW);
        clock.addAndGet(6_000_000_000L); // idle for 6 s
        loaderGate = new CountDownLatch(1); // the re-read is slow
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<CompanySettings>> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) seen.add(pool.submit(() -> c.get(1)));
        Thread.sleep(200);
        loaderGate.countDown();
        for (Future<CompanySettings> f : seen) assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(NEW);
        pool.shutdown();
        assertThat(loads.get()).isLessThanOrEqualTo(3); // coalesced: one re-read (plus stragglers after it)
    }

    /** Under steady traffic a just-expired entry is served while one request re-reads: nobody waits. */
    @Test
    void aJustExpiredEntryIsServedWhileOneRequestReReads() throws Exception {
        CompanySettingsCache c = cache(new boolean[] {true});
        c.get(1);
        stored.set(NEW);
        clock.addAndGet(1_200_000_000L);
        loaderGate = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<CompanySettings> refresher = pool.submit(() -> c.get(1));
        while (loads.get() < 2) Thread.sleep(1);
        assertThat(c.get(1)).isEqualTo(OLD); // does not block
        loaderGate.countDown();
        assertThat(refresher.get(5, TimeUnit.SECONDS)).isEqualTo(NEW);
        assertThat(c.get(1)).isEqualTo(NEW);
        pool.shutdown();
    }

    @Test
    void theLastKnownValueIsUsedWhileTheDatabaseIsDownAndDefaultsForUnknownCompanies() {
        boolean[] up = {true};
        CompanySettingsCache c = cache(up);
        stored.set(NEW);
        c.get(1);
        up[0] = false;
        clock.addAndGet(10_000_000_000L);
        assertThat(c.get(1)).isEqualTo(NEW);
        assertThat(c.get(2)).isEqualTo(CompanySettings.DEFAULTS);
        assertThat(loads).hasValue(1);
    }

    @Test
    void aFailingReadFallsBackToTheLastKnownValue() {
        AtomicInteger calls = new AtomicInteger();
        CompanySettingsCache c = new CompanySettingsCache(id -> {
            if (calls.incrementAndGet() > 1) throw new IllegalStateException("down");
            return Optional.of(NEW);
        }, () -> true, 1_000, clock::get);
        assertThat(c.get(1)).isEqualTo(NEW);
        clock.addAndGet(5_000_000_000L);
        assertThat(c.get(1)).isEqualTo(NEW);
        assertThat(c.get(1)).isEqualTo(NEW); // not stuck: the failed re-read left no load in flight
        assertThat(calls).hasValue(3);
    }
}
