package io.switchboard.core.devices;

import org.jdbi.v3.core.Handle;

/**
 * Delivery's view of push tokens: registering a trigger's {@code device_token} as a push token, and
 * disabling a token that FCM/APNs reported as invalid. A port owned by core, implemented
 * over the shared device store by {@link DevicePushTokens}.
 */
public interface PushTokenStore {
    void register(Handle h, long companyId, String profileId, String token);

    /** Called when a provider says the token is invalid or unregistered: no further sends to it. */
    void disableInvalidToken(Handle h, long companyId, String profileId, String token, String reason);

    boolean isDisabled(Handle h, long companyId, String token);
}
