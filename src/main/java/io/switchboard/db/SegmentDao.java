package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Segments, their memberships and the dirty-profiles queue (migration 009). */
public interface SegmentDao extends SqlObject {

    record SegmentRow(long companyId, String id, String name, String definition, boolean isStarred, boolean relative,
                      int version, int computedVersion, Instant computedAt, Instant createdAt, Instant updatedAt) {}

    String COLUMNS = "company_id, id, name, definition::text AS definition, is_starred, relative, version, "
            + "computed_version, computed_at, created_at, updated_at";

    @SqlUpdate("INSERT INTO segments (company_id, id, name, definition, is_starred, relative, created_at, updated_at) "
            + "VALUES (:companyId, :id, :name, :definition::jsonb, :starred, :relative, :now, :now)")
    void insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name,
                @Bind("definition") String definition, @Bind("starred") boolean starred,
                @Bind("relative") boolean relative, @Bind("now") Instant now);

    @SqlQuery("SELECT " + COLUMNS + " FROM segments WHERE company_id = :companyId AND id = :id")
    @RegisterConstructorMapper(SegmentRow.class)
    Optional<SegmentRow> find(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlUpdate("UPDATE segments SET name = COALESCE(:name, name), is_starred = COALESCE(:starred, is_starred), "
            + "definition = COALESCE(:definition::jsonb, definition), relative = COALESCE(:relative, relative), "
            + "version = version + CASE WHEN :definition::text IS NULL THEN 0 ELSE 1 END, updated_at = :now "
            + "WHERE company_id = :companyId AND id = :id")
    int update(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name,
               @Bind("starred") Boolean starred, @Bind("definition") String definition,
               @Bind("relative") Boolean relative, @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM segments WHERE company_id = :companyId AND id = :id")
    int delete(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM segments WHERE company_id = :companyId "
            + "AND (:after::text IS NULL OR id > :after) ORDER BY id LIMIT :limit")
    @RegisterConstructorMapper(SegmentRow.class)
    List<SegmentRow> page(@Bind("companyId") long companyId, @Bind("after") String after, @Bind("limit") int limit);

    @SqlQuery("SELECT " + COLUMNS + " FROM segments WHERE company_id = :companyId ORDER BY id")
    @RegisterConstructorMapper(SegmentRow.class)
    List<SegmentRow> all(@Bind("companyId") long companyId);

    @SqlQuery("SELECT count(*) FROM segment_memberships WHERE company_id = :companyId AND segment_id = :id")
    long count(@Bind("companyId") long companyId, @Bind("id") String id);

    record MemberRow(String profileId, Instant joinedAt) {}

    @SqlQuery("SELECT profile_id, created_at AS joined_at FROM segment_memberships WHERE company_id = :companyId "
            + "AND segment_id = :id AND (:after::text IS NULL OR profile_id > :after) ORDER BY profile_id LIMIT :limit")
    @RegisterConstructorMapper(MemberRow.class)
    List<MemberRow> members(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("after") String after,
                         @Bind("limit") int limit);

    @SqlQuery("SELECT s.company_id, s.id, s.name, s.definition::text AS definition, s.is_starred, s.relative, "
            + "s.version, s.computed_version, s.computed_at, s.created_at, s.updated_at"
            + " FROM segment_memberships m JOIN segments s ON s.company_id = m.company_id AND s.id = m.segment_id "
            + "WHERE m.company_id = :companyId AND m.profile_id = :profileId ORDER BY s.id")
    @RegisterConstructorMapper(SegmentRow.class)
    List<SegmentRow> ofProfile(@Bind("companyId") long companyId, @Bind("profileId") String profileId);

    /**
     * The worker's queue of whole recomputes (across companies, like every background queue): a segment
     * whose definition changed (a new one only {@code firstDelaySeconds} after its creation: SegmentQueue),
     * or a relative-time one not computed for {@code refreshSeconds}. Locked
     * (SKIP LOCKED) for the caller's transaction.
     */
    @SqlQuery("SELECT " + COLUMNS + " FROM segments WHERE company_id = :companyId AND ((computed_version < version "
            + "AND (computed_version > 0 OR created_at < now() - make_interval(secs => :firstDelaySeconds))) "
            + "OR (relative AND computed_version > 0 "
            + "AND (computed_at IS NULL OR computed_at < now() - make_interval(secs => :refreshSeconds)))) "
            + "ORDER BY computed_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED")
    @RegisterConstructorMapper(SegmentRow.class)
    Optional<SegmentRow> claimStale(@Bind("companyId") long companyId, @Bind("refreshSeconds") double refreshSeconds,
                                    @Bind("firstDelaySeconds") double firstDelaySeconds);

    /** Companies with a segment to recompute (as {@link #claimStale}); a plain read, no locks (Citus-safe). */
    @SqlQuery("SELECT DISTINCT company_id FROM segments WHERE (computed_version < version "
            + "AND (computed_version > 0 OR created_at < now() - make_interval(secs => :firstDelaySeconds))) "
            + "OR (relative AND computed_version > 0 "
            + "AND (computed_at IS NULL OR computed_at < now() - make_interval(secs => :refreshSeconds))) LIMIT :limit")
    List<Long> staleCompanies(@Bind("refreshSeconds") double refreshSeconds,
                              @Bind("firstDelaySeconds") double firstDelaySeconds, @Bind("limit") int limit);

    /** Companies with queued dirty profiles, longest waiting first; a plain read, no locks (Citus-safe). */
    @SqlQuery("SELECT company_id FROM segment_dirty_profiles GROUP BY company_id ORDER BY min(queued_at) LIMIT :limit")
    List<Long> dirtyCompanies(@Bind("limit") int limit);

    @SqlUpdate("UPDATE segments SET computed_version = :version, computed_at = now() WHERE company_id = :companyId "
            + "AND id = :id")
    void computed(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("version") int version);

    record Dirty(long companyId, String profileId) {}

    /**
     * Takes up to {@code limit} of this company's queue rows (removed in the caller's transaction; back
     * if it rolls back). The queue is append-only, so a profile can be in it more than once: callers
     * de-duplicate. Per company: on Citus {@code FOR UPDATE SKIP LOCKED} only runs on one shard.
     */
    @SqlQuery("DELETE FROM segment_dirty_profiles d USING (SELECT company_id, id FROM segment_dirty_profiles "
            + "WHERE company_id = :companyId ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED) t "
            + "WHERE d.company_id = :companyId AND d.company_id = t.company_id "
            + "AND d.id = t.id RETURNING d.company_id, d.profile_id")
    @RegisterConstructorMapper(Dirty.class)
    List<Dirty> takeDirty(@Bind("companyId") long companyId, @Bind("limit") int limit);

    /** Live ids for asked ids (a tombstone → its survivor), and every id (live + tombstones) of those people. */
    @SqlQuery("SELECT DISTINCT COALESCE(merged_into, id) FROM profiles WHERE company_id = :companyId AND id = ANY(:ids)")
    List<String> live(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    @SqlQuery("SELECT id FROM profiles WHERE company_id = :companyId AND (id = ANY(:ids) OR merged_into = ANY(:ids))")
    List<String> withTombstones(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    @SqlUpdate("INSERT INTO segment_memberships (company_id, segment_id, profile_id, created_at) SELECT company_id, "
            + "segment_id, :survivor, created_at FROM segment_memberships WHERE company_id = :companyId "
            + "AND profile_id = :loser ON CONFLICT DO NOTHING")
    void copyMemberships(@Bind("companyId") long companyId, @Bind("loser") String loser, @Bind("survivor") String survivor);

    @SqlUpdate("DELETE FROM segment_memberships WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteMemberships(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlUpdate("DELETE FROM segment_dirty_profiles WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteDirty(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);
}
