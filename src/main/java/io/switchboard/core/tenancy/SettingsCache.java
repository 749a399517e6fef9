package io.switchboard.core.tenancy;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.time.Duration;

/** Company settings by internal id, cached briefly (settings change rarely; a PATCH is visible within the TTL). */
public class SettingsCache {
    private final LoadingCache<Long, CompanySettings> cache;

    public SettingsCache(TenancyService tenancy, Duration ttl) {
        this.cache = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl)
                .build(id -> tenancy.company(id).map(Company::settings).orElse(CompanySettings.DEFAULTS));
    }

    public CompanySettings get(long companyId) {
        return cache.get(companyId);
    }

    public void invalidate(long companyId) {
        cache.invalidate(companyId);
    }
}
