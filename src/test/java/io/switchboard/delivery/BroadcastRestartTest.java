package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.BroadcastKit;
import io.switchboard.testing.DeliveryKit;
import io.switchboard.testing.FakeSmtpServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's broadcast test: a broadcast to a few thousand recipients through a local SMTP server, the
 * server stopped in the middle (while the audience is still being enqueued and sends are in flight) and a
 * new server started on the same database: every recipient gets the message exactly once, the opted-out
 * ones never.
 */
class BroadcastRestartTest {
    static final int RECIPIENTS = 2500;

    @Test
    void aBroadcastInterruptedByARestartReachesEveryRecipientExactlyOnce() throws Exception {
        try (FakeSmtpServer smtp = new FakeSmtpServer()) {
            // small pages so the audience is still being enqueued when the first server stops
            AppFixture first = new AppFixture(SwitchboardApplication.class, "test-config.yml",
                    Map.of("delivery.broadcastPageSize", "20"));
            first.app.before();
            TestCompany c;
            String campaign;
            String id;
            long enqueuedAtStop;
            long sentAtStop;
            try {
                DeliveryKit k = new DeliveryKit(first);
                BroadcastKit b = new BroadcastKit(first);
                c = first.createCompany("BcRestart");
                long cid = first.companyId(c.publicId());
                String pid = k.provider(c, "smtp", Map.of("host", "127.0.0.1", "port", smtp.port(), "tls", "none",
                        "from", "news@acme.test"));
                campaign = k.campaign(c, "email", pid, Map.of("subject", "Hello {{user.external_id}}", "text", "Hi"));
                b.seedList(c, "BIG", "rst", RECIPIENTS);
                first.db().useHandle(h -> h.execute("INSERT INTO subscriptions (company_id, profile_id, channel, purpose, "
                        + "state, source) SELECT ?, profile_id, 'email', 'marketing', 'unsubscribed', 'test' FROM "
                        + "list_memberships WHERE company_id = ? AND list_id = 'BIG' AND right(profile_id, 2) = '07'",
                        cid, cid));
                id = b.toList(c, campaign, "BIG", Map.of());
                String bid = id;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                // stop once the first sends went out, while most of the audience is still to be enqueued
                while (first.count("SELECT count(*) FROM sends WHERE company_id = ? AND broadcast_id = ? AND state = 'sent'",
                        cid, bid) < 5 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            } finally {
                first.app.after(); // the restart: workers stop, claims are handed back
            }
            long cid = first.companyId(c.publicId());
            enqueuedAtStop = first.count("SELECT count(*) FROM sends WHERE company_id = ? AND broadcast_id = ?", cid, id);
            sentAtStop = smtp.recipients.size();
            System.out.printf("broadcast restart: at stop %d of %d enqueued, %d delivered%n", enqueuedAtStop, RECIPIENTS,
                    sentAtStop);
            assertThat(sentAtStop).isPositive().isLessThan(RECIPIENTS);
            assertThat(enqueuedAtStop).as("the restart came while the audience was being enqueued").isLessThan(RECIPIENTS);

            AppFixture second = new AppFixture(SwitchboardApplication.class, "test-config.yml",
                    Map.of("database.url", first.dbUrl, "delivery.broadcastPageSize", "20"));
            second.app.before();
            try {
                BroadcastKit b2 = new BroadcastKit(second);
                JsonNode done = b2.await(c, campaign, id, Duration.ofSeconds(180), BroadcastKit::completed);
                Set<String> optedOut = IntStream.range(0, RECIPIENTS).filter(i -> i % 100 == 7)
                        .mapToObj(i -> "rst" + i + "@example.com").collect(Collectors.toSet());
                Set<String> expected = IntStream.range(0, RECIPIENTS).mapToObj(i -> "rst" + i + "@example.com")
                        .filter(e -> !optedOut.contains(e)).collect(Collectors.toSet());
                List<String> got = List.copyOf(smtp.recipients);
                Map<String, Long> perRecipient = got.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
                assertThat(perRecipient.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                        .as("delivered twice").isEmpty();
                assertThat(new HashSet<>(got)).isEqualTo(expected);
                assertThat(done.at("/progress/enqueued").asLong()).isEqualTo(RECIPIENTS);
                assertThat(done.at("/progress/sent").asLong()).isEqualTo(expected.size());
                assertThat(done.at("/progress/skipped_consent").asLong()).isEqualTo(optedOut.size());
                assertThat(second.count("SELECT count(DISTINCT profile_id) FROM sends WHERE company_id = ? AND broadcast_id = ?",
                        cid, id)).isEqualTo(RECIPIENTS);
            } finally {
                second.app.after();
            }
        }
    }
}
