package io.switchboard.core.tenancy;

import java.time.Instant;

/** A key's stored metadata: never its plaintext or hash. */
public record ApiKey(long companyId, String id, String kind, String name, String prefix, Instant createdAt,
                     Instant revokedAt, Instant lastUsedAt) {
    public boolean revoked() { return revokedAt != null; }
}
