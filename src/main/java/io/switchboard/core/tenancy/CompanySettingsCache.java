package io.switchboard.core.tenancy;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The one cache of company settings, shared by the HTTP filters (CORS origins, rate-limit overrides) and
 * the core use cases (identity's strictness and merge settings, profile queries, triggers), re-read once they are
 * {@code maxAgeMillis} old (1 s: a PATCH of the settings takes effect within about a second on every
 * process). Staleness is bounded: while one request re-reads an entry that expired less than another
 * {@code maxAgeMillis} ago, concurrent requests keep the previous value (no one waits under steady
 * traffic); an entry older than that — a company idle for a while — is never served: concurrent requests
 * wait for the one re-read in flight. (Serving an idle entry stale let the first burst after a settings
 * change run under the old rate limit.) While the database is down the last known value is used, and a
 * company never read gets the defaults.
 */
public final class CompanySettingsCache {
    private record Entry(CompanySettings settings, long loadedAt) {}

    private final LongFunction<Optional<CompanySettings>> loader;
    private final BooleanSupplier databaseUp;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<CompanySettings>> loads = new ConcurrentHashMap<>();

    public CompanySettingsCache(LongFunction<Optional<CompanySettings>> loader, BooleanSupplier databaseUp,
                                long maxAgeMillis) {
        this(loader, databaseUp, maxAgeMillis, System::nanoTime);
    }

    public CompanySettingsCache(LongFunction<Optional<CompanySettings>> loader, BooleanSupplier databaseUp,
                                long maxAgeMillis, LongSupplier nanoClock) {
        this.loader = loader;
        this.databaseUp = databaseUp;
        this.maxAgeNanos = maxAgeMillis * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    public CompanySettings get(long companyId) {
        long now = nanoClock.getAsLong();
        Entry e = entries.get(companyId);
        if (e != null && now - e.loadedAt() < maxAgeNanos) {
            return e.settings();
        }
        CompanySettings fallback = e != null ? e.settings() : CompanySettings.DEFAULTS;
        if (!databaseUp.getAsBoolean()) {
            return fallback;
        }
        CompletableFuture<CompanySettings> mine = new CompletableFuture<>();
        CompletableFuture<CompanySettings> running = loads.putIfAbsent(companyId, mine);
        if (running != null) {
            if (e != null && now - e.loadedAt() < 2 * maxAgeNanos) {
                return e.settings(); // just expired and someone else is re-reading: bounded staleness
            }
            try {
                return running.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return fallback;
            } catch (Exception ex) {
                return fallback;
            }
        }
        CompanySettings result = fallback;
        try {
            result = loader.apply(companyId).orElse(CompanySettings.DEFAULTS);
            if (entries.size() > 100_000) entries.clear();
            entries.put(companyId, new Entry(result, nanoClock.getAsLong()));
            return result;
        } catch (RuntimeException ex) {
            return fallback;
        } finally {
            loads.remove(companyId, mine);
            mine.complete(result);
        }
    }

    /** Forget one company's settings (after a change in this process). */
    public void invalidate(long companyId) {
        entries.remove(companyId);
    }
}
