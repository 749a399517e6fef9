package io.switchboard.core.devices;

import io.switchboard.db.DeviceDao;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * {@link PushTokenStore} over the shared device store ({@code devices}): a trigger's {@code device_token} is
 * upserted by token onto the profile (moved if another profile had it, never duplicated), and a token
 * that FCM/APNs reports invalid is disabled ({@code enabled = false}) for every dialect.
 * Wired by {@code DeliveryModule}.
 */
public class DevicePushTokens implements PushTokenStore {
    public static final String SOURCE = "campaign_trigger";

    @Override
    public void register(Handle h, long companyId, String profileId, String token) {
        Instant now = Instant.now();
        DeviceDao dao = h.attach(DeviceDao.class);
        // a known token moves to this profile but keeps its state (a token reported invalid stays disabled)
        if (dao.moveToken(companyId, token, profileId, now) > 0) return;
        dao.upsertByToken(companyId, new DeviceDao.Upsert(
                com.github.f4b6a3.ulid.UlidCreator.getMonotonicUlid().toString(), null, profileId, token, null, null,
                null, null, null, null, null, true, null, null, null, SOURCE, now));
    }

    @Override
    public void disableInvalidToken(Handle h, long companyId, String profileId, String token, String reason) {
        DeviceDao dao = h.attach(DeviceDao.class);
        if (!dao.tokenExists(companyId, token)) register(h, companyId, profileId, token);
        dao.disableToken(companyId, token, Instant.now());
    }

    @Override
    public boolean isDisabled(Handle h, long companyId, String token) {
        return h.attach(DeviceDao.class).tokenDisabled(companyId, token);
    }
}
