package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Static lists and their members (tables of migration 003, extended by 009). Memberships name live
 * profiles; merges move them (ProfileDataListener), deletions erase them.
 */
@org.jdbi.v3.sqlobject.config.UseTemplateEngine(org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine.class)
public interface ListDao extends SqlObject {

    record ListRow(String id, String name, String optInProcess, Instant createdAt, Instant updatedAt) {}

    String COLUMNS = "id, name, opt_in_process, created_at, updated_at";

    @SqlUpdate("INSERT INTO lists (company_id, id, name, opt_in_process, created_at, updated_at) "
            + "VALUES (:companyId, :id, :name, :optIn, :now, :now)")
    void insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name,
                @Bind("optIn") String optIn, @Bind("now") Instant now);

    @SqlQuery("SELECT " + COLUMNS + " FROM lists WHERE company_id = :companyId AND id = :id")
    @RegisterConstructorMapper(ListRow.class)
    Optional<ListRow> find(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM lists WHERE company_id = :companyId AND id = :id FOR UPDATE")
    @RegisterConstructorMapper(ListRow.class)
    Optional<ListRow> lock(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlUpdate("UPDATE lists SET name = COALESCE(:name, name), opt_in_process = COALESCE(:optIn, opt_in_process), "
            + "updated_at = :now WHERE company_id = :companyId AND id = :id")
    int update(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("name") String name,
               @Bind("optIn") String optIn, @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM lists WHERE company_id = :companyId AND id = :id")
    int delete(@Bind("companyId") long companyId, @Bind("id") String id);

    /**
     * A page of lists: {@code <col>} is one of id, name, created_at, updated_at (chosen by the caller from
     * an enum, never client text), keyset on (col, id). Filters: names/ids (any), created/updated after.
     */
    @SqlQuery("SELECT " + COLUMNS + " FROM lists WHERE company_id = :companyId "
            + "AND (:names::text[] IS NULL OR name = ANY(:names)) AND (:ids::text[] IS NULL OR id = ANY(:ids)) "
            + "AND (:createdAfter::timestamptz IS NULL OR created_at > :createdAfter) "
            + "AND (:updatedAfter::timestamptz IS NULL OR updated_at > :updatedAfter) "
            + "AND (:afterId::text IS NULL OR (<col>, id) <cmp> (:afterValue::<type>, :afterId)) "
            + "ORDER BY <col> <dir>, id <dir> LIMIT :limit")
    @RegisterConstructorMapper(ListRow.class)
    List<ListRow> page(@Bind("companyId") long companyId, @Bind("names") String[] names, @Bind("ids") String[] ids,
                       @Bind("createdAfter") Instant createdAfter, @Bind("updatedAfter") Instant updatedAfter,
                       @Define("col") String column, @Define("type") String type, @Define("dir") String dir,
                       @Define("cmp") String cmp, @Bind("afterValue") String afterValue,
                       @Bind("afterId") String afterId, @Bind("limit") int limit);

    @SqlQuery("SELECT count(*) FROM list_memberships WHERE company_id = :companyId AND list_id = :id")
    long count(@Bind("companyId") long companyId, @Bind("id") String id);

    /** Live profiles among {@code ids} and, for tombstones, their survivors: (asked id, live id). */
    @SqlQuery("SELECT p.id AS asked, COALESCE(p.merged_into, p.id) AS live FROM profiles p "
            + "WHERE p.company_id = :companyId AND p.id = ANY(:ids)")
    @RegisterConstructorMapper(Resolved.class)
    List<Resolved> resolve(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    record Resolved(String asked, String live) {}

    @SqlUpdate("INSERT INTO list_memberships (company_id, list_id, profile_id, created_at) "
            + "SELECT :companyId, :listId, t.p, :now FROM unnest(:profiles::text[]) AS t(p) ORDER BY t.p "
            + "ON CONFLICT DO NOTHING")
    int add(@Bind("companyId") long companyId, @Bind("listId") String listId, @Bind("profiles") String[] profiles,
            @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM list_memberships WHERE company_id = :companyId AND list_id = :listId "
            + "AND profile_id = ANY(:profiles)")
    int remove(@Bind("companyId") long companyId, @Bind("listId") String listId, @Bind("profiles") String[] profiles);

    record MemberRow(String profileId, Instant joinedAt) {}

    /**
     * Members by join time (Klaviyo's {@code joined_group_at}), keyset on (joined, profile id); optional
     * filters on the member's email / phone number and join time.
     */
    @SqlQuery("SELECT m.profile_id, m.created_at AS joined_at FROM list_memberships m "
            + "JOIN profiles p ON p.company_id = m.company_id AND p.id = m.profile_id "
            + "WHERE m.company_id = :companyId AND m.list_id = :listId "
            + "AND (:emails::text[] IS NULL OR p.email = ANY(:emails)) "
            + "AND (:phones::text[] IS NULL OR p.phone_number = ANY(:phones)) "
            + "AND (:joinedFrom::timestamptz IS NULL OR m.created_at >= :joinedFrom) "
            + "AND (:joinedTo::timestamptz IS NULL OR m.created_at < :joinedTo) "
            + "AND (:afterId::text IS NULL OR (m.created_at, m.profile_id) <cmp> (:afterAt, :afterId)) "
            + "ORDER BY m.created_at <dir>, m.profile_id <dir> LIMIT :limit")
    @RegisterConstructorMapper(MemberRow.class)
    List<MemberRow> members(@Bind("companyId") long companyId, @Bind("listId") String listId,
                            @Bind("emails") String[] emails, @Bind("phones") String[] phones,
                            @Bind("joinedFrom") Instant joinedFrom, @Bind("joinedTo") Instant joinedTo,
                            @Bind("afterAt") Instant afterAt, @Bind("afterId") String afterId,
                            @Define("dir") String dir, @Define("cmp") String cmp, @Bind("limit") int limit);

    @SqlQuery("SELECT l.id, l.name, l.opt_in_process, l.created_at, l.updated_at FROM list_memberships m "
            + "JOIN lists l ON l.company_id = m.company_id AND l.id = m.list_id "
            + "WHERE m.company_id = :companyId AND m.profile_id = :profileId ORDER BY l.id LIMIT :limit")
    @RegisterConstructorMapper(ListRow.class)
    List<ListRow> ofProfile(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                            @Bind("limit") int limit);
}
