package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Seen idempotency keys. A claim is an {@code INSERT … ON CONFLICT DO NOTHING} inside the request's own
 * transaction: a concurrent claimant of the same key waits for the first one's commit (then sees the
 * conflict) or rollback (then claims it), so a key is "seen" exactly when its data is committed.
 */
public interface IdempotencyDao extends SqlObject {

    /** Claims many keys; returns {@code scope || ' ' || key} of the ones that were new. */
    @SqlQuery("INSERT INTO idempotency_keys (company_id, scope, key, expires_at) "
            + "SELECT :companyId, t.s, t.k, :expires FROM unnest(:scopes::text[], :keys::text[]) AS t(s, k) "
            + "ORDER BY t.s, t.k ON CONFLICT DO NOTHING RETURNING scope || ' ' || key")
    List<String> claim(@Bind("companyId") long companyId, @Bind("scopes") String[] scopes, @Bind("keys") String[] keys,
                       @Bind("expires") Instant expires);

    /** Claims one request key with the request's fingerprint; true when new. */
    @SqlUpdate("INSERT INTO idempotency_keys (company_id, scope, key, fingerprint, expires_at) "
            + "VALUES (:companyId, :scope, :key, :fingerprint, :expires) ON CONFLICT DO NOTHING")
    int claimRequest(@Bind("companyId") long companyId, @Bind("scope") String scope, @Bind("key") String key,
                     @Bind("fingerprint") String fingerprint, @Bind("expires") Instant expires);

    @SqlQuery("SELECT fingerprint FROM idempotency_keys WHERE company_id = :companyId AND scope = :scope AND key = :key")
    Optional<String> fingerprint(@Bind("companyId") long companyId, @Bind("scope") String scope, @Bind("key") String key);

    /** Purges expired keys of one company, at most {@code limit} rows per call. */
    @SqlUpdate("DELETE FROM idempotency_keys WHERE company_id = :companyId AND (scope, key) IN ("
            + "SELECT scope, key FROM idempotency_keys WHERE company_id = :companyId AND expires_at < :now LIMIT :limit)")
    int purge(@Bind("companyId") long companyId, @Bind("now") Instant now, @Bind("limit") int limit);

    @SqlQuery("SELECT id FROM companies ORDER BY id")
    List<Long> companyIds();
}
