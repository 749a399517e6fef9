package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Email suppressions (migration 009). */
public interface SuppressionDao extends SqlObject {

    record SuppressionRow(String profileId, String channel, String reason, Instant createdAt) {}

    @SqlUpdate("INSERT INTO suppressions (company_id, profile_id, channel, reason, created_at) "
            + "SELECT :companyId, t.p, 'email', :reason, :now FROM unnest(:profiles::text[]) AS t(p) ORDER BY t.p "
            + "ON CONFLICT (company_id, profile_id, channel) DO NOTHING")
    int suppress(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles, @Bind("reason") String reason,
                 @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM suppressions WHERE company_id = :companyId AND profile_id = ANY(:profiles) "
            + "AND channel = 'email'")
    int unsuppress(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlQuery("SELECT profile_id, channel, reason, created_at FROM suppressions WHERE company_id = :companyId "
            + "AND profile_id = ANY(:profiles)")
    @RegisterConstructorMapper(SuppressionRow.class)
    List<SuppressionRow> of(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    /** Merge: the loser's suppression becomes the survivor's (an existing one of the survivor's is kept). */
    @SqlUpdate("INSERT INTO suppressions (company_id, profile_id, channel, reason, created_at) SELECT company_id, "
            + ":survivor, channel, reason, created_at FROM suppressions WHERE company_id = :companyId "
            + "AND profile_id = :loser ON CONFLICT DO NOTHING")
    void copy(@Bind("companyId") long companyId, @Bind("loser") String loser, @Bind("survivor") String survivor);

    @SqlUpdate("DELETE FROM suppressions WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    void deleteFor(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    /** Live members of a list with an email (suppression jobs naming a list). */
    @SqlQuery("SELECT m.profile_id FROM list_memberships m JOIN profiles p ON p.company_id = m.company_id "
            + "AND p.id = m.profile_id WHERE m.company_id = :companyId AND m.list_id = :listId AND p.email IS NOT NULL")
    List<String> listMembersWithEmail(@Bind("companyId") long companyId, @Bind("listId") String listId);
}
