package io.switchboard.db;

import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.Channel;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Campaigns and their templates. Every statement is scoped by company_id. */
@RegisterRowMapper(CampaignDao.Mapper.class)
public interface CampaignDao extends SqlObject {
    /**
     * Campaign columns with its templates folded into one jsonb object keyed by locale. The subquery names
     * {@code :companyId} itself so that Citus routes the statement to one shard (docs/scale.md).
     */
    String COLUMNS = "c.company_id, c.id, c.name, c.channel, c.provider_id, c.state, c.subscription, c.default_locale, "
            + "c.created_at, c.updated_at, (SELECT coalesce(jsonb_object_agg(t.locale, t.data), '{}'::jsonb)::text "
            + "FROM templates t WHERE t.company_id = :companyId AND t.campaign_id = c.id) AS templates";

    /** The id is an opaque ULID ({@link Ids#newId()}), never a count. */
    @SqlUpdate("INSERT INTO campaigns (company_id, id, name, channel, provider_id, state, subscription, default_locale) "
            + "VALUES (:companyId, :id, :name, :channel, :providerId, :state, :subscription, :defaultLocale)")
    void insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name, @Bind("channel") String channel,
                @Bind("providerId") String providerId, @Bind("state") String state,
                @Bind("subscription") String subscription, @Bind("defaultLocale") String defaultLocale);

    @SqlUpdate("UPDATE campaigns SET name = :name, provider_id = :providerId, state = :state, subscription = :subscription, "
            + "default_locale = :defaultLocale, updated_at = now() WHERE company_id = :companyId AND id = :id")
    int update(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name,
               @Bind("providerId") String providerId, @Bind("state") String state,
               @Bind("subscription") String subscription, @Bind("defaultLocale") String defaultLocale);

    @SqlQuery("SELECT " + COLUMNS + " FROM campaigns c WHERE c.company_id = :companyId AND c.id = :id")
    Optional<Campaign> find(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM campaigns c WHERE c.company_id = :companyId AND c.id = :id FOR SHARE OF c")
    Optional<Campaign> findForShare(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM campaigns c WHERE c.company_id = :companyId ORDER BY c.created_at, c.id")
    List<Campaign> list(@Bind("companyId") long companyId);

    /** {@code updated_at} comes through EXCLUDED: Citus refuses non-immutable functions in DO UPDATE SET. */
    @SqlUpdate("INSERT INTO templates (company_id, campaign_id, locale, data, updated_at) "
            + "VALUES (:companyId, :campaignId, :locale, :data, now()) "
            + "ON CONFLICT (company_id, campaign_id, locale) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at")
    void upsertTemplate(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId,
                        @Bind("locale") String locale, @Bind("data") @Json Map<String, Object> data);

    @SqlUpdate("DELETE FROM templates WHERE company_id = :companyId AND campaign_id = :campaignId AND locale = :locale")
    int deleteTemplate(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId, @Bind("locale") String locale);

    @SqlQuery("SELECT count(*) FROM sends WHERE company_id = :companyId AND campaign_id = :id")
    long sendCount(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlUpdate("DELETE FROM campaigns WHERE company_id = :companyId AND id = :id")
    int delete(@Bind("companyId") long companyId, @Bind("id") String id);

    class Mapper implements RowMapper<Campaign> {
        @Override
        @SuppressWarnings("unchecked")
        public Campaign map(ResultSet rs, StatementContext ctx) throws SQLException {
            Map<String, Map<String, Object>> templates = new LinkedHashMap<>();
            JsonColumns.map(rs, "templates").forEach((k, v) -> templates.put(k, (Map<String, Object>) v));
            return new Campaign(rs.getLong("company_id"), rs.getString("id"), rs.getString("name"),
                    Channel.parse(rs.getString("channel")).orElseThrow(), rs.getString("provider_id"),
                    rs.getString("state"), rs.getString("subscription"), rs.getString("default_locale"), templates,
                    JsonColumns.instant(rs, "created_at"), JsonColumns.instant(rs, "updated_at"));
        }
    }
}
