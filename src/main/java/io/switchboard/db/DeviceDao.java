package io.switchboard.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Devices and push tokens: upsert by device_id or token; a token is on at most one device. */
public interface DeviceDao extends SqlObject {

    record DeviceRow(String id, String deviceId, String profileId, String token, String platform, String vendor,
                     String os, String osVersion, String model, String appBuild, String appVersion, boolean enabled,
                     String enablementStatus, String background, String metadata, String source, Instant createdAt,
                     Instant updatedAt) {}

    /** The fields of one upsert (bound by name). */
    record Upsert(String id, String deviceId, String profileId, String token, String platform, String vendor,
                  String os, String osVersion, String model, String appBuild, String appVersion, boolean enabled,
                  String enablementStatus, String background, String metadata, String source, Instant now) {}

    /** Moves a token off every other device: token-only rows holding it go, other devices lose it. */
    @SqlUpdate("DELETE FROM devices WHERE company_id = :companyId AND token = :token AND device_id IS NULL "
            + "AND :deviceId::text IS NOT NULL")
    int dropTokenOnlyRows(@Bind("companyId") long companyId, @Bind("token") String token,
                          @Bind("deviceId") String deviceId);

    @SqlUpdate("UPDATE devices SET token = NULL, updated_at = :now WHERE company_id = :companyId AND token = :token "
            + "AND device_id IS NOT NULL AND device_id <> :deviceId")
    int releaseToken(@Bind("companyId") long companyId, @Bind("token") String token, @Bind("deviceId") String deviceId,
                     @Bind("now") Instant now);

    String SET = "profile_id = EXCLUDED.profile_id, "
            + "token = COALESCE(EXCLUDED.token, devices.token), "
            + "platform = COALESCE(EXCLUDED.platform, devices.platform), "
            + "vendor = COALESCE(EXCLUDED.vendor, devices.vendor), "
            + "os = COALESCE(EXCLUDED.os, devices.os), "
            + "os_version = COALESCE(EXCLUDED.os_version, devices.os_version), "
            + "model = COALESCE(EXCLUDED.model, devices.model), "
            + "app_build = COALESCE(EXCLUDED.app_build, devices.app_build), "
            + "app_version = COALESCE(EXCLUDED.app_version, devices.app_version), "
            + "enabled = EXCLUDED.enabled, "
            + "enablement_status = COALESCE(EXCLUDED.enablement_status, devices.enablement_status), "
            + "background = COALESCE(EXCLUDED.background, devices.background), "
            + "metadata = devices.metadata || EXCLUDED.metadata, "
            + "source = EXCLUDED.source, updated_at = EXCLUDED.updated_at";
    String INSERT = "INSERT INTO devices (company_id, id, device_id, profile_id, token, platform, vendor, os, "
            + "os_version, model, app_build, app_version, enabled, enablement_status, background, metadata, source, "
            + "created_at, updated_at) VALUES (:companyId, :u.id, :u.deviceId, :u.profileId, :u.token, :u.platform, "
            + ":u.vendor, :u.os, :u.osVersion, :u.model, :u.appBuild, :u.appVersion, :u.enabled, :u.enablementStatus, "
            + ":u.background, COALESCE(:u.metadata::jsonb, '{}'::jsonb), :u.source, :u.now, :u.now) ";

    @SqlUpdate(INSERT + "ON CONFLICT (company_id, device_id) WHERE device_id IS NOT NULL DO UPDATE SET " + SET)
    int upsertByDeviceId(@Bind("companyId") long companyId, @BindMethods("u") Upsert u);

    @SqlUpdate(INSERT + "ON CONFLICT (company_id, token) WHERE token IS NOT NULL DO UPDATE SET " + SET)
    int upsertByToken(@Bind("companyId") long companyId, @BindMethods("u") Upsert u);

    @SqlUpdate("UPDATE devices SET enabled = false, updated_at = :now WHERE company_id = :companyId AND token = :token")
    int disableToken(@Bind("companyId") long companyId, @Bind("token") String token, @Bind("now") Instant now);

    @SqlUpdate("UPDATE devices SET profile_id = :profileId, updated_at = :now WHERE company_id = :companyId AND token = :token")
    int moveToken(@Bind("companyId") long companyId, @Bind("token") String token, @Bind("profileId") String profileId,
                  @Bind("now") Instant now);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM devices WHERE company_id = :companyId AND token = :token)")
    boolean tokenExists(@Bind("companyId") long companyId, @Bind("token") String token);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM devices WHERE company_id = :companyId AND token = :token AND NOT enabled)")
    boolean tokenDisabled(@Bind("companyId") long companyId, @Bind("token") String token);

    @SqlUpdate("UPDATE devices SET profile_id = :survivor, updated_at = now() WHERE company_id = :companyId "
            + "AND profile_id = :loser")
    int move(@Bind("companyId") long companyId, @Bind("loser") String loser, @Bind("survivor") String survivor);

    @SqlUpdate("DELETE FROM devices WHERE company_id = :companyId AND profile_id = ANY(:profiles)")
    int deleteForProfiles(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    @SqlQuery("SELECT id, device_id, profile_id, token, platform, vendor, os, os_version, model, app_build, app_version, "
            + "enabled, enablement_status, background, metadata::text AS metadata, source, created_at, updated_at "
            + "FROM devices WHERE company_id = :companyId AND profile_id = ANY(:profiles) ORDER BY created_at, id")
    @RegisterConstructorMapper(DeviceRow.class)
    List<DeviceRow> forProfiles(@Bind("companyId") long companyId, @Bind("profiles") String[] profiles);

    /** The columns of {@link DeviceRow}. */
    String ROW = "SELECT id, device_id, profile_id, token, platform, vendor, os, os_version, model, app_build, "
            + "app_version, enabled, enablement_status, background, metadata::text AS metadata, source, created_at, "
            + "updated_at FROM devices ";
    /** A device that is a Klaviyo push token: it holds a token and names its platform. */
    String IS_PUSH_TOKEN = "token IS NOT NULL AND platform IN ('ios', 'android') ";

    @SqlQuery(ROW + "WHERE company_id = :companyId AND id = :id AND " + IS_PUSH_TOKEN)
    @RegisterConstructorMapper(DeviceRow.class)
    java.util.Optional<DeviceRow> findPushToken(@Bind("companyId") long companyId, @Bind("id") String id);

    /** Push tokens by id, after {@code afterId}, optionally of one profile / platform / enablement status. */
    @SqlQuery(ROW + "WHERE company_id = :companyId AND " + IS_PUSH_TOKEN
            + "AND (CAST(:profileId AS text) IS NULL OR profile_id = :profileId) "
            + "AND (CAST(:platform AS text) IS NULL OR platform = :platform) "
            + "AND (CAST(:status AS text) IS NULL OR COALESCE(enablement_status, 'AUTHORIZED') = :status) "
            + "AND (CAST(:id AS text) IS NULL OR id = :id) "
            + "AND (CAST(:afterId AS text) IS NULL OR id > :afterId) ORDER BY id LIMIT :limit")
    @RegisterConstructorMapper(DeviceRow.class)
    List<DeviceRow> pushTokenPage(@Bind("companyId") long companyId, @Bind("profileId") String profileId,
                                  @Bind("platform") String platform, @Bind("status") String status,
                                  @Bind("id") String id, @Bind("afterId") String afterId, @Bind("limit") int limit);

    @SqlUpdate("DELETE FROM devices WHERE company_id = :companyId AND id = :id AND " + IS_PUSH_TOKEN)
    int deletePushToken(@Bind("companyId") long companyId, @Bind("id") String id);
}
