package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.core.campaigns.Send;
import io.switchboard.testing.CaptureServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tenant-configured HTTP destinations may not reach this machine or private networks unless allowed. */
class NetworkGuardTest {
    final NetworkGuard strict = new NetworkGuard(false);

    @Test
    void privateLoopbackAndMetadataAddressesAreRefused() {
        for (String u : new String[] {"http://127.0.0.1:8081/tasks/gc", "http://localhost/", "http://10.1.2.3/",
                "http://192.168.0.10/", "http://172.16.5.5/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                "http://[fd00::1]/", "http://0.0.0.0/", "http://100.64.0.1/"}) {
            assertThat(strict.check(URI.create(u))).as(u).isNotNull();
        }
        assertThat(strict.check(URI.create("https://93.184.216.34/hook"))).isNull();
        assertThat(strict.check(URI.create("file:///etc/passwd"))).isNotNull();
        assertThat(new NetworkGuard(true).check(URI.create("http://127.0.0.1/"))).isNull();
    }

    @Test
    void aWebhookToLoopbackFailsWithoutARequestWhenNotAllowed() {
        try (CaptureServer server = new CaptureServer()) {
            Provider p = new Provider(1, 1, "webhook", "w", Map.of("url", server.baseUrl() + "/hook"), null, null,
                    Instant.now(), Instant.now());
            Campaign c = new Campaign(1, 1, "c", Channel.WEBHOOK, 1L, "active", "marketing", "en", Map.of(),
                    Instant.now(), Instant.now());
            Send s = new Send(1, 1, 1, "p", "webhook", null, null, Map.of(), null, "sending", null, 1, Instant.now(),
                    "w", Instant.now(), 1L, null, null, false, Instant.now(), Instant.now(), null, null, null);
            DeliveryResult r = new WebhookSender(Duration.ofSeconds(2), strict)
                    .send(new OutgoingMessage(s, c, p, Map.of("body", "{}"), null));
            assertThat(r).isInstanceOf(DeliveryResult.Failed.class);
            assertThat(((DeliveryResult.Failed) r).error()).contains("allowPrivateNetworks");
            assertThat(server.requests()).isEmpty();
            DeliveryResult allowed = new WebhookSender(Duration.ofSeconds(2), new NetworkGuard(true))
                    .send(new OutgoingMessage(s, c, p, Map.of("body", "{}"), null));
            assertThat(allowed).isInstanceOf(DeliveryResult.Sent.class);
            assertThat(server.requests()).hasSize(1);
        }
    }
}
