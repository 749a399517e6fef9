package io.switchboard.db;

import io.switchboard.core.campaigns.Provider;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Delivery providers. Every statement is scoped by company_id. */
@RegisterRowMapper(ProviderDao.Mapper.class)
public interface ProviderDao {
    String COLUMNS = "company_id, id, type, name, config::text AS config, rate_limit, rate_interval, created_at, updated_at";

    /** The id is an opaque ULID ({@link Ids#newId()}), never a count. */
    @SqlQuery("INSERT INTO providers (company_id, id, type, name, config, rate_limit, rate_interval) "
            + "VALUES (:companyId, :id, :type, :name, :config, :rateLimit, :rateInterval) RETURNING " + COLUMNS)
    Provider insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("type") String type, @Bind("name") String name,
                    @Bind("config") @Json Map<String, Object> config, @Bind("rateLimit") Integer rateLimit,
                    @Bind("rateInterval") String rateInterval);

    @SqlQuery("UPDATE providers SET name = :name, config = :config, rate_limit = :rateLimit, "
            + "rate_interval = :rateInterval, updated_at = now() WHERE company_id = :companyId AND id = :id RETURNING " + COLUMNS)
    Optional<Provider> update(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name,
                              @Bind("config") @Json Map<String, Object> config, @Bind("rateLimit") Integer rateLimit,
                              @Bind("rateInterval") String rateInterval);

    @SqlQuery("SELECT " + COLUMNS + " FROM providers WHERE company_id = :companyId AND id = :id")
    Optional<Provider> find(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM providers WHERE company_id = :companyId ORDER BY created_at, id")
    List<Provider> list(@Bind("companyId") long companyId);

    @SqlQuery("SELECT count(*) FROM campaigns WHERE company_id = :companyId AND provider_id = :id")
    long campaignsUsing(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlUpdate("DELETE FROM providers WHERE company_id = :companyId AND id = :id")
    int delete(@Bind("companyId") long companyId, @Bind("id") String id);

    class Mapper implements RowMapper<Provider> {
        @Override
        public Provider map(ResultSet rs, StatementContext ctx) throws SQLException {
            return new Provider(rs.getLong("company_id"), rs.getString("id"), rs.getString("type"), rs.getString("name"),
                    JsonColumns.map(rs, "config"), JsonColumns.nullableInt(rs, "rate_limit"),
                    rs.getString("rate_interval"), JsonColumns.instant(rs, "created_at"),
                    JsonColumns.instant(rs, "updated_at"));
        }
    }
}
