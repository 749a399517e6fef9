package io.switchboard.db;

import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.CompanySettings;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The tenant directory. The only table not filtered by company_id: it is where company_id comes from. */
@RegisterConstructorMapper(Company.class)
public interface CompanyDao {
    String COLUMNS = "id, public_id, name, created_at, settings";

    @SqlQuery("INSERT INTO companies (public_id, name, settings) VALUES (:publicId, :name, :settings) "
            + "ON CONFLICT (public_id) DO NOTHING RETURNING " + COLUMNS)
    Optional<Company> insert(@Bind("publicId") String publicId, @Bind("name") String name,
                             @Bind("settings") @Json CompanySettings settings);

    @SqlQuery("SELECT " + COLUMNS + " FROM companies WHERE id = :id")
    Optional<Company> findById(@Bind("id") long id);

    @SqlQuery("SELECT " + COLUMNS + " FROM companies WHERE public_id = :publicId")
    Optional<Company> findByPublicId(@Bind("publicId") String publicId);

    /** The company, its row locked until the transaction ends (read-modify-write of settings). */
    @SqlQuery("SELECT " + COLUMNS + " FROM companies WHERE id = :id FOR UPDATE")
    Optional<Company> lock(@Bind("id") long id);

    @SqlUpdate("UPDATE companies SET settings = :settings WHERE id = :id")
    int updateSettings(@Bind("id") long id, @Bind("settings") @Json CompanySettings settings);

    @SqlQuery("SELECT count(*) FROM companies")
    long count();
}
