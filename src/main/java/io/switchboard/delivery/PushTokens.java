package io.switchboard.delivery;

import io.switchboard.db.DeliveryDao;
import org.jdbi.v3.core.Handle;

/**
 * HOOK for the shared device store (not built yet): registering a trigger's {@code device_token} as a
 * push token, and disabling a token that FCM/APNs reported as invalid. The default implementation,
 * {@link Interim}, keeps tokens in the delivery module's {@code delivery_push_tokens} table; replace it
 * with one over the shared device/push-token service when that lands.
 */
public interface PushTokens {
    void register(Handle h, long companyId, String profileId, String token);

    /** Called when a provider says the token is invalid or unregistered: no further sends to it. */
    void disableInvalidToken(Handle h, long companyId, String profileId, String token, String reason);

    boolean isDisabled(Handle h, long companyId, String token);

    /** INTERIM implementation over {@code delivery_push_tokens}. */
    class Interim implements PushTokens {
        @Override
        public void register(Handle h, long companyId, String profileId, String token) {
            h.attach(DeliveryDao.class).registerPushToken(companyId, token, profileId);
        }

        @Override
        public void disableInvalidToken(Handle h, long companyId, String profileId, String token, String reason) {
            DeliveryDao d = h.attach(DeliveryDao.class);
            d.registerPushToken(companyId, token, profileId);
            d.disablePushToken(companyId, token, reason);
        }

        @Override
        public boolean isDisabled(Handle h, long companyId, String token) {
            return h.attach(DeliveryDao.class).isPushTokenDisabled(companyId, token);
        }
    }
}
