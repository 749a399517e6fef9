package io.switchboard.core.devices;

import java.time.Instant;

/**
 * A push token as Klaviyo's server API shows it: one row of {@code devices} that holds a token and names its
 * platform. {@code id} is the device row's id (a ULID). {@code enablementStatus} is what the client last
 * reported, except that a disabled token (unregistered, or reported invalid by FCM/APNs) is never shown as
 * deliverable: it reads {@code UNAUTHORIZED} unless the client said {@code DENIED}.
 *
 * @param metadata the device metadata as JSON text ({@code {}} when none was sent)
 */
public record PushToken(String id, String profileId, String token, String platform, String vendor,
                        String enablementStatus, String background, String metadata, Instant created,
                        Instant recorded) {}
