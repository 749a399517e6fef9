package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.CaptureServer;
import io.switchboard.testing.CaptureServer.Answer;
import io.switchboard.testing.DeliveryKit;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each channel against a real local server: SMTP (GreenMail), Twilio/FCM/webhook (an in-process HTTP
 * server), APNs (Pushy's MockApnsServer over TLS + HTTP/2).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DeliveryChannelsIntegrationTest {
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    static final CaptureServer HTTP = new CaptureServer();
    static final String APNS_TOPIC = "com.example.app";
    static final String GOOD_APNS_TOKEN = "a".repeat(64);
    static final String UNKNOWN_APNS_TOKEN = "b".repeat(64);
    static final List<ApnsPushNotification> APNS_ACCEPTED = new CopyOnWriteArrayList<>();
    static final KeyPair APNS_KEYS;
    static final MockApnsServer APNS;
    static final int APNS_PORT;

    static {
        SMTP.start();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            APNS_KEYS = g.generateKeyPair();
            ApnsVerificationKey vk = new ApnsVerificationKey("KEY123", "TEAM123", (ECPublicKey) APNS_KEYS.getPublic());
            APNS = new MockApnsServerBuilder()
                    .setServerCredentials(resource("apns/server-cert.pem"), resource("apns/server-key.pem"), null)
                    .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(
                            Map.of(APNS_TOPIC, Set.of(GOOD_APNS_TOKEN)), Map.of(), Map.of("KEY123", vk),
                            Map.of(vk, Set.of(APNS_TOPIC))))
                    .setListener(new ParsingMockApnsServerListenerAdapter() {
                        @Override
                        public void handlePushNotificationAccepted(ApnsPushNotification n) {
                            APNS_ACCEPTED.add(n);
                        }

                        @Override
                        public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason r, Instant t) {
                        }
                    })
                    .build();
            APNS_PORT = (Integer) APNS.start(0).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final AppFixture F = new AppFixture(ConfigOverride.config("delivery.publicBaseUrl", "https://sb.example"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);

    static InputStream resource(String name) {
        return DeliveryChannelsIntegrationTest.class.getClassLoader().getResourceAsStream(name);
    }

    static String resourceText(String name) throws Exception {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }

    @AfterAll
    static void stopServers() throws Exception {
        SMTP.stop();
        HTTP.close();
        APNS.shutdown().get(5, TimeUnit.SECONDS);
    }

    @Test
    void emailGoesOutOverSmtpWithUnsubscribeLinkThatStopsTheNextSend() throws Exception {
        TestCompany c = F.createCompany("Mailer");
        String pid = K.provider(c, "smtp", Map.of("host", "127.0.0.1", "port", SMTP.getSmtp().getPort(), "tls", "none",
                "from", "Acme <news@acme.test>"));
        String cid = K.campaign(c, "email", pid, Map.of(
                "subject", "Hi {{user.first_name}}, your {{event.plan}} plan",
                "html", "<p>Hello <b>{{user.first_name}}</b></p><a href=\"{{unsubscribe_url}}\">unsubscribe</a>",
                "text", "Hello {{user.first_name}} ({{user.external_id}})",
                "reply_to", "help@acme.test"));
        Res t = K.trigger(c, cid, Map.of("user", Map.of("external_id", "mail-1", "email", "Ada@Example.com",
                "first_name", "Ada", "timezone", "America/Chicago", "locale", "en"), "event", Map.of("plan", "pro")));
        assertThat(t.status()).as(t.toString()).isEqualTo(204);
        assertThat(t.body()).isEmpty();

        JsonNode sends = K.awaitSends(c, cid, 1, "sent");
        assertThat(SMTP.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage m = SMTP.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("Hi Ada, your pro plan");
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("ada@example.com");
        assertThat(m.getFrom()[0].toString()).isEqualTo("Acme <news@acme.test>");
        assertThat(m.getReplyTo()[0].toString()).isEqualTo("help@acme.test");
        assertThat(m.getHeader("X-Campaign-Id")[0]).isEqualTo(cid);
        assertThat(m.getMessageID()).isEqualTo(sends.at("/0/attributes/provider_message_id").asText());
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        MimeMultipart mp = (MimeMultipart) m.getContent();
        assertThat(mp.getCount()).isEqualTo(2);
        assertThat(mp.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(((String) mp.getBodyPart(0).getContent()).trim()).isEqualTo("Hello Ada (mail-1)");
        assertThat(mp.getBodyPart(1).getContentType()).startsWith("text/html");
        String html = (String) mp.getBodyPart(1).getContent();
        assertThat(html).contains("Hello <b>Ada</b>");
        String listUnsub = m.getHeader("List-Unsubscribe")[0];
        assertThat(listUnsub).matches("<https://sb\\.example/u/" + c.publicId() + "[A-Za-z0-9]{32}>");
        assertThat(m.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        String path = listUnsub.substring(listUnsub.indexOf("/u/"), listUnsub.length() - 1);
        assertThat(html).contains(path);

        // the link works (and a second click is harmless)
        Res unsub = F.get(path, Map.of());
        assertThat(unsub.status()).isEqualTo(200);
        assertThat(unsub.body()).contains("Unsubscribed");
        assertThat(F.get(path, Map.of()).status()).isEqualTo(200);
        assertThat(F.get("/u/" + c.publicId() + "x".repeat(32), Map.of()).status()).isEqualTo(404);

        // the next send to that profile is aborted, and nothing more is mailed
        Res again = K.trigger(c, cid, Map.of("user", Map.of("external_id", "mail-1", "email", "ada@example.com")));
        assertThat(again.status()).isEqualTo(204);
        JsonNode after = K.awaitSends(c, cid, 2, "sent", "aborted");
        assertThat(after.at("/0/attributes/state").asText()).isEqualTo("aborted");
        assertThat(after.at("/0/attributes/reason").asText()).isEqualTo("unsubscribed");
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
        String profile = after.at("/0/attributes/profile_id").asText();
        assertThat(K.events(c, profile)).containsExactly("campaign_trigger", "email_sent", "unsubscribed",
                "campaign_trigger", "email_aborted");

        // the admin API shows the opt-out, and an operator can lift it: the next send goes out again
        String optOuts = "/admin/companies/" + c.publicId() + "/profiles/" + profile + "/unsubscribes";
        Res list = F.get(optOuts, DeliveryKit.admin(c.secretKey()));
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.json().at("/data/0/id").asText()).isEqualTo("email:marketing");
        assertThat(list.json().at("/data/0/attributes/source").asText()).isEqualTo("link");
        assertThat(F.request("DELETE", optOuts + "/email:marketing", null, DeliveryKit.admin(c.secretKey())).status())
                .isEqualTo(204);
        assertThat(F.get(optOuts, DeliveryKit.admin(c.secretKey())).json().get("data")).isEmpty();
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "mail-1", "email", "ada@example.com"))).status())
                .isEqualTo(204);
        K.awaitSends(c, cid, 3, "sent", "aborted");
        assertThat(SMTP.waitForIncomingEmail(5000, 2)).isTrue();
        assertThat(F.get("/admin/companies/" + c.publicId() + "/profiles/NOPE/unsubscribes", DeliveryKit.admin(c.secretKey()))
                .status()).isEqualTo(404);
    }

    @Test
    void smsUsesTwilioShapeWithBasicAuth() {
        TestCompany c = F.createCompany("Texter");
        HTTP.answerOnce(r -> r.path().contains("/Accounts/ACtest1/"),
                Answer.of(201, "{\"sid\":\"SM0123456789\",\"status\":\"queued\"}"));
        String pid = K.provider(c, "twilio", Map.of("account_sid", "ACtest1", "auth_token", "twilio-secret",
                "from", "+15005550006", "base_url", HTTP.baseUrl()));
        String cid = K.campaign(c, "sms", pid, Map.of("text", "Your code is {{event.code}}, {{user.first_name}}"));
        Res t = K.trigger(c, cid, Map.of("user", Map.of("external_id", "sms-1", "phone", "+1 (202) 555-0143",
                "first_name", "Bo"), "event", Map.of("code", "123 456")));
        assertThat(t.status()).as(t.toString()).isEqualTo(204);
        JsonNode sends = K.awaitSends(c, cid, 1, "sent");
        assertThat(sends.at("/0/attributes/provider_message_id").asText()).isEqualTo("SM0123456789");
        var reqs = HTTP.requests(r -> r.path().contains("/Accounts/ACtest1/"));
        assertThat(reqs).hasSize(1);
        var r = reqs.get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/2010-04-01/Accounts/ACtest1/Messages.json");
        assertThat(r.header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("ACtest1:twilio-secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.body()).isEqualTo("To=%2B12025550143&From=%2B15005550006&Body=Your+code+is+123+456%2C+Bo");
    }

    @Test
    void fcmHttpV1WithStaticTokenAndInvalidTokenDisabled() {
        TestCompany c = F.createCompany("Pusher");
        HTTP.answerOnce(r -> r.path().equals("/v1/projects/proj-static/messages:send") && r.body().contains("good-token-1"),
                Answer.of(200, "{\"name\":\"projects/proj-static/messages/0:1\"}"));
        HTTP.answerOnce(r -> r.path().equals("/v1/projects/proj-static/messages:send") && r.body().contains("dead-token-1"),
                Answer.of(404, "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":\"NOT_FOUND\","
                        + "\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"UNREGISTERED\"}]}}"));
        String pid = K.provider(c, "fcm", Map.of("project_id", "proj-static", "access_token", "static-access-token",
                "base_url", HTTP.baseUrl()));
        String cid = K.campaign(c, "push", pid, Map.of("title", "Hi {{user.first_name}}", "body", "{{event.what}} shipped",
                "url", "https://acme.test/o/{{event.order}}", "data", Map.of("order", "{{event.order}}")));
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "p-1", "device_token", "good-token-1",
                "first_name", "Cy"), "event", Map.of("what", "Parcel", "order", "42"))).status()).isEqualTo(204);
        JsonNode sent = K.awaitSends(c, cid, 1, "sent");
        assertThat(sent.at("/0/attributes/provider_message_id").asText()).isEqualTo("projects/proj-static/messages/0:1");
        var r = HTTP.requests(x -> x.body().contains("good-token-1")).get(0);
        assertThat(r.header("Authorization")).isEqualTo("Bearer static-access-token");
        JsonNode body = AppFixture.JSON.valueToTree(parse(r.body()));
        assertThat(body.at("/message/token").asText()).isEqualTo("good-token-1");
        assertThat(body.at("/message/notification/title").asText()).isEqualTo("Hi Cy");
        assertThat(body.at("/message/notification/body").asText()).isEqualTo("Parcel shipped");
        assertThat(body.at("/message/data/order").asText()).isEqualTo("42");
        assertThat(body.at("/message/data/url").asText()).isEqualTo("https://acme.test/o/42");

        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "p-2", "device_token", "dead-token-1"))).status())
                .isEqualTo(204);
        JsonNode both = K.awaitSends(c, cid, 2, "sent", "failed");
        assertThat(both.at("/0/attributes/state").asText()).isEqualTo("failed");
        assertThat(both.at("/0/attributes/attempts").asInt()).isEqualTo(1);
        assertThat(both.at("/0/attributes/token_invalid").asBoolean()).isTrue();
        assertThat(both.at("/0/attributes/last_error").asText()).contains("UNREGISTERED");
        assertThat(F.count("SELECT count(*) FROM delivery_push_tokens WHERE token = 'dead-token-1' AND disabled_at IS NOT NULL"))
                .isEqualTo(1);
        assertThat(HTTP.requests(x -> x.body().contains("dead-token-1"))).hasSize(1);
    }

    @Test
    void fcmServiceAccountIsExchangedForAnAccessToken() throws Exception {
        TestCompany c = F.createCompany("SA");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair rsa = g.generateKeyPair();
        HTTP.answerOnce(r -> r.path().equals("/oauth/token"), Answer.of(200, "{\"access_token\":\"ya29.minted\",\"expires_in\":3600}"));
        Map<String, Object> sa = Map.of("type", "service_account", "client_email", "fcm@proj-sa.iam.gserviceaccount.com",
                "private_key", pem(rsa.getPrivate().getEncoded()), "token_uri", HTTP.baseUrl() + "/oauth/token");
        String pid = K.provider(c, "fcm", Map.of("project_id", "proj-sa", "service_account", sa, "base_url", HTTP.baseUrl()));
        Res read = F.get("/admin/companies/" + c.publicId() + "/providers/" + pid, DeliveryKit.admin(c.secretKey()));
        assertThat(read.json().at("/data/attributes/config/service_account").asText()).isEqualTo("********");
        String cid = K.campaign(c, "push", pid, Map.of("title", "T", "body", "B"));
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "sa-1", "device_token", "sa-token-1"))).status())
                .isEqualTo(204);
        K.awaitSends(c, cid, 1, "sent");
        var tokenReq = HTTP.requests(r -> r.path().equals("/oauth/token")).get(0);
        assertThat(tokenReq.body()).startsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=");
        String jwt = tokenReq.body().substring(tokenReq.body().indexOf("assertion=") + 10);
        String[] parts = jwt.split("\\.");
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify((RSAPublicKey) rsa.getPublic());
        v.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(v.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        JsonNode claims = AppFixture.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(claims.get("iss").asText()).isEqualTo("fcm@proj-sa.iam.gserviceaccount.com");
        assertThat(claims.get("scope").asText()).isEqualTo("https://www.googleapis.com/auth/firebase.messaging");
        var send = HTTP.requests(r -> r.path().equals("/v1/projects/proj-sa/messages:send")).get(0);
        assertThat(send.header("Authorization")).isEqualTo("Bearer ya29.minted");
    }

    @Test
    void webhookRequestIsBuiltFromTheTemplate() {
        TestCompany c = F.createCompany("Hooker");
        String pid = K.provider(c, "webhook", Map.of("url", HTTP.baseUrl() + "/hooks",
                "headers", Map.of("Authorization", "Bearer hook-secret")));
        String cid = K.campaign(c, "webhook", pid, Map.of("method", "PUT", "url", "/users/{{user.external_id}}",
                "headers", Map.of("X-Plan", "{{event.plan}}"),
                "body", "{\"id\":\"{{user.external_id}}\",\"event\":{{json event}} }"));
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "wh-1"),
                "event", Map.of("plan", "gold", "n", 3))).status()).isEqualTo(204);
        K.awaitSends(c, cid, 1, "sent");
        var r = HTTP.requests(x -> x.path().equals("/hooks/users/wh-1")).get(0);
        assertThat(r.method()).isEqualTo("PUT");
        assertThat(r.header("Authorization")).isEqualTo("Bearer hook-secret");
        assertThat(r.header("X-Plan")).isEqualTo("gold");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(parse(r.body())).isEqualTo(Map.of("id", "wh-1", "event", Map.of("plan", "gold", "n", 3)));
    }

    @Test
    void apnsThroughPushyMockServerAndBadTokenDisabled() throws Exception {
        TestCompany c = F.createCompany("Apple");
        String pid = K.provider(c, "apns", Map.of("key_id", "KEY123", "team_id", "TEAM123", "topic", APNS_TOPIC,
                "signing_key", pem(((ECPrivateKey) APNS_KEYS.getPrivate()).getEncoded()), "host", "localhost",
                "port", APNS_PORT, "trusted_certificate", resourceText("apns/server-cert.pem")));
        String cid = K.campaign(c, "push", pid, Map.of("title", "Hello {{user.first_name}}", "body", "Order {{event.order}}",
                "data", Map.of("order", "{{event.order}}")));
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "ios-1", "device_token", GOOD_APNS_TOKEN,
                "first_name", "Di"), "event", Map.of("order", "7"))).status()).isEqualTo(204);
        JsonNode sent = K.awaitSends(c, cid, 1, "sent");
        assertThat(sent.at("/0/attributes/provider_message_id").asText()).matches("[0-9a-f-]{36}");
        assertThat(APNS_ACCEPTED).hasSize(1);
        ApnsPushNotification n = APNS_ACCEPTED.get(0);
        assertThat(n.getToken()).isEqualTo(GOOD_APNS_TOKEN);
        assertThat(n.getTopic()).isEqualTo(APNS_TOPIC);
        JsonNode payload = AppFixture.JSON.readTree(n.getPayload());
        assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("Hello Di");
        assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("Order 7");
        assertThat(payload.get("order").asText()).isEqualTo("7");

        // a token APNs does not know: failed at once, token disabled
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "ios-2", "device_token", UNKNOWN_APNS_TOKEN)))
                .status()).isEqualTo(204);
        JsonNode both = K.awaitSends(c, cid, 2, "sent", "failed");
        assertThat(both.at("/0/attributes/last_error").asText()).containsAnyOf("BadDeviceToken", "DeviceTokenNotForTopic");
        assertThat(both.at("/0/attributes/token_invalid").asBoolean()).isTrue();
        assertThat(both.at("/0/attributes/attempts").asInt()).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM delivery_push_tokens WHERE token = ? AND disabled_at IS NOT NULL",
                UNKNOWN_APNS_TOKEN)).isEqualTo(1);
    }

    @Test
    void logProviderDeliversAnyChannel() {
        TestCompany c = F.createCompany("Logger");
        String pid = K.provider(c, "log", Map.of());
        String cid = K.campaign(c, "sms", pid, Map.of("text", "hi"));
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "l-1", "phone", "+12025550199"))).status())
                .isEqualTo(204);
        JsonNode s = K.awaitSends(c, cid, 1, "sent");
        assertThat(s.at("/0/attributes/provider_message_id").asText()).startsWith("log-");
    }

    static Object parse(String json) {
        try {
            return AppFixture.JSON.readValue(json, Object.class);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
