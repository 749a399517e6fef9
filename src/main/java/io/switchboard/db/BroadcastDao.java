package io.switchboard.db;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Broadcasts (migration 010) and the set-based enqueue of one audience page into {@code sends}. Every
 * statement is scoped by company_id except {@link #dueCompanies}, the job queue's one cross-tenant read
 * (lock-free, as {@code JobDao.dueCompanies}); the claim and everything after it are per company.
 */
@org.jdbi.v3.sqlobject.config.UseTemplateEngine(org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine.class)
public interface BroadcastDao {

    record Row(long companyId, String id, String campaignId, String audienceType, String audienceId, String state,
               Instant sendAt, LocalDateTime localSendAt, String cursor, int enqueuedCount, int pages,
               String claimedBy, Instant createdAt, Instant updatedAt, Instant startedAt, Instant enqueuedAt,
               Instant cancelledAt) {}

    /** A broadcast's sends counted by state and reason. */
    record StateCount(String state, String reason, long count) {}

    String COLUMNS = "company_id, id, campaign_id, audience_type, audience_id, state, send_at, local_send_at, cursor, "
            + "enqueued_count, pages, claimed_by, created_at, updated_at, started_at, enqueued_at, cancelled_at";

    @SqlUpdate("INSERT INTO broadcasts (company_id, id, campaign_id, audience_type, audience_id, state, send_at, local_send_at) "
            + "VALUES (:companyId, :id, :campaignId, :audienceType, :audienceId, 'scheduled', :sendAt, :localSendAt)")
    void insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("campaignId") String campaignId,
                @Bind("audienceType") String audienceType, @Bind("audienceId") String audienceId,
                @Bind("sendAt") Instant sendAt, @Bind("localSendAt") LocalDateTime localSendAt);

    @SqlQuery("SELECT " + COLUMNS + " FROM broadcasts WHERE company_id = :companyId AND campaign_id = :campaignId AND id = :id")
    @RegisterConstructorMapper(Row.class)
    Optional<Row> find(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId, @Bind("id") String id);

    /** The row locked for this page's transaction (the cancel takes the same lock: the two serialise). */
    @SqlQuery("SELECT " + COLUMNS + " FROM broadcasts WHERE company_id = :companyId AND id = :id FOR UPDATE")
    @RegisterConstructorMapper(Row.class)
    Optional<Row> lock(@Bind("companyId") long companyId, @Bind("id") String id);

    /** A campaign's broadcasts, newest first. */
    @SqlQuery("SELECT " + COLUMNS + " FROM broadcasts WHERE company_id = :companyId AND campaign_id = :campaignId "
            + "ORDER BY created_at DESC, id DESC LIMIT :limit")
    @RegisterConstructorMapper(Row.class)
    List<Row> list(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId, @Bind("limit") int limit);

    /**
     * The job queue, step 1: companies with a broadcast to claim (due, or enqueuing under an expired lease:
     * its worker died, or handed back after its turn), the one whose broadcast waited longest first
     * ({@code updated_at}: a broadcast handed back after a turn goes behind the others). Read without locks, across companies (the queue's one
     * cross-tenant statement, as {@code JobDao.dueCompanies}): on Citus {@code FOR UPDATE SKIP LOCKED} only
     * runs on one shard, so the claim itself is per company (step 2).
     */
    @SqlQuery("SELECT company_id FROM broadcasts WHERE (state = 'scheduled' AND send_at <= now()) "
            + "OR (state = 'enqueuing' AND claimed_until < now()) GROUP BY company_id ORDER BY min(updated_at) LIMIT :limit")
    List<Long> dueCompanies(@Bind("limit") int limit);

    /**
     * The job queue, step 2: claims this company's longest-waiting claimable broadcast, one per claim.
     * {@code now} is bound (Citus refuses {@code now()} inside COALESCE in an UPDATE, as in {@code JobDao.claim}).
     */
    @SqlQuery("UPDATE broadcasts b SET state = 'enqueuing', claimed_by = :worker, "
            + "claimed_until = now() + make_interval(secs => :leaseSeconds), started_at = COALESCE(b.started_at, :now), "
            + "updated_at = now() FROM (SELECT company_id, id FROM broadcasts WHERE company_id = :companyId "
            + "AND ((state = 'scheduled' AND send_at <= now()) OR (state = 'enqueuing' AND claimed_until < now())) "
            + "ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED) c "
            + "WHERE b.company_id = :companyId AND b.company_id = c.company_id AND b.id = c.id RETURNING b.company_id, b.id, "
            + "b.campaign_id, b.audience_type, b.audience_id, b.state, b.send_at, b.local_send_at, b.cursor, b.enqueued_count, "
            + "b.pages, b.claimed_by, b.created_at, b.updated_at, b.started_at, b.enqueued_at, b.cancelled_at")
    @RegisterConstructorMapper(Row.class)
    Optional<Row> claim(@Bind("companyId") long companyId, @Bind("worker") String worker,
                        @Bind("leaseSeconds") double leaseSeconds, @Bind("now") Instant now);

    /** The next page of a list's members after {@code cursor} (keyset by profile id). */
    @SqlQuery("SELECT profile_id FROM list_memberships WHERE company_id = :companyId AND list_id = :audienceId "
            + "AND profile_id > :cursor ORDER BY profile_id LIMIT :limit")
    List<String> listPage(@Bind("companyId") long companyId, @Bind("audienceId") String audienceId,
                          @Bind("cursor") String cursor, @Bind("limit") int limit);

    /** The next page of a segment's members after {@code cursor} (keyset by profile id). */
    @SqlQuery("SELECT profile_id FROM segment_memberships WHERE company_id = :companyId AND segment_id = :audienceId "
            + "AND profile_id > :cursor ORDER BY profile_id LIMIT :limit")
    List<String> segmentPage(@Bind("companyId") long companyId, @Bind("audienceId") String audienceId,
                             @Bind("cursor") String cursor, @Bind("limit") int limit);

    /**
     * One page's sends, set-based: a row per live profile of {@code profileIds} (send ids zipped from
     * {@code sendIds}). The consent store delivery checks (SendProcessor: {@code channel_unsubscribes}; for
     * marketing campaigns also {@code subscriptions} marketing opt-outs and email {@code suppressions}) is
     * read here too: such a recipient's send is recorded {@code aborted} with reason {@code unsubscribed},
     * one without an address {@code aborted}/{@code no_address}; the others are {@code pending}, due at
     * {@code local_send_at} in their time zone (profile location.timezone, else its timezone property,
     * else the company's default, else UTC; names PostgreSQL does not know are skipped) or now, whichever
     * is later. The unique send key makes a page that is replayed insert nothing twice. Returns the
     * number of sends inserted.
     */
    @SqlUpdate("WITH zones AS MATERIALIZED (SELECT name FROM pg_timezone_names WHERE CAST(:localSendAt AS timestamp) IS NOT NULL), "
            + "page AS (SELECT u.profile_id, u.send_id FROM unnest(CAST(:profileIds AS text[]), CAST(:sendIds AS text[])) "
            + "  AS u(profile_id, send_id)), "
            + "r AS (SELECT p.company_id, p.id AS profile_id, page.send_id, p.external_id, p.email, p.phone_number, "
            + "  p.attributes, p.properties, <addressExpr> AS address, "
            + "  (EXISTS (SELECT 1 FROM channel_unsubscribes cu WHERE cu.company_id = p.company_id AND cu.profile_id = p.id "
            + "     AND cu.channel = :channel AND cu.subscription = :subscription) "
            + "   OR (:subscription <> 'transactional' AND (EXISTS (SELECT 1 FROM subscriptions s WHERE s.company_id = p.company_id "
            + "     AND s.profile_id = p.id AND s.channel = :channel AND s.purpose = 'marketing' AND s.state = 'unsubscribed') "
            + "     OR (:channel = 'email' AND EXISTS (SELECT 1 FROM suppressions x WHERE x.company_id = p.company_id "
            + "     AND x.profile_id = p.id AND x.channel = 'email'))))) AS opted_out, "
            + "  CASE WHEN CAST(:localSendAt AS timestamp) IS NULL THEN now() ELSE GREATEST(now(), "
            + "    CAST(:localSendAt AS timestamp) AT TIME ZONE COALESCE(z1.name, z2.name, "
            + "    (SELECT name FROM zones WHERE name = CAST(:defaultZone AS text)), 'UTC')) END AS due "
            + "  FROM page JOIN profiles p ON p.company_id = :companyId AND p.id = page.profile_id AND p.merged_into IS NULL "
            + "  LEFT JOIN zones z1 ON z1.name = p.attributes->'location'->>'timezone' "
            + "  LEFT JOIN zones z2 ON z2.name = p.properties->>'timezone') "
            + "INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, address, locale, context, provider_id, "
            + "  broadcast_id, state, reason, next_attempt_at, aborted_at) "
            + "SELECT r.company_id, r.send_id, :campaignId, r.profile_id, :channel, r.address, r.attributes->>'locale', "
            + "  jsonb_build_object('user', r.properties || r.attributes || jsonb_build_object('profile_id', r.profile_id, "
            + "    'id', r.external_id, 'external_id', r.external_id, 'email', r.email, 'phone', r.phone_number, "
            + "    'locale', r.attributes->>'locale', 'timezone', r.attributes->'location'->>'timezone'), "
            + "    'event', '{}'::jsonb, 'broadcast', jsonb_build_object('id', :broadcastId)), "
            + "  :providerId, :broadcastId, "
            + "  CASE WHEN r.opted_out OR (r.address IS NULL AND :channel <> 'webhook') THEN 'aborted' ELSE 'pending' END, "
            + "  CASE WHEN r.opted_out THEN 'unsubscribed' WHEN r.address IS NULL AND :channel <> 'webhook' THEN 'no_address' END, "
            + "  r.due, CASE WHEN r.opted_out OR (r.address IS NULL AND :channel <> 'webhook') THEN now() END "
            + "FROM r ORDER BY r.profile_id "
            + "ON CONFLICT (company_id, broadcast_id, profile_id) WHERE broadcast_id IS NOT NULL DO NOTHING")
    int enqueuePage(@Bind("companyId") long companyId, @Bind("broadcastId") String broadcastId,
                    @Bind("campaignId") String campaignId, @Bind("channel") String channel,
                    @Bind("subscription") String subscription, @Bind("providerId") String providerId,
                    @Bind("profileIds") String[] profileIds, @Bind("sendIds") String[] sendIds,
                    @Bind("localSendAt") LocalDateTime localSendAt, @Bind("defaultZone") String defaultZone,
                    @Define("addressExpr") String addressExpr);

    /** Address expressions per channel (over profile alias p). */
    String EMAIL_ADDRESS = "p.email";
    String SMS_ADDRESS = "p.phone_number";
    String PUSH_ADDRESS = "(SELECT d.token FROM devices d WHERE d.company_id = p.company_id AND d.profile_id = p.id "
            + "AND d.enabled AND d.token IS NOT NULL ORDER BY d.updated_at DESC LIMIT 1)";
    String NO_ADDRESS = "CAST(NULL AS text)";
    /** Moves the cursor past a page (and extends the lease), in the page's transaction. */
    @SqlUpdate("UPDATE broadcasts SET cursor = :cursor, enqueued_count = enqueued_count + :inserted, pages = pages + 1, "
            + "claimed_until = now() + make_interval(secs => :leaseSeconds), updated_at = now() "
            + "WHERE company_id = :companyId AND id = :id AND claimed_by = :worker AND state = 'enqueuing'")
    int advance(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                @Bind("cursor") String cursor, @Bind("inserted") int inserted, @Bind("leaseSeconds") double leaseSeconds);

    @SqlUpdate("UPDATE broadcasts SET state = 'enqueued', enqueued_at = now(), claimed_by = NULL, claimed_until = NULL, "
            + "updated_at = now() WHERE company_id = :companyId AND id = :id AND claimed_by = :worker AND state = 'enqueuing'")
    int finish(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker);

    /** Hands an enqueuing broadcast back (end of its turn, graceful shutdown): any process claims it again at once. */
    @SqlUpdate("UPDATE broadcasts SET claimed_by = NULL, claimed_until = now() - interval '1 second', updated_at = now() "
            + "WHERE company_id = :companyId AND id = :id AND claimed_by = :worker AND state = 'enqueuing'")
    int release(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker);

    /** Cancels a broadcast that is not cancelled yet; returns 1 when it did. */
    @SqlUpdate("UPDATE broadcasts SET state = 'cancelled', cancelled_at = now(), claimed_by = NULL, claimed_until = NULL, "
            + "updated_at = now() WHERE company_id = :companyId AND campaign_id = :campaignId AND id = :id "
            + "AND state <> 'cancelled'")
    int cancel(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId, @Bind("id") String id);

    /** The broadcast's sends still waiting (not claimed by a worker) become aborted/broadcast_cancelled. */
    @SqlUpdate("UPDATE sends SET state = 'aborted', reason = 'broadcast_cancelled', aborted_at = now(), updated_at = now() "
            + "WHERE company_id = :companyId AND broadcast_id = :id AND state IN ('pending', 'throttled')")
    int cancelSends(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT state, reason, count(*) AS count FROM sends WHERE company_id = :companyId AND broadcast_id = :id "
            + "GROUP BY state, reason")
    @RegisterConstructorMapper(StateCount.class)
    List<StateCount> counts(@Bind("companyId") long companyId, @Bind("id") String id);
}
