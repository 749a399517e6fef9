package io.switchboard.delivery;

import io.switchboard.db.DeliveryDao;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Default {@link DeliveryEvents}: the delivery module's own {@code send_events} table. */
public class SendEventsTable implements DeliveryEvents {
    @Override
    public void record(Handle h, long companyId, String profileId, Long sendId, String name, Map<String, Object> properties) {
        h.attach(DeliveryDao.class).insertSendEvent(companyId, profileId, sendId, name, properties);
    }
}
