package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.CaptureServer;
import io.switchboard.testing.CaptureServer.Answer;
import io.switchboard.testing.DeliveryKit;
import io.switchboard.testing.FakeSmtpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue's behaviour end to end: retries with backoff, permanent failures, SMTP 4xx/5xx, idempotent
 * triggers, the shared rate limit, lease expiry after a worker died, and two server processes on one
 * database delivering every send exactly once. Test config: maxAttempts 3, backoff 100–400 ms, lease 5 s.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DeliveryQueueIntegrationTest {
    static final CaptureServer HTTP = new CaptureServer();
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);

    @AfterAll
    static void stop() {
        HTTP.close();
    }

    /** A webhook campaign posting {"id": external_id} to {base}/{path}/{external_id}. */
    static String webhookCampaign(TestCompany c, String path, Integer rateLimit) {
        String pid = K.provider(c, "webhook", Map.of("url", HTTP.baseUrl() + "/" + path), rateLimit, "second");
        return K.campaign(c, "webhook", pid, Map.of("url", "/{{user.external_id}}", "body", "{\"id\":\"{{user.external_id}}\"}"));
    }

    static Map<String, Object> user(String externalId) {
        return Map.of("user", Map.of("external_id", externalId));
    }

    @Test
    void serverErrorThenSuccessIsRetriedAndEndsSent() {
        TestCompany c = F.createCompany("Retry");
        String cid = webhookCampaign(c, "retry", null);
        HTTP.answerOnce(r -> r.path().equals("/retry/r-1"), Answer.of(500, "{\"error\":\"boom\"}"));
        assertThat(K.trigger(c, cid, user("r-1")).status()).isEqualTo(204);
        JsonNode s = K.awaitSends(c, cid, 1, "sent");
        assertThat(s.at("/0/attributes/attempts").asInt()).isEqualTo(2);
        assertThat(HTTP.requests(r -> r.path().equals("/retry/r-1"))).hasSize(2);
        assertThat(K.events(c, s.at("/0/attributes/profile_id").asText()))
                .containsExactly("campaign_trigger", "webhook_retrying", "webhook_sent");
    }

    @Test
    void transientFailuresGiveUpAfterMaxAttempts() {
        TestCompany c = F.createCompany("GiveUp");
        String cid = webhookCampaign(c, "down", null);
        HTTP.answerAlways(r -> r.path().startsWith("/down/"), new Answer(503, "{}", Map.of("Retry-After", "0")));
        assertThat(K.trigger(c, cid, user("d-1")).status()).isEqualTo(204);
        JsonNode s = K.awaitSends(c, cid, 1, "failed");
        assertThat(s.at("/0/attributes/attempts").asInt()).isEqualTo(3);
        assertThat(s.at("/0/attributes/last_error").asText()).startsWith("Gave up after 3 attempts").contains("HTTP 503");
        assertThat(HTTP.requests(r -> r.path().equals("/down/d-1"))).hasSize(3);
    }

    @Test
    void permanentFailureIsNotRetried() {
        TestCompany c = F.createCompany("Perm");
        String cid = webhookCampaign(c, "perm", null);
        HTTP.answerOnce(r -> r.path().equals("/perm/p-1"), Answer.of(400, "{\"error\":\"bad payload\"}"));
        assertThat(K.trigger(c, cid, user("p-1")).status()).isEqualTo(204);
        JsonNode s = K.awaitSends(c, cid, 1, "failed");
        assertThat(s.at("/0/attributes/attempts").asInt()).isEqualTo(1);
        assertThat(s.at("/0/attributes/last_error").asText()).contains("HTTP 400").contains("bad payload");
        DeliveryKit.sleep(300);
        assertThat(HTTP.requests(r -> r.path().equals("/perm/p-1"))).hasSize(1);
    }

    @Test
    void smtp5xxFailsAtOnceAndSmtp4xxIsRetried() throws Exception {
        try (FakeSmtpServer smtp = new FakeSmtpServer()) {
            TestCompany c = F.createCompany("SmtpCodes");
            String pid = K.provider(c, "smtp", Map.of("host", "127.0.0.1", "port", smtp.port(), "tls", "none",
                    "from", "news@acme.test"));
            String cid = K.campaign(c, "email", pid, Map.of("subject", "s", "text", "t"));
            smtp.replyToNextRcpt("550 5.1.1 no such mailbox");
            assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "m-1", "email", "gone@example.com")))
                    .status()).isEqualTo(204);
            JsonNode failed = K.awaitSends(c, cid, 1, "failed");
            assertThat(failed.at("/0/attributes/attempts").asInt()).isEqualTo(1);
            assertThat(failed.at("/0/attributes/last_error").asText()).contains("550");
            assertThat(smtp.accepted.get()).isZero();

            smtp.replyToNextRcpt("451 4.3.0 try again later");
            assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "m-2", "email", "later@example.com")))
                    .status()).isEqualTo(204);
            JsonNode both = K.awaitSends(c, cid, 2, "failed", "sent");
            assertThat(both.at("/0/attributes/state").asText()).isEqualTo("sent");
            assertThat(both.at("/0/attributes/attempts").asInt()).isEqualTo(2);
            assertThat(smtp.accepted.get()).isEqualTo(1);
        }
    }

    @Test
    void idempotentTriggersSendOnce() throws Exception {
        TestCompany c = F.createCompany("Idem");
        String cid = webhookCampaign(c, "idem", null);
        Map<String, String> key = Map.of("Idempotency-Key", "order-77");
        assertThat(K.trigger(c.secretKey(), cid, user("i-1"), key).status()).isEqualTo(204);
        assertThat(K.trigger(c.secretKey(), cid, user("i-1"), key).status()).isEqualTo(204);
        // event.id works the same way
        Map<String, Object> withEventId = Map.of("user", Map.of("external_id", "i-2"), "event", Map.of("id", "evt-9"));
        assertThat(K.trigger(c, cid, withEventId).status()).isEqualTo(204);
        assertThat(K.trigger(c, cid, withEventId).status()).isEqualTo(204);
        // concurrent retries of one request: still one send
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Res>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(pool.submit(() -> K.trigger(c.secretKey(), cid, user("i-3"), Map.of("Idempotency-Key", "burst-1"))));
        }
        for (Future<Res> f : fs) assertThat(f.get().status()).isEqualTo(204);
        pool.shutdown();
        JsonNode sends = K.awaitSends(c, cid, 3, "sent");
        assertThat(sends).hasSize(3);
        for (String id : List.of("i-1", "i-2", "i-3")) {
            assertThat(HTTP.requests(r -> r.path().equals("/idem/" + id))).as(id).hasSize(1);
        }
        long companyId = F.companyId(c.publicId());
        assertThat(F.count("SELECT count(*) FROM events WHERE company_id = ? AND name = 'campaign_trigger' AND source = 'delivery'", companyId))
                .isEqualTo(3);
        // without a key, a repeat is a new send
        assertThat(K.trigger(c, cid, user("i-1")).status()).isEqualTo(204);
        K.awaitSends(c, cid, 4, "sent");
    }

    @Test
    void providerRateLimitThrottlesAndLaterDelivers() {
        TestCompany c = F.createCompany("Rate");
        String cid = webhookCampaign(c, "rate", 2);
        for (int i = 0; i < 5; i++) {
            assertThat(K.trigger(c, cid, user("rl-" + i)).status()).isEqualTo(204);
        }
        K.awaitSends(c, cid, 5, "sent");
        long companyId = F.companyId(c.publicId());
        assertThat(F.count("SELECT count(*) FROM events WHERE company_id = ? AND name = 'webhook_throttled' AND source = 'delivery'", companyId))
                .isPositive();
        // the shared windows never handed out more than 2 units, and 5 sends needed at least 3 windows
        List<Integer> used = F.db().withHandle(h -> h.createQuery(
                        "SELECT used FROM provider_rate_windows WHERE company_id = :c ORDER BY window_start")
                .bind("c", companyId).mapTo(Integer.class).list());
        assertThat(used).allMatch(n -> n <= 2);
        assertThat(used.size()).isGreaterThanOrEqualTo(3);
        assertThat(used.stream().mapToInt(Integer::intValue).sum()).isEqualTo(5);
        assertThat(F.count("SELECT count(*) FROM sends WHERE company_id = ? AND attempts <> 1", companyId)).isZero();
    }

    @Test
    void aDeadWorkersLeaseExpiresAndAnotherWorkerDelivers() {
        TestCompany c = F.createCompany("Lease");
        String cid = webhookCampaign(c, "lease", null);
        long companyId = F.companyId(c.publicId());
        // a send claimed by a worker that then died (its process was killed): lease runs out in 1 s
        String sendId = F.db().withHandle(h -> h.createQuery("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, "
                        + "context, state, attempts, claimed_by, claimed_until, next_attempt_at) VALUES (:c, :id, :cid, 'dead-profile', "
                        + "'webhook', '{\"user\":{\"external_id\":\"orphan-1\"}}', 'sending', 1, 'dead-host/1/w0', "
                        + "now() + interval '1 second', now() + interval '1 second') RETURNING id")
                .bind("c", companyId).bind("id", io.switchboard.db.Ids.newId()).bind("cid", cid).mapTo(String.class).one());
        DeliveryKit.sleep(500);
        assertThat(F.count("SELECT count(*) FROM sends WHERE id = ? AND state = 'sending'", sendId)).isEqualTo(1);
        JsonNode s = K.awaitSends(c, cid, 1, "sent");
        assertThat(s.at("/0/attributes/attempts").asInt()).isEqualTo(2);
        assertThat(HTTP.requests(r -> r.path().equals("/lease/orphan-1"))).hasSize(1);
        String claimer = F.db().withHandle(h -> h.createQuery("SELECT claimed_by FROM sends WHERE id = :id")
                .bind("id", sendId).mapTo(String.class).findOne().orElse(null));
        assertThat(claimer).isNull();
    }

    @Test
    void twoServerProcessesOnOneDatabaseDeliverEachSendOnce() throws Exception {
        DropwizardAppExtension<SwitchboardConfiguration> second = new DropwizardAppExtension<>(SwitchboardApplication.class,
                ResourceHelpers.resourceFilePath("test-config.yml"),
                ConfigOverride.config("database.url", F.dbUrl), ConfigOverride.config("database.user", "postgres"),
                ConfigOverride.config("migrateOnStartup", "false"), ConfigOverride.config("createDemoCompany", "false"),
                ConfigOverride.config("adminToken", AppFixture.ADMIN_TOKEN),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0"),
                ConfigOverride.config("delivery.workers", "3"), ConfigOverride.config("delivery.batchSize", "2"));
        second.before();
        try {
            TestCompany c = F.createCompany("TwoProcs");
            String cid = webhookCampaign(c, "two", null);
            int n = 40;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Res>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "tp-" + i;
                fs.add(pool.submit(() -> K.trigger(c, cid, user(id))));
            }
            for (Future<Res> f : fs) assertThat(f.get().status()).isEqualTo(204);
            pool.shutdown();
            K.awaitSends(c, cid, n, "sent");
            Map<String, Long> perPath = HTTP.requests(r -> r.path().startsWith("/two/")).stream()
                    .collect(Collectors.groupingBy(CaptureServer.Request::path, Collectors.counting()));
            assertThat(perPath).hasSize(n);
            assertThat(perPath.values()).allMatch(v -> v == 1);
            long companyId = F.companyId(c.publicId());
            assertThat(F.count("SELECT count(*) FROM sends WHERE company_id = ? AND attempts = 1", companyId)).isEqualTo(n);
            // the second process's workers are up and polling the same queue
            assertThat(second.getEnvironment().healthChecks().runHealthCheck("delivery").isHealthy()).isTrue();
        } finally {
            second.after();
        }
    }

    @Test
    void sendsOfAnArchivedCampaignAreAbortedAndTriggersOnItAre404() {
        TestCompany c = F.createCompany("Archive");
        String cid = webhookCampaign(c, "arch", null);
        long companyId = F.companyId(c.publicId());
        // a send queued for later (e.g. a retry), then the campaign is archived
        F.db().useHandle(h -> h.createUpdate("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, context, "
                        + "next_attempt_at) VALUES (:c, :id, :cid, 'p', 'webhook', '{}', now() + interval '700 milliseconds')")
                .bind("c", companyId).bind("id", io.switchboard.db.Ids.newId()).bind("cid", cid).execute());
        Res archived = F.request("PATCH", "/admin/companies/" + c.publicId() + "/campaigns/" + cid,
                DeliveryKit.json(Map.of("data", Map.of("type", "campaign", "attributes", Map.of("state", "archived")))),
                DeliveryKit.admin(c.secretKey()));
        assertThat(archived.status()).isEqualTo(200);
        JsonNode s = K.awaitSends(c, cid, 1, "aborted");
        assertThat(s.at("/0/attributes/reason").asText()).isEqualTo("campaign_archived");
        assertThat(K.trigger(c, cid, user("x")).status()).isEqualTo(404);
    }

}
