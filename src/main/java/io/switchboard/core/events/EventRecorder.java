package io.switchboard.core.events;

import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Where delivery writes profile events: {@code campaign_trigger} and each send's state changes
 * ({@code email_sent}, {@code sms_failed}, {@code push_aborted}, {@code email_throttled}, …). Called
 * inside the transaction that makes the change, so the event and the change commit together.
 *
 * <p>A port owned by core, implemented over the shared event store by {@link EventStoreDeliveryEvents};
 * delivery depends on it, never the other way round.
 */
public interface EventRecorder {
    void record(Handle h, long companyId, String profileId, String sendId, String name, Map<String, Object> properties);
}
