package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.CaptureServer;
import io.switchboard.testing.DeliveryKit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #11 finding 3 (delivery): one company's flood of slow sends does not hold another company's
 * send back. Company A queues {@value #FLOOD} webhook sends to a provider that takes {@value #SLOW_MS} ms
 * each; then company B triggers one send. B's send must go out while most of A's flood is still queued
 * (before the fix, workers took the oldest due sends first, so B waited behind all of A's).
 * Test config: 2 workers, batches of 5, delivery.maxInFlightPerCompany 4 (the default).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DeliveryFairnessTest {
    static final int FLOOD = 40;
    static final int SLOW_MS = 1000;
    static final CaptureServer HTTP = new CaptureServer();
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);

    @AfterAll
    static void stop() {
        HTTP.close();
    }

    static String webhookCampaign(TestCompany c, String path) {
        String pid = K.provider(c, "webhook", Map.of("url", HTTP.baseUrl() + "/" + path));
        return K.campaign(c, "webhook", pid, Map.of("url", "/{{user.external_id}}", "body", "{}"));
    }

    long unsent(TestCompany c) {
        return F.count("SELECT count(*) FROM sends WHERE company_id = ? AND state <> 'sent'", F.companyId(c.publicId()));
    }

    @Test
    void anotherCompanysSendIsNotDelayedByAFlood() {
        TestCompany a = F.createCompany("Flood");
        TestCompany b = F.createCompany("Quiet");
        String floodCampaign = webhookCampaign(a, "flood");
        String quietCampaign = webhookCampaign(b, "quiet");
        HTTP.delay(r -> r.path().startsWith("/flood/"), SLOW_MS);
        for (int i = 0; i < FLOOD; i++) {
            assertThat(K.trigger(a, floodCampaign, Map.of("user", Map.of("external_id", "a-" + i))).status()).isEqualTo(204);
        }
        long t0 = System.nanoTime();
        assertThat(K.trigger(b, quietCampaign, Map.of("user", Map.of("external_id", "b-1"))).status()).isEqualTo(204);
        long deadline = t0 + 90_000_000_000L;
        while (unsent(b) > 0 && System.nanoTime() < deadline) DeliveryKit.sleep(20);
        assertThat(unsent(b)).as("B's send went out").isZero();
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        long floodLeft = unsent(a);
        System.out.printf("fairness: company B's send took %d ms from trigger to sent; company A still had %d of %d "
                + "slow sends (%d ms each) unsent%n", waitedMs, floodLeft, FLOOD, SLOW_MS);
        // B went out next to A's flood, not behind it: before, B's send was claimed only after every older
        // one of A's, so at most the 2 workers' batches (2 x 5) of A's sends were left when it went out
        assertThat(floodLeft).as("A's sends still queued when B's was sent").isGreaterThan(15);
        // A's flood keeps going meanwhile (the rest is handed back to the queue when the app stops)
        assertThat(HTTP.requests(r -> r.path().startsWith("/flood/"))).isNotEmpty();
    }
}
