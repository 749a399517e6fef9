package io.switchboard.db;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The delivery module's own small tables: unsubscribe tokens and opt-outs, send events, rate windows,
 * and the interim push-token registry. Every statement is scoped by company_id.
 */
public interface DeliveryDao {

    @SqlUpdate("INSERT INTO unsubscribe_tokens (company_id, token, profile_id, channel, subscription, campaign_id, send_id) "
            + "VALUES (:companyId, :token, :profileId, :channel, :subscription, :campaignId, :sendId) ON CONFLICT DO NOTHING")
    void insertUnsubscribeToken(@Bind("companyId") long companyId, @Bind("token") String token,
                                @Bind("profileId") String profileId, @Bind("channel") String channel,
                                @Bind("subscription") String subscription, @Bind("campaignId") String campaignId,
                                @Bind("sendId") String sendId);

    record UnsubscribeToken(String profileId, String channel, String subscription, String campaignId, String sendId) {}

    @SqlQuery("UPDATE unsubscribe_tokens SET used_at = coalesce(used_at, now()) WHERE company_id = :companyId AND token = :token "
            + "RETURNING profile_id, channel, subscription, campaign_id, send_id")
    @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(UnsubscribeToken.class)
    Optional<UnsubscribeToken> useUnsubscribeToken(@Bind("companyId") long companyId, @Bind("token") String token);

    @SqlQuery("INSERT INTO channel_unsubscribes (company_id, profile_id, channel, subscription, source) "
            + "VALUES (:companyId, :profileId, :channel, :subscription, :source) ON CONFLICT DO NOTHING RETURNING true")
    Optional<Boolean> unsubscribe(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                                  @Bind("channel") String channel, @Bind("subscription") String subscription,
                                  @Bind("source") String source);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM channel_unsubscribes WHERE company_id = :companyId AND profile_id = :profileId "
            + "AND channel = :channel AND subscription = :subscription)")
    boolean isUnsubscribed(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                           @Bind("channel") String channel, @Bind("subscription") String subscription);

    record ChannelUnsubscribe(String channel, String subscription, String source, java.time.Instant createdAt) {}

    @SqlQuery("SELECT channel, subscription, source, created_at FROM channel_unsubscribes "
            + "WHERE company_id = :companyId AND profile_id = :profileId ORDER BY channel, subscription")
    @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(ChannelUnsubscribe.class)
    java.util.List<ChannelUnsubscribe> unsubscribes(@Bind("companyId") long companyId, @Bind("profileId") String profileId);

    @SqlUpdate("DELETE FROM channel_unsubscribes WHERE company_id = :companyId AND profile_id = :profileId "
            + "AND channel = :channel AND subscription = :subscription")
    int resubscribe(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                    @Bind("channel") String channel, @Bind("subscription") String subscription);

    /**
     * The shared consent store ({@code subscriptions}) says the profile left the channel's marketing consent,
     * or (email) the profile is suppressed ({@code suppressions}, migration 009).
     */
    @SqlQuery("SELECT EXISTS (SELECT 1 FROM subscriptions WHERE company_id = :companyId AND profile_id = :profileId "
            + "AND channel = :channel AND purpose = 'marketing' AND state = 'unsubscribed') "
            + "OR (:channel = 'email' AND EXISTS (SELECT 1 FROM suppressions WHERE company_id = :companyId "
            + "AND profile_id = :profileId AND channel = 'email'))")
    boolean isMarketingUnsubscribed(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                                    @Bind("channel") String channel);

    /**
     * Takes one unit of a provider's fixed rate window ({@code unit} = 'second' or 'minute', on the
     * database clock so every server process agrees). Returns empty when the window is full. The upsert
     * is atomic, so the limit holds across server processes.
     */
    @SqlQuery("INSERT INTO provider_rate_windows (company_id, provider_id, window_start, used) "
            + "VALUES (:companyId, :providerId, date_trunc(:unit, clock_timestamp()), 1) "
            + "ON CONFLICT (company_id, provider_id, window_start) "
            + "DO UPDATE SET used = provider_rate_windows.used + 1 WHERE provider_rate_windows.used < :limit RETURNING used")
    Optional<Integer> takeRateUnit(@Bind("companyId") long companyId, @Bind("providerId") String providerId,
                                   @Bind("unit") String unit, @Bind("limit") int limit);

    /** The start of the current window on the database clock. */
    @SqlQuery("SELECT date_trunc(:unit, clock_timestamp())")
    Instant windowStart(@Bind("unit") String unit);

    @SqlUpdate("DELETE FROM provider_rate_windows WHERE company_id = :companyId AND provider_id = :providerId "
            + "AND window_start < :before")
    int pruneRateWindows(@Bind("companyId") long companyId, @Bind("providerId") String providerId,
                         @Bind("before") Instant before);
}
