package io.switchboard.delivery;

import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Where delivery writes profile events: {@code campaign_trigger} and each send's state changes
 * ({@code email_sent}, {@code sms_failed}, {@code push_aborted}, {@code email_throttled}, …). Called
 * inside the transaction that makes the change, so the event and the change commit together.
 *
 * <p>Implemented over the shared event store by {@code core.events.EventStoreDeliveryEvents}.
 */
public interface DeliveryEvents {
    void record(Handle h, long companyId, String profileId, String sendId, String name, Map<String, Object> properties);
}
