package io.switchboard.resources.parcelvoy;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Parcelvoy client API: /api/client/{alias,identify,devices,events}. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ParcelvoyIngestionTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static TestCompany acme;
    static TestCompany other;

    @BeforeAll
    static void companies() {
        acme = F.createCompany("Acme");
        other = F.createCompany("Other");
    }

    static Res post(String path, String body) {
        return F.post("/api/client/" + path, body, bearer(acme.publicKey()));
    }

    static void assert422(Res r, String... fragments) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        for (String f : fragments) assertThat(r.json().get("error").asText()).contains(f);
    }

    @Nested
    class Identify {
        @Test
        void createsProfileWithTraitsAnd204() {
            Res r = post("identify", """
                    {"external_id":"pv-u1","email":"PV1@Example.com","phone":"+14155550100","timezone":"America/Chicago",
                     "locale":"en","data":{"first_name":"John","has_completed_onboarding":true}}""");
            assertThat(r.status()).as(r.toString()).isEqualTo(204);
            assertThat(r.body()).isEmpty();
            String id = owner(F, acme, "external_id", "pv-u1");
            assertThat(owner(F, acme, "email", "pv1@example.com")).isEqualTo(id);
            assertThat(owner(F, acme, "phone_number", "+14155550100")).isEqualTo(id);
            JsonNode p = F.get("/admin/companies/" + acme.publicId() + "/profiles/" + id, bearer(acme.secretKey())).json();
            assertThat(p.at("/data/attributes/properties/has_completed_onboarding").asBoolean()).isTrue();
            assertThat(p.at("/data/attributes/attributes/locale").asText()).isEqualTo("en");
            assertThat(p.at("/data/attributes/attributes/location/timezone").asText()).isEqualTo("America/Chicago");
        }

        @Test
        void bothIdsLinkTheAnonymousProfile() {
            assertThat(post("events", "[{\"anonymous_id\":\"pv-anon-link\",\"name\":\"Opened\"}]").status()).isEqualTo(204);
            String anonProfile = owner(F, acme, "anonymous_id", "pv-anon-link");
            assertThat(post("identify", "{\"anonymous_id\":\"pv-anon-link\",\"external_id\":\"pv-linked\"}").status()).isEqualTo(204);
            assertThat(owner(F, acme, "external_id", "pv-linked")).isEqualTo(anonProfile);
        }

        @Test
        void validationErrors() {
            assert422(post("identify", "{\"external_id\":\"x\",\"nickname\":\"y\"}"), "nickname");
            assert422(post("identify", "{\"email\":\"a@b.co\"}"), "external_id", "anonymous_id");
            assert422(post("identify", "{\"external_id\":\"x\",\"timezone\":\"Mars/Olympus\"}"), "timezone", "IANA");
            assert422(post("identify", "{\"external_id\":\"x\",\"data\":[1]}"), "`data`", "object");
            assert422(post("identify", "{\"external_id\":5.5,\"email\":7}"), "`email` must be a string");
            assert422(post("identify", "[]"), "object");
            assertThat(owner(F, acme, "external_id", "x")).isNull();
        }

        @Test
        void credentials() {
            String body = "{\"external_id\":\"cred-1\"}";
            Res none = F.post("/api/client/identify", body, Map.of());
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.json().get("status").asText()).isEqualTo("error");
            assertThat(F.post("/api/client/identify", body, bearer("pk_" + "x".repeat(32))).status()).isEqualTo(401);
            // Klaviyo-style credential on a Parcelvoy route
            assertThat(F.post("/api/client/identify", body, Map.of("Authorization", "Klaviyo-API-Key " + acme.secretKey()))
                    .status()).isEqualTo(401);
            // the secret key works too; the other company's key writes to the other company
            assertThat(F.post("/api/client/identify", body, bearer(acme.secretKey())).status()).isEqualTo(204);
            assertThat(F.post("/api/client/identify", body, bearer(other.publicKey())).status()).isEqualTo(204);
            assertThat(owner(F, acme, "external_id", "cred-1")).isNotNull();
            assertThat(owner(F, other, "external_id", "cred-1")).isNotNull().isNotEqualTo(owner(F, acme, "external_id", "cred-1"));
        }
    }

    @Nested
    class Alias {
        @Test
        void aliasLinksAndIsRepeatable() {
            assertThat(post("alias", "{\"anonymous_id\":\"al-a\",\"external_id\":\"al-x\"}").status()).isEqualTo(204);
            String p = owner(F, acme, "external_id", "al-x");
            assertThat(owner(F, acme, "anonymous_id", "al-a")).isEqualTo(p);
            assertThat(post("alias", "{\"anonymous_id\":\"al-a\",\"external_id\":\"al-x\"}").status()).isEqualTo(204);
            // refused alias (anonymous id tied to another external id): 204, nothing changes
            assertThat(post("alias", "{\"anonymous_id\":\"al-a\",\"external_id\":\"al-y\"}").status()).isEqualTo(204);
            assertThat(owner(F, acme, "anonymous_id", "al-a")).isEqualTo(p);
        }

        @Test
        void bothFieldsRequired() {
            assert422(post("alias", "{\"anonymous_id\":\"only\"}"), "external_id");
            assert422(post("alias", "{\"external_id\":\"only\"}"), "anonymous_id");
            assert422(post("alias", "{\"anonymous_id\":1,\"external_id\":\"x\"}"), "anonymous_id");
        }
    }

    @Nested
    class Devices {
        @Test
        void upsertByDeviceIdAndTokenMoves() {
            assertThat(post("devices", """
                    {"external_id":"dev-u1","device_id":"d-1","token":"tok-1","os":"iOS 16.3","model":"iPhone15,2",
                     "app_build":"465","app_version":"1.2.4"}""").status()).isEqualTo(204);
            assertThat(post("devices", "{\"external_id\":\"dev-u1\",\"device_id\":\"d-1\",\"app_version\":\"1.2.5\"}")
                    .status()).isEqualTo(204);
            long c = F.companyId(acme.publicId());
            assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND device_id = 'd-1'", c)).isEqualTo(1);
            assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND device_id = 'd-1' AND token = 'tok-1' "
                    + "AND app_version = '1.2.5' AND os = 'iOS 16.3'", c)).isEqualTo(1);
            // the token moves to another device of another (unknown → created) user: never on two devices
            assertThat(post("devices", "{\"anonymous_id\":\"dev-anon2\",\"device_id\":\"d-2\",\"token\":\"tok-1\"}")
                    .status()).isEqualTo(204);
            assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token = 'tok-1'", c)).isEqualTo(1);
            assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token = 'tok-1' AND device_id = 'd-2'", c))
                    .isEqualTo(1);
            String u2 = owner(F, acme, "anonymous_id", "dev-anon2");
            JsonNode devices = admin(F, acme, u2, "devices").get("data");
            assertThat(devices).hasSize(1);
            assertThat(devices.get(0).at("/attributes/token").asText()).isEqualTo("tok-1");
        }

        @Test
        void validation() {
            assert422(post("devices", "{\"external_id\":\"dev-v\"}"), "device_id");
            assert422(post("devices", "{\"device_id\":\"d-v\"}"), "external_id");
            assert422(post("devices", "{\"external_id\":\"dev-v\",\"device_id\":\"d-v\",\"token\":5}"), "token");
            assertThat(owner(F, acme, "external_id", "dev-v")).isNull();
        }
    }

    @Nested
    class Events {
        @Test
        void storesEventsWithUserTraitsAndOptionalName() {
            long before = events(F, acme);
            Res r = post("events", """
                    [{"external_id":"ev-u1","name":"Product Purchased","data":{"product_id":12345,"price":49.99}},
                     {"anonymous_id":"ev-anon1","data":{"x":1},"user":{"email":"ev1@example.com","timezone":"Europe/Paris","data":{"plan":"pro"}}},
                     {"external_id":"ev-u1","name":"Viewed","unknown_top_level":"ignored"}]""");
            assertThat(r.status()).as(r.toString()).isEqualTo(204);
            assertThat(events(F, acme)).isEqualTo(before + 3);
            String anon = owner(F, acme, "anonymous_id", "ev-anon1");
            assertThat(owner(F, acme, "email", "ev1@example.com")).isEqualTo(anon);
            JsonNode evs = adminEvents(F, acme, anon);
            assertThat(evs).hasSize(1);
            assertThat(evs.get(0).at("/attributes/name").isNull()).isTrue();
            assertThat(evs.get(0).at("/attributes/properties/x").asInt()).isEqualTo(1);
            JsonNode p = F.get("/admin/companies/" + acme.publicId() + "/profiles/" + anon, bearer(acme.secretKey())).json();
            assertThat(p.at("/data/attributes/properties/plan").asText()).isEqualTo("pro");
            String u1 = owner(F, acme, "external_id", "ev-u1");
            JsonNode u1Events = adminEvents(F, acme, u1);
            assertThat(u1Events).hasSize(2);
            // both events share one time; their order between themselves is not defined
            JsonNode purchased = null;
            for (JsonNode e : u1Events) if ("Product Purchased".equals(e.at("/attributes/name").asText())) purchased = e;
            assertThat(purchased).as(u1Events.toString()).isNotNull();
            assertThat(purchased.at("/attributes/properties/price").decimalValue()).isEqualByComparingTo("49.99");
        }

        @Test
        void allOrNothingNamingTheIndex() {
            long events = events(F, acme);
            long profiles = profiles(F, acme);
            Res r = post("events", """
                    [{"external_id":"aon-1","name":"A"},{"external_id":"aon-2","name":"B"},{"name":"C"}]""");
            assert422(r, "2/external_id");
            Res r2 = post("events", """
                    [{"external_id":"aon-1","name":"A"},{"external_id":"aon-2","name":7}]""");
            assert422(r2, "`1/name` must be a string");
            Res r3 = post("events", "[{\"external_id\":\"aon-1\"},{\"external_id\":\"aon-1\",\"user\":{\"timezone\":\"Nowhere/Land\"}}]");
            assert422(r3, "1/user/timezone");
            assert422(post("events", "[]"), "empty");
            assert422(post("events", "{\"external_id\":\"aon-1\"}"), "array");
            assert422(post("events", "[1]"), "`0`");
            // unparseable input is 400 in every dialect
            Res malformed = post("events", "[{\"external_id\":");
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.json().get("error").asText()).contains("Malformed JSON");
            assertThat(events(F, acme)).isEqualTo(events);
            assertThat(profiles(F, acme)).isEqualTo(profiles);
            assertThat(owner(F, acme, "external_id", "aon-1")).isNull();
        }

        @Test
        void junkIdentifierInItemRollsBackTheRequest() {
            long events = events(F, acme);
            Res r = post("events", "[{\"external_id\":\"junk-ok\",\"name\":\"A\"},{\"external_id\":\"undefined\",\"name\":\"B\"}]");
            assert422(r, "Item 1");
            assertThat(events(F, acme)).isEqualTo(events);
            assertThat(owner(F, acme, "external_id", "junk-ok")).isNull();
        }

        @Test
        void messageIdAndIdempotencyKeyMakeRetriesNoOps() {
            long before = events(F, acme);
            String body = "[{\"external_id\":\"idem-1\",\"name\":\"A\",\"message_id\":\"m-1\"},"
                    + "{\"external_id\":\"idem-1\",\"name\":\"B\",\"message_id\":\"m-2\"}]";
            assertThat(post("events", body).status()).isEqualTo(204);
            assertThat(post("events", body).status()).isEqualTo(204);
            assertThat(events(F, acme)).isEqualTo(before + 2);
            // same message id repeated inside one request: stored once
            assertThat(post("events", "[{\"external_id\":\"idem-1\",\"name\":\"C\",\"message_id\":\"m-3\"},"
                    + "{\"external_id\":\"idem-1\",\"name\":\"C\",\"message_id\":\"m-3\"}]").status()).isEqualTo(204);
            assertThat(events(F, acme)).isEqualTo(before + 3);
            // Idempotency-Key header on the whole request
            Map<String, String> h = new HashMap<>(bearer(acme.publicKey()));
            h.put("Idempotency-Key", "req-1");
            String b2 = "[{\"external_id\":\"idem-1\",\"name\":\"D\"}]";
            assertThat(F.post("/api/client/events", b2, h).status()).isEqualTo(204);
            assertThat(F.post("/api/client/events", b2, h).status()).isEqualTo(204);
            assertThat(events(F, acme)).isEqualTo(before + 4);
            // reusing the key for another body is an error
            Res reuse = F.post("/api/client/events", "[{\"external_id\":\"idem-1\",\"name\":\"E\"}]", h);
            assert422(reuse, "Idempotency-Key");
            assertThat(events(F, acme)).isEqualTo(before + 4);
            // message_id on identify: the retry does not re-apply (a later change in between survives)
            assertThat(post("identify", "{\"external_id\":\"idem-2\",\"data\":{\"v\":1},\"message_id\":\"mi-1\"}").status()).isEqualTo(204);
            assertThat(post("identify", "{\"external_id\":\"idem-2\",\"data\":{\"v\":2}}").status()).isEqualTo(204);
            assertThat(post("identify", "{\"external_id\":\"idem-2\",\"data\":{\"v\":1},\"message_id\":\"mi-1\"}").status()).isEqualTo(204);
            String p = owner(F, acme, "external_id", "idem-2");
            JsonNode prof = F.get("/admin/companies/" + acme.publicId() + "/profiles/" + p, bearer(acme.secretKey())).json();
            assertThat(prof.at("/data/attributes/properties/v").asInt()).isEqualTo(2);
        }
    }
}
