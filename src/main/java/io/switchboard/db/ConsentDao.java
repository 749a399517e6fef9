package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Consent per channel, lists and memberships, back-in-stock requests, Segment groups. */
public interface ConsentDao extends SqlObject {

    record SubscriptionRow(String profileId, String channel, String purpose, String state, Instant consentedAt,
                           String source, String customSource, Instant updatedAt) {}

    record MembershipRow(String kind, String targetId, String profileId, Instant createdAt, String detail) {}

    @SqlUpdate("INSERT INTO subscriptions (company_id, profile_id, channel, purpose, state, consented_at, source, "
            + "custom_source, updated_at) VALUES (:companyId, :profileId, :channel, :purpose, :state, :consentedAt, "
            + ":source, :customSource, :now) ON CONFLICT (company_id, profile_id, channel, purpose) DO UPDATE SET "
            + "state = EXCLUDED.state, consented_at = COALESCE(EXCLUDED.consented_at, subscriptions.consented_at), "
            + "source = EXCLUDED.source, custom_source = COALESCE(EXCLUDED.custom_source, subscriptions.custom_source), "
            + "updated_at = EXCLUDED.updated_at")
    void upsertSubscription(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                            @Bind("channel") String channel, @Bind("purpose") String purpose,
                            @Bind("state") String state, @Bind("consentedAt") Instant consentedAt,
                            @Bind("source") String source, @Bind("customSource") String customSource,
                            @Bind("now") Instant now);

