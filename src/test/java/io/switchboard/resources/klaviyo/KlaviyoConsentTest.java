package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.DeliveryKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions and suppressions in bulk (issue 15, step 3): consent lands in the one consent store,
 * list membership follows, {@code additional-fields[profile]=subscriptions} shows it, suppression jobs are
 * readable, delivery honours a suppression, cross-tenant denial and bad input. Validated against the OpenAPI.
 */
class KlaviyoConsentTest extends KlaviyoTestBase {

    static String subscribeBody(String list, String profiles) {
        return "{\"data\":{\"type\":\"profile-subscription-bulk-create-job\",\"attributes\":{\"custom_source\":\"Footer\","
                + "\"profiles\":{\"data\":[" + profiles + "]}}" + (list == null ? "" : ",\"relationships\":{\"list\":"
                + "{\"data\":{\"type\":\"list\",\"id\":\"" + list + "\"}}}") + "}}";
    }

    static String emailSub(String email) {
        return "{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\",\"subscriptions\":{\"email\":"
                + "{\"marketing\":{\"consent\":\"SUBSCRIBED\"}}}}}";
    }

    static String suppressionBody(String kind, String email) {
        return "{\"data\":{\"type\":\"profile-suppression-bulk-" + kind + "-job\",\"attributes\":{\"profiles\":{\"data\":"
                + "[{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\"}}]}}}}";
    }

    static String profileId(TestCompany c, String email) {
        return F.db().withHandle(h -> h.createQuery("SELECT id FROM profiles WHERE company_id = ? AND email = ?")
                .bind(0, F.companyId(c.publicId())).bind(1, email).mapTo(String.class).one());
    }

