package io.switchboard.delivery;

import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Where delivery writes profile events: {@code campaign_trigger} and each send's state changes
 * ({@code email_sent}, {@code sms_failed}, {@code push_aborted}, {@code email_throttled}, …). Called
 * inside the transaction that makes the change, so the event and the change commit together.
 *
 * <p>The default implementation, {@link SendEventsTable}, writes the delivery module's own
 * {@code send_events} table. Point this interface at the shared event store once it exists.
 */
public interface DeliveryEvents {
    void record(Handle h, long companyId, String profileId, Long sendId, String name, Map<String, Object> properties);
}