    @SqlUpdate("INSERT INTO lists (company_id, id, name) VALUES (:companyId, :id, :id) ON CONFLICT DO NOTHING")
    void ensureList(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlUpdate("INSERT INTO list_memberships (company_id, list_id, profile_id) VALUES (:companyId, :listId, :profileId) "
            + "ON CONFLICT DO NOTHING")
    void join(@Bind("companyId") long companyId, @Bind("listId") String listId, @Bind("profileId") String profileId);

    @SqlUpdate("DELETE FROM list_memberships WHERE company_id = :companyId AND list_id = :listId "
            + "AND profile_id = ANY(:profiles)")
    void leave(@Bind("companyId") long companyId, @Bind("listId") String listId, @Bind("profiles") String[] profiles);

    @SqlUpdate("INSERT INTO back_in_stock_requests (company_id, profile_id, variant_id, channels, updated_at) "
            + "VALUES (:companyId, :profileId, :variantId, :channels, :now) "
            + "ON CONFLICT (company_id, profile_id, variant_id) DO UPDATE SET channels = EXCLUDED.channels, "
            + "updated_at = EXCLUDED.updated_at")
    void backInStock(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                     @Bind("variantId") String variantId, @Bind("channels") String[] channels, @Bind("now") Instant now);

    /** {@code updated_at} comes through EXCLUDED: Citus refuses non-immutable functions in DO UPDATE SET. */
    @SqlUpdate("INSERT INTO groups (company_id, group_id, traits, updated_at) VALUES (:companyId, :groupId, :traits::jsonb, now()) "
            + "ON CONFLICT (company_id, group_id) DO UPDATE SET traits = groups.traits || EXCLUDED.traits, "
            + "updated_at = EXCLUDED.updated_at")
    void upsertGroup(@Bind("companyId") long companyId, @Bind("groupId") String groupId, @Bind("traits") String traits);

    @SqlUpdate("INSERT INTO group_memberships (company_id, group_id, profile_id) VALUES (:companyId, :groupId, :profileId) "
            + "ON CONFLICT DO NOTHING")
    void joinGroup(@Bind("companyId") long companyId, @Bind("groupId") String groupId, @Bind("profileId") String profileId);

    @SqlUpdate("DELETE FROM group_memberships WHERE company_id = :companyId AND group_id = :groupId "
            + "AND profile_id = ANY(:profiles)")
    void leaveGroup(@Bind("companyId") long companyId, @Bind("groupId") String groupId, @Bind("profiles") String[] profiles);

    // ---- merges: the loser's rows become the survivor's; on a clash the newer consent wins

    @SqlUpdate("INSERT INTO subscriptions (company_id, profile_id, channel, purpose, state, consented_at, source, "
            + "custom_source, updated_at) SELECT company_id, :survivor, channel, purpose, state, consented_at, source, "
            + "custom_source, updated_at FROM subscriptions WHERE company_id = :companyId AND profile_id = :loser "
            + "ON CONFLICT (company_id, profile_id, channel, purpose) DO UPDATE SET state = EXCLUDED.state, "
            + "consented_at = EXCLUDED.consented_at, source = EXCLUDED.source, custom_source = EXCLUDED.custom_source, "
            + "updated_at = EXCLUDED.updated_at WHERE EXCLUDED.updated_at > subscriptions.updated_at")
    void copySubscriptions(@Bind("companyId") long companyId, @Bind("loser") String loser,
                           @Bind("survivor") String survivor);

    @SqlUpdate("INSERT INTO list_memberships (company_id, list_id, profile_id, created_at) SELECT company_id, list_id, "
            + ":survivor, created_at FROM list_memberships WHERE company_id = :companyId AND profile_id = :loser "
            + "ON CONFLICT DO NOTHING")
    void copyListMemberships(@Bind("companyId") long companyId, @Bind("loser") String loser,
                             @Bind("survivor") String survivor);

    @SqlUpdate("INSERT INTO back_in_stock_requests (company_id, profile_id, variant_id, channels, created_at, updated_at) "
            + "SELECT company_id, :survivor, variant_id, channels, created_at, updated_at FROM back_in_stock_requests "
            + "WHERE company_id = :companyId AND profile_id = :loser ON CONFLICT DO NOTHING")
    void copyBackInStock(@Bind("companyId") long companyId, @Bind("loser") String loser,
                         @Bind("survivor") String survivor);

    @SqlUpdate("INSERT INTO group_memberships (company_id, group_id, profile_id, created_at) SELECT company_id, group_id, "
            + ":survivor, created_at FROM group_memberships WHERE company_id = :companyId AND profile_id = :loser "
            + "ON CONFLICT DO NOTHING")
    void copyGroupMemberships(@Bind("companyId") long companyId, @Bind("loser") String loser,
                              @Bind("survivor") String survivor);

    @SqlUpdate("DELETE FROM subscriptions WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteSubscriptions(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlUpdate("DELETE FROM list_memberships WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteListMemberships(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlUpdate("DELETE FROM back_in_stock_requests WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteBackInStock(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlUpdate("DELETE FROM group_memberships WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteGroupMemberships(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    // ---- reads (admin view)

    @SqlQuery("SELECT profile_id, channel, purpose, state, consented_at, source, custom_source, updated_at "
            + "FROM subscriptions WHERE company_id = :companyId AND profile_id = ANY(:profiles) ORDER BY channel, purpose")
    @RegisterConstructorMapper(SubscriptionRow.class)
    List<SubscriptionRow> subscriptions(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlQuery("SELECT 'list' AS kind, list_id AS target_id, profile_id, created_at, NULL AS detail FROM list_memberships "
            + "WHERE company_id = :companyId AND profile_id = ANY(:profiles) "
            + "UNION ALL SELECT 'group', group_id, profile_id, created_at, NULL FROM group_memberships "
            + "WHERE company_id = :companyId AND profile_id = ANY(:profiles) "
            + "UNION ALL SELECT 'back_in_stock', variant_id, profile_id, created_at, array_to_string(channels, ',') "
            + "FROM back_in_stock_requests WHERE company_id = :companyId AND profile_id = ANY(:profiles) "
            + "ORDER BY 1, 2")
    @RegisterConstructorMapper(MembershipRow.class)
    List<MembershipRow> memberships(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);
}
