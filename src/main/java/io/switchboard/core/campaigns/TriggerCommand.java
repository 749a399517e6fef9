package io.switchboard.core.campaigns;

import io.switchboard.core.identity.ProfileWrite;
import java.util.Map;

/**
 * A campaign trigger, as a dialect read it from the wire: the campaign, the person (identifiers as sent,
 * normalised by core), the profile writes that come with it, an optional push token, the event that
 * triggered it (a JSON object as a map) and an optional idempotency key.
 */
public record TriggerCommand(String campaignId, String externalId, String email, String phone, String deviceToken,
                             String locale, String timezone, ProfileWrite write, Map<String, Object> event,
                             String idempotencyKey) {

    /** The fields core may reject; each dialect maps them to its own pointer. */
    public enum Field { EXTERNAL_ID, EMAIL, PHONE, DEVICE_TOKEN }
}
