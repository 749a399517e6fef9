package io.switchboard.db;

import io.switchboard.core.identity.Profile;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Profiles, their identifier claims and the identity history. Every statement is scoped by company_id. */
@RegisterRowMapper(ProfileMapper.class)
public interface ProfileDao extends SqlObject {
    /**
     * The subquery names {@code :companyId} itself (not {@code p.company_id}): Citus routes a statement to one
     * shard only when every table in it is filtered by the distribution value (docs/scale.md).
     */
    String COLUMNS = "p.company_id, p.id, p.external_id, p.email, p.phone_number, p.attributes::text AS attributes, "
            + "p.properties::text AS properties, p.write_times::text AS write_times, p.created_at, p.updated_at, "
            + "p.last_event_at, p.merged_into, "
            + "ARRAY(SELECT i.value FROM profile_identifiers i WHERE i.company_id = :companyId AND i.profile_id = p.id "
            + "AND i.kind = 'anonymous_id' ORDER BY i.created_at, i.value) AS anonymous_ids";

    record Owner(String kind, String value, String profileId) {
        /** Mapped by hand: a constructor mapper is specialised for every result set (measurable per statement). */
        public static final class Mapper implements org.jdbi.v3.core.mapper.RowMapper<Owner> {
            @Override
            public Owner map(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
                    throws java.sql.SQLException {
                return new Owner(rs.getString(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    /**
     * Owners of many identifiers. One primary-key probe per identifier, whatever the statistics say: the
     * {@code LATERAL … OFFSET 0} keeps the planner from turning a handful of probes into a scan of the
     * company's claims (which it did on young tables whose statistics still said "empty", with a generic plan).
     */
    @SqlQuery("SELECT i.kind, i.value, i.profile_id FROM unnest(:kinds::text[], :values::text[]) AS t(k, v) "
            + "CROSS JOIN LATERAL (SELECT x.kind, x.value, x.profile_id FROM profile_identifiers x "
            + "WHERE x.company_id = :companyId AND x.kind = t.k AND x.value = t.v OFFSET 0) i")
    @org.jdbi.v3.sqlobject.config.RegisterRowMapper(Owner.Mapper.class)
    List<Owner> owners(@Bind("companyId") long companyId, @Bind("kinds") String[] kinds, @Bind("values") String[] values);

    /** An identifier's owner, and whether that owner was live when {@link #ownersKeyShared} locked it. */
    record SharedOwner(String kind, String value, String profileId, boolean live) {
        public static final class Mapper implements org.jdbi.v3.core.mapper.RowMapper<SharedOwner> {
            @Override
            public SharedOwner map(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
                    throws java.sql.SQLException {
                return new SharedOwner(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4));
            }
        }
    }

    /**
     * {@link #owners} and a lock of those owners in ONE statement: the owners of many
     * identifiers, each owner locked {@code FOR KEY SHARE} (in id order) until the transaction ends, and
     * whether it is live in its latest version. The aggregate reads every locked row, so every owner is
     * locked whatever join the planner picks.
     */
    @SqlQuery("WITH o AS (SELECT i.kind, i.value, i.profile_id FROM unnest(:kinds::text[], :values::text[]) AS t(k, v) "
            + "CROSS JOIN LATERAL (SELECT x.kind, x.value, x.profile_id FROM profile_identifiers x "
            + "WHERE x.company_id = :companyId AND x.kind = t.k AND x.value = t.v OFFSET 0) i), "
            + "l AS (SELECT id, merged_into FROM profiles WHERE company_id = :companyId "
            + "AND id IN (SELECT profile_id FROM o) ORDER BY id FOR KEY SHARE) "
            + "SELECT o.kind, o.value, o.profile_id, o.profile_id = ANY(s.live) FROM o, "
            + "(SELECT coalesce(array_agg(id) FILTER (WHERE merged_into IS NULL), '{}') AS live FROM l) s")
    @org.jdbi.v3.sqlobject.config.RegisterRowMapper(SharedOwner.Mapper.class)
    List<SharedOwner> ownersKeyShared(@Bind("companyId") long companyId, @Bind("kinds") String[] kinds,
                                      @Bind("values") String[] values);

    @SqlQuery("SELECT " + COLUMNS + " FROM profiles p WHERE p.company_id = :companyId AND p.id = ANY(:ids) "
            + "ORDER BY p.id FOR UPDATE OF p")
    List<Profile> lock(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    @SqlQuery("SELECT " + COLUMNS + " FROM profiles p WHERE p.company_id = :companyId AND p.id = :id")
    Optional<Profile> find(@Bind("companyId") long companyId, @Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM profiles p WHERE p.company_id = :companyId AND p.id = ANY(:ids)")
    List<Profile> findAll(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    /** A profile row alone (tests and fixtures; the identity core creates people with {@link #create}). */
    @SqlUpdate("INSERT INTO profiles (company_id, id, external_id, email, phone_number, attributes, properties, "
            + "write_times, created_at, updated_at) VALUES (:companyId, :id, :externalId, :email, :phone, "
            + ":attributes::jsonb, :properties::jsonb, :writeTimes::jsonb, :now, :now)")
    void insert(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("externalId") String externalId,
                @Bind("email") String email, @Bind("phone") String phone, @Bind("attributes") String attributes,
                @Bind("properties") String properties, @Bind("writeTimes") String writeTimes, @Bind("now") Instant now);

    /**
     * A new person in ONE statement: the profile row, its "create" history record, and the claims of its
     * identifiers (in canonical order, as {@link #claim}); returns the identifiers actually claimed ({@code
     * kind:value}) — fewer than asked means another transaction owns one, and the caller rolls back. The claims
     * reference the profile row inserted by the same statement: foreign keys are checked at its end.
     */
    @SqlQuery("WITH p AS (INSERT INTO profiles (company_id, id, external_id, email, phone_number, attributes, properties, "
            + "write_times, created_at, updated_at) VALUES (:companyId, :id, :externalId, :email, :phone, "
            + ":attributes::jsonb, :properties::jsonb, :writeTimes::jsonb, :now, :now) RETURNING id), "
            + "h AS (INSERT INTO identity_history (company_id, operation, survivor_id, identifiers, rule, credential, source) "
            + "SELECT :companyId, 'create', p.id, :identifiers::jsonb, :rule, :credential, :source FROM p) "
            + "INSERT INTO profile_identifiers (company_id, kind, value, profile_id) "
            + "SELECT :companyId, t.k, t.v, p.id FROM p, unnest(:kinds::text[], :values::text[]) AS t(k, v) ORDER BY t.k, t.v "
            + "ON CONFLICT DO NOTHING RETURNING kind || ':' || value")
    List<String> create(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("externalId") String externalId,
                        @Bind("email") String email, @Bind("phone") String phone, @Bind("attributes") String attributes,
                        @Bind("properties") String properties, @Bind("writeTimes") String writeTimes,
                        @Bind("now") Instant now, @Bind("kinds") String[] kinds, @Bind("values") String[] values,
                        @Bind("identifiers") String identifiers, @Bind("rule") String rule,
                        @Bind("credential") String credential, @Bind("source") String source);

    @SqlUpdate("UPDATE profiles SET external_id = :externalId, email = :email, phone_number = :phone, "
            + "attributes = :attributes::jsonb, properties = :properties::jsonb, write_times = :writeTimes::jsonb, "
            + "created_at = :createdAt, updated_at = :now, "
            + "last_event_at = GREATEST(last_event_at, :lastEventAt) "
            + "WHERE company_id = :companyId AND id = :id")
    void update(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("externalId") String externalId,
                @Bind("email") String email, @Bind("phone") String phone, @Bind("attributes") String attributes,
                @Bind("properties") String properties, @Bind("writeTimes") String writeTimes,
                @Bind("createdAt") Instant createdAt, @Bind("lastEventAt") Instant lastEventAt, @Bind("now") Instant now);

    @SqlUpdate("UPDATE profiles SET updated_at = :now WHERE company_id = :companyId AND id = :id")
    void touch(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("now") Instant now);

    /** Claims identifiers for a profile in a canonical order; returns the ones actually claimed. */
    @SqlQuery("INSERT INTO profile_identifiers (company_id, kind, value, profile_id) "
            + "SELECT :companyId, k, v, :profileId FROM unnest(:kinds::text[], :values::text[]) AS t(k, v) ORDER BY k, v "
            + "ON CONFLICT DO NOTHING RETURNING kind || ':' || value")
    List<String> claim(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                       @Bind("kinds") String[] kinds, @Bind("values") String[] values);

    @SqlUpdate("DELETE FROM profile_identifiers WHERE company_id = :companyId AND profile_id = :profileId "
            + "AND kind = :kind AND value = :value")
    int release(@Bind("companyId") long companyId, @Bind("profileId") String profileId, @Bind("kind") String kind,
                @Bind("value") String value);

    @SqlUpdate("UPDATE profile_identifiers SET profile_id = :to WHERE company_id = :companyId AND profile_id = :from "
            + "AND kind = 'anonymous_id'")
    int moveAnonymousIds(@Bind("companyId") long companyId, @Bind("from") String from, @Bind("to") String to);

    @SqlUpdate("UPDATE profile_identifiers SET profile_id = :to WHERE company_id = :companyId AND profile_id = :from "
            + "AND kind = :kind")
    int moveIdentifier(@Bind("companyId") long companyId, @Bind("from") String from, @Bind("to") String to,
                       @Bind("kind") String kind);

    @SqlUpdate("DELETE FROM profile_identifiers WHERE company_id = :companyId AND profile_id = :profileId")
    int releaseAll(@Bind("companyId") long companyId, @Bind("profileId") String profileId);

    @SqlUpdate("UPDATE profiles SET merged_into = :survivor, merged_at = :now, external_id = NULL, email = NULL, "
            + "phone_number = NULL, updated_at = :now WHERE company_id = :companyId AND (id = :loser OR merged_into = :loser)")
    int tombstone(@Bind("companyId") long companyId, @Bind("loser") String loser, @Bind("survivor") String survivor,
                  @Bind("now") Instant now);

    @SqlQuery("SELECT id FROM profiles WHERE company_id = :companyId AND merged_into = :survivor")
    List<String> tombstonesOf(@Bind("companyId") long companyId, @Bind("survivor") String survivor);

    @SqlUpdate("DELETE FROM profiles WHERE company_id = :companyId AND id = ANY(:ids)")
    int delete(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    @SqlUpdate("INSERT INTO identity_history (company_id, operation, survivor_id, loser_id, identifiers, rule, "
            + "credential, source, snapshot) VALUES (:companyId, :operation, :survivor, :loser, :identifiers::jsonb, "
            + ":rule, :credential, :source, :snapshot::jsonb)")
    void history(@Bind("companyId") long companyId, @Bind("operation") String operation,
                 @Bind("survivor") String survivor, @Bind("loser") String loser, @Bind("identifiers") String identifiers,
                 @Bind("rule") String rule, @Bind("credential") String credential, @Bind("source") String source,
                 @Bind("snapshot") String snapshot);

    @SqlUpdate("DELETE FROM identity_history WHERE company_id = :companyId "
            + "AND (survivor_id = ANY(:ids) OR loser_id = ANY(:ids))")
    int deleteHistory(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    record HistoryRow(long id, Instant at, String operation, String survivorId, String loserId, String identifiers,
                      String rule, String credential, String source, String snapshot) {}

    @SqlQuery("SELECT id, at, operation, survivor_id, loser_id, identifiers::text AS identifiers, rule, credential, "
            + "source, snapshot::text AS snapshot FROM identity_history WHERE company_id = :companyId "
            + "AND (survivor_id = ANY(:ids) OR loser_id = ANY(:ids)) ORDER BY id")
    @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(HistoryRow.class)
    List<HistoryRow> history(@Bind("companyId") long companyId, @Bind("ids") String[] ids);

    @SqlUpdate("UPDATE profiles SET last_event_at = GREATEST(last_event_at, :at) "
            + "WHERE company_id = :companyId AND id = :id")
    void markEvent(@Bind("companyId") long companyId, @Bind("id") String id, @Bind("at") Instant at);
}
