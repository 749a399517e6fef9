package io.switchboard.limits;

import io.switchboard.core.tenancy.CompanySettings;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * Company settings (CORS origins, rate-limit overrides) for the HTTP filters, re-read at most every
 * {@code maxAgeMillis} (1 s: a PATCH of the settings takes effect within about a second on every
 * process). One request per company and interval re-reads; the others keep using the previous value.
 * While the database is down the last known value is used, and a company never read gets the defaults.
 */
public final class CompanySettingsCache {
    private record Entry(CompanySettings settings, long loadedAt, AtomicBoolean refreshing) {}

    private final LongFunction<Optional<CompanySettings>> loader;
    private final BooleanSupplier databaseUp;
    private final long maxAgeNanos;
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();

    public CompanySettingsCache(LongFunction<Optional<CompanySettings>> loader, BooleanSupplier databaseUp,
                                long maxAgeMillis) {
        this.loader = loader;
        this.databaseUp = databaseUp;
        this.maxAgeNanos = maxAgeMillis * 1_000_000L;
    }

    public CompanySettings get(long companyId) {
        long now = System.nanoTime();
        Entry e = entries.get(companyId);
        if (e != null && now - e.loadedAt() < maxAgeNanos) {
            return e.settings();
        }
        if (e != null && !e.refreshing().compareAndSet(false, true)) {
            return e.settings(); // someone else is re-reading
        }
        if (!databaseUp.getAsBoolean()) {
            if (e != null) e.refreshing().set(false);
            return e != null ? e.settings() : CompanySettings.DEFAULTS;
        }
        try {
            CompanySettings s = loader.apply(companyId).orElse(CompanySettings.DEFAULTS);
            if (entries.size() > 100_000) entries.clear();
            entries.put(companyId, new Entry(s, System.nanoTime(), new AtomicBoolean()));
            return s;
        } catch (RuntimeException ex) {
            if (e != null) e.refreshing().set(false);
            return e != null ? e.settings() : CompanySettings.DEFAULTS;
        }
    }

    /** Forget one company's settings (after a change in this process). */
    public void invalidate(long companyId) {
        entries.remove(companyId);
    }
}
