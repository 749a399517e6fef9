package io.switchboard.resources.parcelvoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.DeliveryKit;
import io.dropwizard.testing.ResourceHelpers;
import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.CaptureServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code POST /api/client/campaigns/{id}/trigger}: seed 003's shapes, validation and what one trigger writes. */
@ExtendWith(DropwizardExtensionsSupport.class)
class CampaignTriggerIntegrationTest {
    // no workers: the sends stay pending, so what the trigger wrote can be inspected as is
    static final AppFixture F = new AppFixture(ConfigOverride.config("delivery.workers", "0"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);
    static TestCompany acme;
    static String email;
    static String sms;
    static String push;

    @BeforeAll
    static void campaigns() {
        acme = F.createCompany("Acme");
        String log = K.provider(acme, "log", Map.of());
        email = K.campaign(acme, "email", log, Map.of("subject", "Hi", "text", "t"));
        sms = K.campaign(acme, "sms", log, Map.of("text", "t"));
        push = K.campaign(acme, "push", log, Map.of("body", "b"));
    }

    long sends() {
        return F.count("SELECT count(*) FROM sends WHERE company_id = ?", F.companyId(acme.publicId()));
    }

    long profiles() {
        return F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(acme.publicId()));
    }

    void assert422(Res r, String messagePart) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        assertThat(r.json().get("error").asText()).contains(messagePart);
    }

    @Test
    void seedEmailExampleIs204AndWritesProfileEventAndSendInOneGo() {
        Res r = K.trigger(acme, email, "{\"user\":{\"external_id\":\"EXTERNAL_ID\",\"email\":\"test@test.com\","
                + "\"timezone\":\"America/Chicago\",\"locale\":\"en\",\"plan\":\"gold\",\"first_name\":\"Ada\"},\"event\":{\"random_field\":\"value\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        long companyId = F.companyId(acme.publicId());
        Map<String, Object> p = F.db().withHandle(h -> h.createQuery("SELECT id, email, attributes::text AS a, "
                + "properties::text AS props FROM profiles WHERE company_id = :c AND external_id = 'EXTERNAL_ID'")
                .bind("c", companyId).mapToMap().one());
        assertThat(p.get("email")).isEqualTo("test@test.com");
        assertThat((String) p.get("a")).contains("America/Chicago").contains("\"locale\": \"en\"")
                .contains("\"first_name\": \"Ada\"");
        assertThat((String) p.get("props")).contains("\"plan\": \"gold\"");
        String profileId = (String) p.get("id");
        JsonNode s = K.sends(acme, email).get(0).get("attributes");
        assertThat(s.get("state").asText()).isEqualTo("pending");
        assertThat(s.get("profile_id").asText()).isEqualTo(profileId);
        assertThat(s.get("address").asText()).isEqualTo("test@test.com");
        assertThat(s.get("locale").asText()).isEqualTo("en");
        String event = F.db().withHandle(h -> h.createQuery("SELECT properties::text FROM events WHERE company_id = :c AND source = 'delivery' "
                + "AND profile_id = :p AND name = 'campaign_trigger'").bind("c", companyId).bind("p", profileId)
                .mapTo(String.class).one());
        assertThat(event).contains("\"random_field\": \"value\"").contains("\"campaign\": {\"id\": \"" + email + "\"");
    }

    @Test
    void seedSmsAndPushExamplesAre204AndRegisterTheDeviceToken() {
        assertThat(K.trigger(acme, sms, Map.of("user", Map.of("external_id", "sms-user", "phone", "+12345678900",
                "timezone", "America/Chicago", "locale", "en"), "event", Map.of("random_field", "value"))).status()).isEqualTo(204);
        assertThat(K.trigger(acme, push, Map.of("user", Map.of("external_id", "push-user", "device_token", "DEVICE_TOKEN",
                "timezone", "America/Chicago", "locale", "en"), "event", Map.of("random_field", "value"))).status()).isEqualTo(204);
        assertThat(K.sends(acme, sms).get(0).at("/attributes/address").asText()).isEqualTo("+12345678900");
        assertThat(K.sends(acme, push).get(0).at("/attributes/address").asText()).isEqualTo("DEVICE_TOKEN");
        assertThat(F.count("SELECT count(*) FROM devices WHERE token = 'DEVICE_TOKEN' AND enabled"))
                .isEqualTo(1);
    }

    @Test
    void missingUserOrExternalIdIs422AndWritesNothing() {
        long s0 = sends();
        long p0 = profiles();
        assert422(K.trigger(acme, email, Map.of("event", Map.of())), "'user'");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("email", "a@b.co"))), "'external_id'");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", "null", "email", "a@b.co"))), "external_id");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", Map.of("x", 1), "email", "a@b.co"))),
                "must be a string");
        assert422(K.trigger(acme, email, Map.of("user", "bob")), "`user` must be a object");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", "x", "email", "a@b.co"), "event", "nope")),
                "`event` must be a object");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", "x", "email", "a@b.co"), "extra", 1)),
                "additional properties");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", "x", "email", "a@b.co", "timezone", "Mars/Base"))),
                "IANA");
        assertThat(sends()).isEqualTo(s0);
        assertThat(profiles()).isEqualTo(p0);
    }

    @Test
    void missingOrInvalidChannelAddressIs422AndWritesNothing() {
        long s0 = sends();
        long p0 = profiles();
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", "no-mail"))), "'email'");
        assert422(K.trigger(acme, email, Map.of("user", Map.of("external_id", "bad-mail", "email", "not-an-email"))),
                "not a valid email");
        assert422(K.trigger(acme, sms, Map.of("user", Map.of("external_id", "no-phone", "email", "a@b.co"))), "'phone'");
        assert422(K.trigger(acme, sms, Map.of("user", Map.of("external_id", "bad-phone", "phone", "12"))), "not a valid phone");
        assert422(K.trigger(acme, push, Map.of("user", Map.of("external_id", "no-token"))), "'device_token'");
        assert422(K.trigger(acme, push, Map.of("user", Map.of("external_id", "bad-token", "device_token", "<bad token>"))),
                "device_token");
        assertThat(sends()).isEqualTo(s0);
        assertThat(profiles()).isEqualTo(p0);
    }

    @Test
    void otherCompanysMissingOrInactiveCampaignIs404() {
        TestCompany other = F.createCompany("Other");
        String otherLog = K.provider(other, "log", Map.of());
        String otherCampaign = K.campaign(other, "email", otherLog, Map.of("subject", "s", "text", "t"));
        Map<String, Object> body = Map.of("user", Map.of("external_id", "x", "email", "x@example.com"));
        for (String id : new String[] {otherCampaign, "999999", "abc"}) {
            Res r = K.trigger(acme, id, body);
            assertThat(r.status()).as(id + " " + r).isEqualTo(404);
            assertThat(r.json().get("status").asText()).isEqualTo("error");
        }
        String log = K.provider(acme, "log", Map.of());
        Res draft = F.post("/admin/companies/" + acme.publicId() + "/campaigns", DeliveryKit.json(Map.of("data",
                Map.of("type", "campaign", "attributes", Map.of("name", "d", "channel", "email", "provider_id", log,
                        "templates", Map.of("en", Map.of("subject", "s", "text", "t")))))), DeliveryKit.admin(acme.secretKey()));
        assertThat(K.trigger(acme, draft.json().at("/data/id").asText(), body).status()).isEqualTo(404);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE external_id = 'x'")).isZero();
    }

    @Test
    void publicKeyIs403AndBadKeyIs401() {
        Map<String, Object> body = Map.of("user", Map.of("external_id", "x", "email", "x@example.com"));
        Res pk = K.trigger(acme.publicKey(), email, body, Map.of());
        assertThat(pk.status()).isEqualTo(403);
        assertThat(pk.json().get("status").asText()).isEqualTo("error");
        Res bad = K.trigger("sk_" + "Z".repeat(32), email, body, Map.of());
        assertThat(bad.status()).isEqualTo(401);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE external_id = 'x'")).isZero();
    }

    @Test
    void malformedJsonIsRejectedInParcelvoyShape() {
        long s0 = sends();
        Res r = K.trigger(acme, email, "{\"user\":");
        // the shared JSON parse mapper decides the status (INVALID: 422 in the Parcelvoy dialect)
        assertThat(r.status()).isIn(400, 422);
        assertThat(sends()).isEqualTo(s0);
        assertThat(r.json().get("status").asText()).isEqualTo("error");
    }

    @Test
    void triggerReusesTheProfileOfAnExternalId() {
        Map<String, Object> first = Map.of("user", Map.of("external_id", "same-1", "email", "same@example.com"));
        assertThat(K.trigger(acme, email, first).status()).isEqualTo(204);
        assertThat(K.trigger(acme, sms, Map.of("user", Map.of("external_id", "same-1", "phone", "+12025550111"))).status())
                .isEqualTo(204);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ? AND external_id = 'same-1'",
                F.companyId(acme.publicId()))).isEqualTo(1);
        Map<String, Object> p = F.db().withHandle(h -> h.createQuery("SELECT email, phone_number FROM profiles WHERE "
                + "company_id = :c AND external_id = 'same-1'").bind("c", F.companyId(acme.publicId())).mapToMap().one());
        assertThat(p).containsEntry("email", "same@example.com").containsEntry("phone_number", "+12025550111");
    }

    @Test
    void stoppingAServerHandsItsClaimedSendsBackAndAnotherServerDeliversThem() throws Exception {
        try (CaptureServer slow = new CaptureServer()) {
            slow.delay(r -> true, 700);
            TestCompany c = F.createCompany("Shutdown");
            String hook = K.provider(c, "webhook", Map.of("url", slow.baseUrl() + "/slow"));
            String cid = K.campaign(c, "webhook", hook, Map.of("url", "/{{user.external_id}}", "body", "{}"));
            for (int i = 0; i < 4; i++) {
                assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "sd-" + i))).status()).isEqualTo(204);
            }
            // a second server process on the same database, with one worker that claims all four at once
            DropwizardAppExtension<SwitchboardConfiguration> worker = secondServer(ConfigOverride.config("delivery.workers", "1"),
                    ConfigOverride.config("delivery.batchSize", "10"));
            worker.before();
            try {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (slow.requests().isEmpty() && System.nanoTime() < deadline) DeliveryKit.sleep(10);
                assertThat(slow.requests()).hasSize(1);
            } finally {
                worker.after(); // graceful stop: the send in hand finishes, the other claims go back
            }
            JsonNode sends = K.sends(c, cid);
            long sent = 0;
            for (JsonNode s : sends) {
                String state = s.at("/attributes/state").asText();
                if (state.equals("sent")) {
                    sent++;
                } else {
                    assertThat(state).isEqualTo("pending");
                    assertThat(s.at("/attributes/attempts").asInt()).isZero();
                }
            }
            assertThat(sent).isEqualTo(1);
            assertThat(F.count("SELECT count(*) FROM sends WHERE company_id = ? AND claimed_by IS NOT NULL",
                    F.companyId(c.publicId()))).isZero();
            // another process picks the rest up
            DropwizardAppExtension<SwitchboardConfiguration> next = secondServer(ConfigOverride.config("delivery.workers", "2"));
            next.before();
            try {
                K.awaitSends(c, cid, 4, "sent");
                assertThat(slow.requests()).hasSize(4);
            } finally {
                next.after();
            }
        }
    }

    static DropwizardAppExtension<SwitchboardConfiguration> secondServer(ConfigOverride... extra) {
        List<ConfigOverride> o = new ArrayList<>(List.of(ConfigOverride.config("database.url", F.dbUrl),
                ConfigOverride.config("database.user", "postgres"), ConfigOverride.config("migrateOnStartup", "false"),
                ConfigOverride.config("createDemoCompany", "false"), ConfigOverride.config("adminToken", AppFixture.ADMIN_TOKEN),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0")));
        o.addAll(List.of(extra));
        return new DropwizardAppExtension<>(SwitchboardApplication.class, ResourceHelpers.resourceFilePath("test-config.yml"),
                o.toArray(ConfigOverride[]::new));
    }
}