    static JsonNode subscriptions(TestCompany c, String profileId) {
        Res r = K.send("GET", "/api/profiles/" + profileId + "?additional-fields[profile]=subscriptions", null,
                server(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().at("/data/attributes/subscriptions");
    }

    @Test
    void bulkSubscribeWritesConsentAndJoinsTheList() {
        String list = createList(A, "Newsletter");
        String e1 = uniq("s1") + "@example.com";
        String e2 = uniq("s2") + "@example.com";
        String sms = "{\"type\":\"profile\",\"attributes\":{\"email\":\"" + e2 + "\",\"phone_number\":\"+14155550123\","
                + "\"subscriptions\":{\"sms\":{\"marketing\":{\"consent\":\"SUBSCRIBED\"},\"transactional\":{\"consent\":"
                + "\"SUBSCRIBED\"}}}}}";
        Res r = K.send("POST", "/api/profile-subscription-bulk-create-jobs", subscribeBody(list, emailSub(e1) + "," + sms),
                server(A.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        Res members = K.send("GET", "/api/lists/" + list + "/profiles?additional-fields[profile]=subscriptions", null,
                server(A.secretKey()));
        assertThat(members.json().get("data").size()).isEqualTo(2);
        JsonNode s1 = subscriptions(A, profileId(A, e1));
        assertThat(s1.at("/email/marketing/consent").asText()).isEqualTo("SUBSCRIBED");
        assertThat(s1.at("/email/marketing/can_receive_email_marketing").asBoolean()).isTrue();
        assertThat(s1.at("/email/marketing/method_detail").asText()).isEqualTo("Footer");
        assertThat(s1.at("/sms/marketing/consent").asText()).isEqualTo("NEVER_SUBSCRIBED");
        JsonNode s2 = subscriptions(A, profileId(A, e2));
        assertThat(s2.at("/sms/marketing/consent").asText()).isEqualTo("SUBSCRIBED");
        assertThat(s2.at("/sms/transactional/can_receive_sms_transactional").asBoolean()).isTrue();
        assertThat(F.count("SELECT count(*) FROM subscriptions WHERE company_id = ? AND state = 'subscribed'",
                F.companyId(A.publicId()))).isGreaterThanOrEqualTo(3);
        // the profile list reads carry it too
        Res page = K.send("GET", "/api/profiles?additional-fields[profile]=subscriptions&filter=equals(email,%22" + e1
                + "%22)", null, server(A.secretKey()));
        assertThat(page.json().at("/data/0/attributes/subscriptions/email/marketing/consent").asText()).isEqualTo("SUBSCRIBED");
        Res plain = K.send("GET", "/api/profiles/" + profileId(A, e1), null, server(A.secretKey()));
        assertThat(plain.json().at("/data/attributes").has("subscriptions")).isFalse();
    }

    @Test
    void bulkUnsubscribeLeavesTheListAndStopsMarketing() {
        String list = createList(A, "Leaving");
        String e = uniq("u") + "@example.com";
        assertThat(K.send("POST", "/api/profile-subscription-bulk-create-jobs", subscribeBody(list, emailSub(e)),
                server(A.secretKey())).status()).isEqualTo(202);
        Res r = K.send("POST", "/api/profile-subscription-bulk-delete-jobs", "{\"data\":{\"type\":"
                + "\"profile-subscription-bulk-delete-job\",\"attributes\":{\"profiles\":{\"data\":[{\"type\":\"profile\","
                + "\"attributes\":{\"email\":\"" + e + "\",\"subscriptions\":{\"email\":{\"marketing\":{\"consent\":"
                + "\"UNSUBSCRIBED\"}}}}}]}},\"relationships\":{\"list\":{\"data\":{\"type\":\"list\",\"id\":\"" + list
                + "\"}}}}}", server(A.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode s = subscriptions(A, profileId(A, e));
        assertThat(s.at("/email/marketing/consent").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(s.at("/email/marketing/can_receive_email_marketing").asBoolean()).isFalse();
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id = ?", list)).isZero();
    }

    @Test
    void suppressionJobsSuppressAndUnsuppress() {
        String e = uniq("sup") + "@example.com";
        Res created = K.send("POST", "/api/profile-suppression-bulk-create-jobs", suppressionBody("create", e),
                server(A.secretKey()));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.json().at("/data/attributes/status").asText()).isEqualTo("complete");
        assertThat(created.json().at("/data/attributes/total_count").asInt()).isEqualTo(1);
        String job = created.json().at("/data/id").asText();
        Res got = K.send("GET", "/api/profile-suppression-bulk-create-jobs/" + job, null, server(A.secretKey()));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().at("/data/attributes/completed_count").asInt()).isEqualTo(1);
        Res all = K.send("GET", "/api/profile-suppression-bulk-create-jobs", null, server(A.secretKey()));
        assertThat(all.json().get("data").findValuesAsText("id")).contains(job);
        JsonNode s = subscriptions(A, profileId(A, e));
        assertThat(s.at("/email/marketing/can_receive_email_marketing").asBoolean()).isFalse();
        assertThat(s.at("/email/marketing/suppression/0/reason").asText()).isEqualTo("USER_SUPPRESSED");
        // another company sees neither the job nor the suppression
        assertThat(K.send("GET", "/api/profile-suppression-bulk-create-jobs/" + job, null, server(B.secretKey())).status())
                .isEqualTo(404);
        assertThat(K.send("GET", "/api/profile-suppression-bulk-create-jobs", null, server(B.secretKey())).json()
                .get("data").size()).isZero();
        Res deleted = K.send("POST", "/api/profile-suppression-bulk-delete-jobs", suppressionBody("delete", e),
                server(A.secretKey()));
        assertThat(deleted.status()).isEqualTo(202);
        assertThat(subscriptions(A, profileId(A, e)).at("/email/marketing/can_receive_email_marketing").asBoolean()).isTrue();
    }

    @Test
    void suppressingAListSuppressesItsMembers() {
        String list = createList(A, "ToSuppress");
        String e = uniq("ls") + "@example.com";
        K.send("POST", "/api/profile-subscription-bulk-create-jobs", subscribeBody(list, emailSub(e)), server(A.secretKey()));
        Res r = K.send("POST", "/api/profile-suppression-bulk-create-jobs", "{\"data\":{\"type\":"
                + "\"profile-suppression-bulk-create-job\",\"attributes\":{},\"relationships\":{\"list\":{\"data\":"
                + "{\"type\":\"list\",\"id\":\"" + list + "\"}}}}}", server(A.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().at("/data/relationships/lists/data/0/id").asText()).isEqualTo(list);
        assertThat(F.count("SELECT count(*) FROM suppressions WHERE profile_id = ?", profileId(A, e))).isEqualTo(1);
    }

    @Test
    void badInputIs4xxAndWritesNothing() {
        long before = F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(A.publicId()));
        String e = uniq("bad") + "@example.com";
        Res wrongConsent = K.sendInvalid("POST", "/api/profile-subscription-bulk-create-jobs", subscribeBody(null,
                emailSub(e) + ",{\"type\":\"profile\",\"attributes\":{\"email\":\"x" + e + "\",\"subscriptions\":"
                        + "{\"email\":{\"marketing\":{\"consent\":\"UNSUBSCRIBED\"}}}}}"), server(A.secretKey()));
        assertThat(wrongConsent.status()).isEqualTo(400);
        assertThat(wrongConsent.json().at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/attributes/profiles/data/1/attributes/subscriptions/email/marketing/consent");
        Res noContact = K.send("POST", "/api/profile-subscription-bulk-create-jobs", subscribeBody(null,
                "{\"type\":\"profile\",\"attributes\":{\"subscriptions\":{\"email\":{\"marketing\":{\"consent\":"
                        + "\"SUBSCRIBED\"}}}}}"), server(A.secretKey()));
        assertThat(noContact.json().at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/attributes/profiles/data/0/attributes");
        String bList = createList(B, "TheirList");
        Res otherList = K.send("POST", "/api/profile-subscription-bulk-create-jobs", subscribeBody(bList, emailSub(e)),
                server(A.secretKey()));
        assertThat(otherList.status()).isEqualTo(404);
        Res badEmail = K.send("POST", "/api/profile-suppression-bulk-create-jobs", suppressionBody("create", "nope"),
                server(A.secretKey()));
        assertThat(badEmail.json().at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/attributes/profiles/data/0/attributes/email");
        assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(A.publicId())))
                .isEqualTo(before);
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id = ?", bList)).isZero();
        Res badAdditional = K.sendInvalid("GET", "/api/profiles?additional-fields[profile]=everything", null,
                server(A.secretKey()));
        assertThat(badAdditional.json().at("/errors/0/source/parameter").asText()).isEqualTo("additional-fields[profile]");
    }

    @Test
    void deliveryHoldsMarketingEmailToASuppressedProfile() {
        DeliveryKit d = new DeliveryKit(F);
        TestCompany c = F.createCompany("SuppressedDelivery");
        String log = d.provider(c, "log", Map.of());
        String marketing = d.campaign(c, "email", log, Map.of("en", Map.of("subject", "Hi", "text", "t")), "marketing");
        String ext = uniq("sd");
        assertThat(K.send("POST", "/api/profile-suppression-bulk-create-jobs", suppressionBody("create",
                ext + "@example.com"), server(c.secretKey())).status()).isEqualTo(202);
        assertThat(d.trigger(c, marketing, Map.of("user", Map.of("external_id", ext, "email", ext + "@example.com")))
                .status()).isEqualTo(204);
        JsonNode sends = d.awaitSends(c, marketing, 1, "aborted");
        assertThat(sends.at("/0/attributes/reason").asText()).isEqualTo("unsubscribed");
        assertThat(List.of(sends.at("/0/attributes/profile_id").asText())).containsExactly(profileId(c, ext + "@example.com"));
    }
}
