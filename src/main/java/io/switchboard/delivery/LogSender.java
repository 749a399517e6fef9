package io.switchboard.delivery;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code log} provider: "delivers" by logging (no address or content, only ids), for development and demos. */
public class LogSender implements ChannelSender {
    private static final Logger LOG = LoggerFactory.getLogger(LogSender.class);

    @Override
    public String providerType() { return "log"; }

    @Override
    public DeliveryResult send(OutgoingMessage m) {
        String id = "log-" + UUID.randomUUID();
        LOG.info("log provider: {} send {} of campaign {} (company {}) delivered as {}, fields {}",
                m.send().channel(), m.send().id(), m.campaign().id(), m.send().companyId(), id, m.fields().keySet());
        return DeliveryResult.sent(id);
    }
}
