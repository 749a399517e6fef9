package io.switchboard.db;

import io.switchboard.core.campaigns.Send;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The send queue. Every statement is scoped by company_id except {@link #claim}, the queue's one
 * cross-tenant statement: workers serve all companies, and each claimed row carries its company_id,
 * which scopes everything the worker does next. Result updates only apply while the caller still
 * holds the lease ({@code claimed_by = :worker AND state = 'sending'}), so a worker whose lease
 * expired and was taken over cannot overwrite the new owner's outcome.
 */
@RegisterRowMapper(SendDao.Mapper.class)
@org.jdbi.v3.sqlobject.config.UseTemplateEngine(org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine.class)
public interface SendDao {
    String COLUMNS = "company_id, id, campaign_id, profile_id, channel, address, locale, context::text AS context, "
            + "idempotency_key, state, reason, attempts, next_attempt_at, claimed_by, claimed_until, provider_id, "
            + "provider_message_id, last_error, token_invalid, created_at, updated_at, sent_at, failed_at, aborted_at";
    String OWNED = " WHERE company_id = :companyId AND id = :id AND claimed_by = :worker AND state = 'sending'";

    /** The id is an opaque ULID ({@link Ids#newId()}), never a count. */
    @SqlQuery("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, address, locale, context, idempotency_key, provider_id) "
            + "VALUES (:companyId, :id, :campaignId, :profileId, :channel, :address, :locale, :context, :key, :providerId) "
            + "ON CONFLICT (company_id, campaign_id, idempotency_key) DO NOTHING RETURNING id")
    Optional<String> insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("campaignId") String campaignId,
                          @Bind("profileId") String profileId, @Bind("channel") String channel,
                          @Bind("address") String address, @Bind("locale") String locale,
                          @Bind("context") @Json Map<String, Object> context, @Bind("key") String idempotencyKey,
                          @Bind("providerId") String providerId);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM sends WHERE company_id = :companyId AND campaign_id = :campaignId "
            + "AND idempotency_key = :key)")
    boolean keyExists(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId, @Bind("key") String key);

    /**
     * Claims up to {@code limit} due sends, fairly across companies: new and retryable ones whose time has
     * come, throttled ones, and 'sending' ones whose lease expired (their worker died). While claimed,
     * next_attempt_at holds the lease expiry.
     *
     * <p>Fairness (issue #11): the due companies are found with a skip scan over
     * {@code sends_company_due_idx} (one index probe per company, however many sends each has queued);
     * each company gets at most {@code perCompany} minus what it already has in flight (claimed, lease
     * not expired, counted over {@code sends_inflight_idx} across every worker and server process), its
     * oldest first; the batch keeps the companies' turns interleaved (first send of each company, then
     * the second, …). So one company's flood never holds more than {@code perCompany} claims, and other
     * companies' sends are claimed as soon as a worker looks. The worker processes the batch in that
     * round-robin order ({@code DeliveryWorkers.roundRobin}; RETURNING has no order).
     *
     * <p>Citus: the recursive CTE and the LATERAL subquery are PostgreSQL-only; on a distributed sends
     * table this statement must be rewritten (see docs/scale.md), the rule stays the same.
     */
    @SqlQuery("WITH RECURSIVE due_companies(company_id) AS ("
            + "  (SELECT company_id FROM sends WHERE state IN ('pending', 'throttled', 'sending') AND next_attempt_at <= now() "
            + "   ORDER BY company_id LIMIT 1) "
            + "  UNION ALL "
            + "  SELECT (SELECT s.company_id FROM sends s WHERE s.state IN ('pending', 'throttled', 'sending') "
            + "          AND s.next_attempt_at <= now() AND s.company_id > d.company_id ORDER BY s.company_id LIMIT 1) "
            + "  FROM due_companies d WHERE d.company_id IS NOT NULL), "
            + "room AS (SELECT d.company_id, :perCompany - (SELECT count(*) FROM sends f WHERE f.company_id = d.company_id "
            + "   AND f.state = 'sending' AND f.next_attempt_at > now()) AS free "
            + "  FROM due_companies d WHERE d.company_id IS NOT NULL), "
            + "locked AS (SELECT x.company_id, x.id, x.next_attempt_at FROM room r CROSS JOIN LATERAL ("
            + "   SELECT s.company_id, s.id, s.next_attempt_at FROM sends s WHERE s.company_id = r.company_id "
            + "   AND s.state IN ('pending', 'throttled', 'sending') AND s.next_attempt_at <= now() "
            + "   ORDER BY s.next_attempt_at LIMIT LEAST(GREATEST(r.free, 0), :limit) FOR UPDATE SKIP LOCKED) x), "
            + "due AS (SELECT company_id, id FROM (SELECT company_id, id, next_attempt_at, "
            + "   row_number() OVER (PARTITION BY company_id ORDER BY next_attempt_at) AS turn FROM locked) t "
            + "  ORDER BY turn, next_attempt_at LIMIT :limit) "
            + "UPDATE sends s SET state = 'sending', claimed_by = :worker, "
            + "claimed_until = now() + make_interval(secs => :leaseSeconds), "
            + "next_attempt_at = now() + make_interval(secs => :leaseSeconds), attempts = s.attempts + 1, updated_at = now() "
            + "FROM due WHERE s.company_id = due.company_id AND s.id = due.id RETURNING s.company_id, s.id, s.campaign_id, "
            + "s.profile_id, s.channel, s.address, s.locale, s.context::text AS context, s.idempotency_key, s.state, s.reason, "
            + "s.attempts, s.next_attempt_at, s.claimed_by, s.claimed_until, s.provider_id, s.provider_message_id, "
            + "s.last_error, s.token_invalid, s.created_at, s.updated_at, s.sent_at, s.failed_at, s.aborted_at")
    List<Send> claim(@Bind("worker") String worker, @Bind("leaseSeconds") double leaseSeconds, @Bind("limit") int limit,
                     @Bind("perCompany") int perCompany);

    /**
     * Citus mode (docs/scale.md): companies with due sends, read without locks (a multi-shard query may not
     * lock rows); the claim itself then runs per company, {@link #claimForCompany}, on one shard.
     */
    @SqlQuery("SELECT company_id FROM sends WHERE state IN ('pending', 'throttled', 'sending') AND next_attempt_at <= now() "
            + "GROUP BY company_id LIMIT :limit")
    List<Long> dueCompanies(@Bind("limit") int limit);

    /** {@link #claim} within one company: a single-shard statement on Citus (router plan), where SKIP LOCKED works. */
    @SqlQuery("WITH due AS (SELECT company_id, id FROM sends "
            + "WHERE company_id = :companyId AND state IN ('pending', 'throttled', 'sending') AND next_attempt_at <= now() "
            + "ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED) "
            + "UPDATE sends s SET state = 'sending', claimed_by = :worker, "
            + "claimed_until = now() + make_interval(secs => :leaseSeconds), "
            + "next_attempt_at = now() + make_interval(secs => :leaseSeconds), attempts = s.attempts + 1, updated_at = now() "
            + "FROM due WHERE s.company_id = :companyId AND s.company_id = due.company_id AND s.id = due.id "
            + "RETURNING s.company_id, s.id, s.campaign_id, "
            + "s.profile_id, s.channel, s.address, s.locale, s.context::text AS context, s.idempotency_key, s.state, s.reason, "
            + "s.attempts, s.next_attempt_at, s.claimed_by, s.claimed_until, s.provider_id, s.provider_message_id, "
            + "s.last_error, s.token_invalid, s.created_at, s.updated_at, s.sent_at, s.failed_at, s.aborted_at")
    List<Send> claimForCompany(@Bind("companyId") long companyId, @Bind("worker") String worker,
                               @Bind("leaseSeconds") double leaseSeconds, @Bind("limit") int limit);

    @SqlUpdate("UPDATE sends SET state = 'sent', provider_message_id = :messageId, provider_id = :providerId, "
            + "claimed_by = NULL, claimed_until = NULL, last_error = NULL, sent_at = now(), updated_at = now()" + OWNED)
    int markSent(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                 @Bind("providerId") String providerId, @Bind("messageId") String messageId);

    @SqlUpdate("UPDATE sends SET state = 'pending', next_attempt_at = :next, last_error = :error, provider_id = :providerId, "
            + "claimed_by = NULL, claimed_until = NULL, updated_at = now()" + OWNED)
    int markRetry(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                  @Bind("providerId") String providerId, @Bind("next") Instant next, @Bind("error") String error);

    /** Throttled: not an attempt, so the claim's attempt count is given back. */
    @SqlUpdate("UPDATE sends SET state = 'throttled', next_attempt_at = :next, attempts = attempts - 1, provider_id = :providerId, "
            + "claimed_by = NULL, claimed_until = NULL, updated_at = now()" + OWNED)
    int markThrottled(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                      @Bind("providerId") String providerId, @Bind("next") Instant next);

    @SqlUpdate("UPDATE sends SET state = 'failed', last_error = :error, token_invalid = :tokenInvalid, provider_id = :providerId, "
            + "claimed_by = NULL, claimed_until = NULL, failed_at = now(), updated_at = now()" + OWNED)
    int markFailed(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                   @Bind("providerId") String providerId, @Bind("error") String error,
                   @Bind("tokenInvalid") boolean tokenInvalid);

    /** Aborted before any provider call: not an attempt either. */
    @SqlUpdate("UPDATE sends SET state = 'aborted', reason = :reason, attempts = attempts - 1, "
            + "claimed_by = NULL, claimed_until = NULL, aborted_at = now(), updated_at = now()" + OWNED)
    int markAborted(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                    @Bind("reason") String reason);

    /** Back to the queue untouched (graceful shutdown, paused campaign): not an attempt. */
    @SqlUpdate("UPDATE sends SET state = 'pending', next_attempt_at = :next, attempts = attempts - 1, "
            + "claimed_by = NULL, claimed_until = NULL, updated_at = now()" + OWNED)
    int release(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                @Bind("next") Instant next);

    @SqlQuery("SELECT " + COLUMNS + " FROM sends WHERE company_id = :companyId AND id = :id")
    Optional<Send> find(@Bind("companyId") long companyId, @Bind("id") String id);

    /**
     * A campaign's sends, newest first, keyset-paged by (created_at, id) after the send {@code before} (null:
     * from the newest); {@code <stateFilter>} is empty or a fixed clause. Ordered by creation time, not
     * by id: ids are opaque (ULIDs; decimal strings for sends created before migration 006).
     */
    @SqlQuery("SELECT " + COLUMNS + " FROM sends WHERE company_id = :companyId AND campaign_id = :campaignId "
            + "AND (CAST(:before AS text) IS NULL OR (created_at, id) < (SELECT b.created_at, b.id FROM sends b "
            + "WHERE b.company_id = :companyId AND b.campaign_id = :campaignId AND b.id = :before)) "
            + "<stateFilter> ORDER BY created_at DESC, id DESC LIMIT :limit")
    List<Send> list(@Bind("companyId") long companyId, @Bind("campaignId") String campaignId, @Bind("before") String before,
                    @Define("stateFilter") String stateFilter, @Bind("state") String state, @Bind("limit") int limit);

    /** The newest sends to any of these profiles (a profile and those merged into it), by creation time. */
    @SqlQuery("SELECT " + COLUMNS + " FROM sends WHERE company_id = :companyId AND profile_id IN (<profileIds>) "
            + "ORDER BY created_at DESC, id DESC LIMIT :limit")
    List<Send> listByProfiles(@Bind("companyId") long companyId,
                              @org.jdbi.v3.sqlobject.customizer.BindList("profileIds") List<String> profileIds,
                              @Bind("limit") int limit);

    class Mapper implements RowMapper<Send> {
        @Override
        public Send map(ResultSet rs, StatementContext ctx) throws SQLException {
            return new Send(rs.getLong("company_id"), rs.getString("id"), rs.getString("campaign_id"), rs.getString("profile_id"),
                    rs.getString("channel"), rs.getString("address"), rs.getString("locale"), JsonColumns.map(rs, "context"),
                    rs.getString("idempotency_key"), rs.getString("state"), rs.getString("reason"), rs.getInt("attempts"),
                    JsonColumns.instant(rs, "next_attempt_at"), rs.getString("claimed_by"),
                    JsonColumns.instant(rs, "claimed_until"), rs.getString("provider_id"),
                    rs.getString("provider_message_id"), rs.getString("last_error"), rs.getBoolean("token_invalid"),
                    JsonColumns.instant(rs, "created_at"), JsonColumns.instant(rs, "updated_at"),
                    JsonColumns.instant(rs, "sent_at"), JsonColumns.instant(rs, "failed_at"),
                    JsonColumns.instant(rs, "aborted_at"));
        }
    }
}
