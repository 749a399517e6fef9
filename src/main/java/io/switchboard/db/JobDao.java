package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Audience jobs (migration 009): bulk imports, bulk event creation, suppression jobs. */
public interface JobDao extends SqlObject {

    record JobRow(long companyId, String id, String kind, String status, String payload, String[] listIds,
                  int totalCount, int cursor, int completedCount, int failedCount, int skippedCount,
                  String[] profileIds, String errors, Instant createdAt, Instant startedAt, Instant completedAt) {}

    String COLUMNS = "company_id, id, kind, status, payload::text AS payload, list_ids, total_count, cursor, "
            + "completed_count, failed_count, skipped_count, profile_ids, errors::text AS errors, created_at, "
            + "started_at, completed_at";

    @SqlUpdate("INSERT INTO audience_jobs (company_id, id, kind, status, payload, list_ids, total_count, cursor, "
            + "completed_count, failed_count, skipped_count, profile_ids, created_at, started_at, completed_at) "
            + "VALUES (:companyId, :id, :kind, :status, :payload::jsonb, :listIds, :total, :cursor, :completed, 0, "
            + ":skipped, :profileIds, :now, :startedAt, :completedAt)")
    void insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("kind") String kind,
                @Bind("status") String status, @Bind("payload") String payload, @Bind("listIds") String[] listIds,
                @Bind("total") int total, @Bind("cursor") int cursor, @Bind("completed") int completed,
                @Bind("skipped") int skipped, @Bind("profileIds") String[] profileIds, @Bind("now") Instant now,
                @Bind("startedAt") Instant startedAt, @Bind("completedAt") Instant completedAt);

    @SqlQuery("SELECT " + COLUMNS + " FROM audience_jobs WHERE company_id = :companyId AND kind = :kind AND id = :id")
    @RegisterConstructorMapper(JobRow.class)
    Optional<JobRow> find(@Bind("companyId") long companyId, @Bind("kind") String kind, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM audience_jobs WHERE company_id = :companyId AND kind = :kind "
            + "AND (:after::text IS NULL OR (created_at, id) < (:afterAt, :after)) ORDER BY created_at DESC, id DESC "
            + "LIMIT :limit")
    @RegisterConstructorMapper(JobRow.class)
    List<JobRow> page(@Bind("companyId") long companyId, @Bind("kind") String kind, @Bind("afterAt") Instant afterAt,
                      @Bind("after") String afterId, @Bind("limit") int limit);

    /**
     * The queue, step 1: companies that have a job to claim (queued, or processing under an expired lease —
     * its worker died), oldest waiting first. A plain read across companies (no locks): on Citus
     * {@code FOR UPDATE SKIP LOCKED} only runs on one shard, so the claim itself is per company (step 2).
     */
    @SqlQuery("SELECT company_id FROM audience_jobs WHERE status = 'queued' OR (status = 'processing' "
            + "AND claimed_until < now()) GROUP BY company_id ORDER BY min(created_at) LIMIT :limit")
    List<Long> pendingCompanies(@Bind("limit") int limit);

    /**
     * The queue, step 2: claims this company's oldest claimable job for {@code leaseSeconds}; one job per
     * claim so no tenant hogs a worker. {@code now} is bound, not {@code now()}: Citus refuses non-immutable
     * functions inside COALESCE in an UPDATE (found by drills/citus.sh step 5b).
     */
    @SqlQuery("UPDATE audience_jobs j SET status = 'processing', claimed_by = :worker, "
            + "claimed_until = now() + make_interval(secs => :leaseSeconds), started_at = COALESCE(j.started_at, :now) "
            + "FROM (SELECT company_id, id FROM audience_jobs WHERE company_id = :companyId AND (status = 'queued' "
            + "OR (status = 'processing' AND claimed_until < now())) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) c "
            + "WHERE j.company_id = :companyId AND j.company_id = c.company_id AND j.id = c.id RETURNING j.company_id, j.id, j.kind, j.status, "
            + "j.payload::text AS payload, j.list_ids, j.total_count, j.cursor, j.completed_count, j.failed_count, "
            + "j.skipped_count, j.profile_ids, j.errors::text AS errors, j.created_at, j.started_at, j.completed_at")
    @RegisterConstructorMapper(JobRow.class)
    Optional<JobRow> claim(@Bind("companyId") long companyId, @Bind("worker") String worker,
                           @Bind("leaseSeconds") double leaseSeconds, @Bind("now") java.time.Instant now);

    /**
     * Records one chunk's outcome and extends the lease, only while this worker holds the job (a worker
     * whose lease expired and was taken over writes nothing: 0 rows).
     */
    @SqlUpdate("UPDATE audience_jobs SET cursor = :cursor, completed_count = completed_count + :completed, "
            + "failed_count = failed_count + :failed, skipped_count = skipped_count + :skipped, "
            + "profile_ids = profile_ids || :profileIds, errors = errors || :errors::jsonb, "
            + "claimed_until = now() + make_interval(secs => :leaseSeconds) "
            + "WHERE company_id = :companyId AND id = :id AND claimed_by = :worker AND status = 'processing' "
            + "AND cursor = :expectedCursor")
    int progress(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker,
                 @Bind("expectedCursor") int expectedCursor, @Bind("cursor") int cursor,
                 @Bind("completed") int completed, @Bind("failed") int failed, @Bind("skipped") int skipped,
                 @Bind("profileIds") String[] profileIds, @Bind("errors") String errors,
                 @Bind("leaseSeconds") double leaseSeconds);

    @SqlUpdate("UPDATE audience_jobs SET status = 'complete', completed_at = now(), claimed_by = NULL, "
            + "claimed_until = NULL, payload = '[]'::jsonb WHERE company_id = :companyId AND id = :id "
            + "AND claimed_by = :worker AND status = 'processing'")
    int complete(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("worker") String worker);

    /** Items (cursor, cursor + n] of a job's payload, as JSON text, in order. */
    @SqlQuery("SELECT t.elem::text FROM audience_jobs j, jsonb_array_elements(j.payload) WITH ORDINALITY AS t(elem, i) "
            + "WHERE j.company_id = :companyId AND j.id = :id AND t.i > :cursor AND t.i <= :cursor + :n ORDER BY t.i")
    List<String> items(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("cursor") int cursor,
                       @Bind("n") int n);

    @SqlUpdate("INSERT INTO audience_jobs (company_id, id, kind, status, payload, list_ids, total_count, created_at) "
            + "VALUES (:companyId, :id, :kind, 'queued', :payload::jsonb, :listIds, :total, :now)")
    void enqueue(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("kind") String kind,
                 @Bind("payload") String payload, @Bind("listIds") String[] listIds, @Bind("total") int total,
                 @Bind("now") Instant now);

    @SqlUpdate("UPDATE audience_jobs SET status = 'cancelled', completed_at = now(), claimed_by = NULL, "
            + "claimed_until = NULL, payload = '[]'::jsonb WHERE company_id = :companyId AND kind = :kind AND id = :id "
            + "AND status IN ('queued', 'processing')")
    int cancel(@Bind("companyId") long companyId, @Bind("kind") String kind, @Bind("id") String id);
}
