package io.switchboard.db;

import io.switchboard.core.tenancy.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(ApiKey.class)
@RegisterConstructorMapper(ApiKeyDao.KeyMatch.class)
public interface ApiKeyDao {
    String COLUMNS = "company_id, id, kind, name, prefix, created_at, revoked_at, last_used_at";

    /** The id is an opaque ULID ({@link Ids#newId()}): a global sequence would let one tenant count others' keys. */
    @SqlQuery("INSERT INTO api_keys (company_id, id, kind, name, prefix, key_hash) "
            + "VALUES (:companyId, :id, :kind, :name, :prefix, :hash) RETURNING " + COLUMNS)
    ApiKey insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("kind") String kind, @Bind("name") String name,
                  @Bind("prefix") String prefix, @Bind("hash") byte[] hash);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE company_id = :companyId ORDER BY created_at, id")
    List<ApiKey> list(@Bind("companyId") long companyId);

    @SqlUpdate("UPDATE api_keys SET revoked_at = now() WHERE company_id = :companyId AND id = :id AND revoked_at IS NULL")
    int revoke(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE company_id = :companyId AND id = :id")
    Optional<ApiKey> find(@Bind("companyId") long companyId, @Bind("id") String id);

    /**
     * Key lookup by hash, before the company is known (the one lookup that cannot be scoped: it is
     * what finds the scope). The hash itself is re-compared in constant time by the caller.
     */
    @SqlQuery("SELECT k.company_id, c.public_id, k.id, k.kind, k.prefix, k.key_hash, k.revoked_at "
            + "FROM api_keys k JOIN companies c ON c.id = k.company_id WHERE k.key_hash = :hash")
    List<KeyMatch> findByHash(@Bind("hash") byte[] hash);

    record KeyMatch(long companyId, String publicId, String id, String kind, String prefix, byte[] keyHash,
                    Instant revokedAt) {}
}
