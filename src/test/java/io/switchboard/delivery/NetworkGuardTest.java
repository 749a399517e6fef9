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

    /** Issue #11 finding 9: every address form that is not globally reachable, however it is spelled. */
    @Test
    void everyNonPublicAddressFormIsRefused() {
        String[] refused = {
                "[::127.0.0.1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:10.0.0.1]", "[0:0:0:0:0:ffff:a9fe:a9fe]",
                "[64:ff9b::7f00:1]", "[64:ff9b::10.0.0.1]", "[64:ff9b::8.8.8.8]", "[64:ff9b:1::1]",
                "[2002:7f00:1::]", "[2002:c0a8:1::1]", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "[2001:db8::1]",
                "[fc00::1]", "[fdff:ffff::1]", "[fe80::1]", "[febf::1]", "[fec0::1]", "[ff02::1]", "[ff0e::1]", "[::]",
                "[100::1]", "192.0.0.1", "192.0.0.170", "192.0.2.1", "198.51.100.7", "203.0.113.9", "192.88.99.1",
                "240.0.0.1", "250.1.2.3", "255.255.255.255", "224.0.0.1", "239.255.255.250", "100.64.0.1",
                "100.127.255.254", "0.0.0.0", "0.1.2.3", "127.1.2.3", "169.254.169.254", "198.18.0.1", "198.19.255.1",
                "172.31.255.255", "10.255.255.255", "192.168.255.1", "2130706433"};
        for (String host : refused) {
            assertThat(strict.check(URI.create("http://" + host + ":8081/tasks/gc"))).as(host).isNotNull();
            assertThat(strict.checkHost(host)).as(host).isNotNull();
        }
        for (String host : new String[] {"93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1",
                "192.0.1.1", "198.20.0.1", "223.255.255.254", "[2606:4700:4700::1111]", "[2a00:1450:4001:81b::200e]"}) {
            assertThat(strict.checkHost(host)).as(host).isNull();
        }
    }

    @Test
    void aWebhookToLoopbackFailsWithoutARequestWhenNotAllowed() {
        try (CaptureServer server = new CaptureServer()) {
            Provider p = new Provider(1, "1", "webhook", "w", Map.of("url", server.baseUrl() + "/hook"), null, null,
                    Instant.now(), Instant.now());
            Campaign c = new Campaign(1, "1", "c", Channel.WEBHOOK, "1", "active", "marketing", "en", Map.of(),
                    Instant.now(), Instant.now());
            Send s = new Send(1, "1", "1", "p", "webhook", null, null, Map.of(), null, "sending", null, 1, Instant.now(),
                    "w", Instant.now(), "1", null, null, false, Instant.now(), Instant.now(), null, null, null);
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
