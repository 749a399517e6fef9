package io.switchboard.core.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * {@link EventRecorder} over the shared event store: {@code campaign_trigger}, {@code email_sent},
 * {@code push_failed}… become ordinary events of the profile (source {@code delivery}, the send id in
 * {@code properties.send_id}), readable through every event API. Written inside the caller's
 * transaction. Wired by {@code DeliveryModule}.
 */
public class EventStoreDeliveryEvents implements EventRecorder {
    public static final String SOURCE = "delivery";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IngestService ingest;

    public EventStoreDeliveryEvents(IngestService ingest) {
        this.ingest = ingest;
    }

    @Override
    public void record(Handle h, long companyId, String profileId, String sendId, String name,
                       Map<String, Object> properties) {
        ObjectNode props = properties == null ? JSON.createObjectNode() : JSON.valueToTree(properties);
        if (sendId != null) props.put("send_id", sendId);
        Instant now = Instant.now();
        ingest.record(h, companyId, profileId, List.of(new IngestOp.Event("track", name, props, null, null, now, SOURCE,
                null, null, false)), now);
    }
}
