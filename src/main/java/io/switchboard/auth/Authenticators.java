package io.switchboard.auth;

import io.switchboard.core.tenancy.Keys;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dropwizard.auth.Authenticator;
import io.switchboard.core.tenancy.TenancyService;
import java.time.Duration;
import java.util.Optional;

/**
 * The three authenticators. Key and company lookups are cached for one second, the revocation bound of
 * tenancy.md: a revoked key stops working within a second on every server process.
 */
public final class Authenticators {
    private final TenancyService tenancy;
    private final String adminToken;
    private final Cache<String, Optional<Caller>> keyCache;
    private final Cache<String, Optional<Caller>> companyCache;

    public Authenticators(TenancyService tenancy, String adminToken, Duration ttl) {
        this.tenancy = tenancy;
        this.adminToken = adminToken == null ? "" : adminToken;
        this.keyCache = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl).build();
        this.companyCache = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl).build();
    }

    /** pk_/sk_ keys. The cache is keyed by the key's SHA-256, so no plaintext key is held. */
    public Authenticator<String, Caller> keys() {
        return key -> {
            if (!Keys.looksLikeKey(key)) return Optional.empty();
            Optional<Caller> c = keyCache.get(java.util.HexFormat.of().formatHex(Keys.hash(key)),
                    h -> tenancy.authenticateKey(key).map(o -> new Caller(o.companyId(), o.companyPublicId(),
                            o.secret() ? Caller.Kind.SECRET : Caller.Kind.PUBLIC, o.keyId(), o.prefix())));
            c.ifPresent(x -> tenancy.keyUsed(x.companyId(), x.keyId()));
            return c;
        };
    }

    /** The bootstrap admin token (constant-time), else a key. */
    public Authenticator<String, Caller> adminOrKeys() {
        Authenticator<String, Caller> keys = keys();
        return token -> {
            if (!adminToken.isEmpty() && Keys.constantTimeEquals(adminToken, token)) {
                return Optional.of(Caller.admin());
            }
            return keys.authenticate(token);
        };
    }

    /** Whether an admin token is configured (the admin API's 401 says so when it is not). */
    public boolean adminTokenConfigured() {
        return !adminToken.isEmpty();
    }

    /** Klaviyo's public company id. */
    public Authenticator<String, Caller> companyIds() {
        return id -> companyCache.get(id,
                k -> tenancy.companyByPublicId(k).map(c -> Caller.client(c.id(), c.publicId())));
    }

    /** Drop cached lookups (after a revocation in this process, so it is immediate here). */
    public void invalidate() {
        keyCache.invalidateAll();
        companyCache.invalidateAll();
    }
}
