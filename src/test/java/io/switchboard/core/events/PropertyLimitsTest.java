package io.switchboard.core.events;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * operations.md input limits called by the domain (IngestService for event properties, IdentityService
 * for profile properties) in every dialect: at most 400 keys, no NUL; each error in the dialect's shape
 * naming the field (JSON:API {@code source.pointer}; Segment/Parcelvoy in the message; Parcelvoy answers
 * validation errors with 422). Nothing is stored.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PropertyLimitsTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String REV = "2026-07-15";
    static TestCompany acme;

    @BeforeAll
    static void company() {
        acme = F.createCompany("Limits");
    }

    /** {"k0":0,…} with n keys. */
    static String manyKeys(int n) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        return b.append('}').toString();
    }

    static void assertJsonApi400(Res r, String pointer) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        JsonNode e = r.json().at("/errors/0");
        assertThat(e.get("code").asText()).isEqualTo("invalid");
        assertThat(e.at("/source/pointer").asText()).isEqualTo(pointer);
    }

    static void assertMessage(Res r, int status, String key, String... fragments) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        for (String f : fragments) assertThat(r.json().get(key).asText()).contains(f);
    }

    @Test
    void klaviyoEventAndProfileProperties() {
        String event = """
                {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"lim-k@example.com"}}},
                 "metric":{"data":{"type":"metric","attributes":{"name":"Viewed"}}},"properties":%s}}}""";
        Res nul = F.post("/client/events/?company_id=" + acme.publicId(), event.formatted("{\"sku\":\"A\\u0000\"}"),
                klaviyo(REV));
        assertJsonApi400(nul, "/data/attributes/properties/sku");
        Res many = F.post("/client/events/?company_id=" + acme.publicId(), event.formatted(manyKeys(401)), klaviyo(REV));
        assertJsonApi400(many, "/data/attributes/properties");
        assertThat(F.post("/client/events/?company_id=" + acme.publicId(), event.formatted(manyKeys(400)), klaviyo(REV))
                .status()).isEqualTo(202);

        Res profile = F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"lim-p@example.com\","
                + "\"properties\":" + manyKeys(401) + "}}}", klaviyoServer(acme.secretKey(), REV));
        assertJsonApi400(profile, "/data/attributes/properties");
        Res nulProfile = F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"lim-p@example.com\","
                + "\"properties\":{\"a\":[\"x\\u0000\"]}}}}", klaviyoServer(acme.secretKey(), REV));
        assertJsonApi400(nulProfile, "/data/attributes/properties/a/0");
        assertThat(owner(F, acme, "email", "lim-p@example.com")).isNull();
    }

    @Test
    void segmentPropertiesAndTraits() {
        Res track = F.post("/v1/track", "{\"userId\":\"lim-s\",\"event\":\"A\",\"properties\":" + manyKeys(401) + "}",
                basic(acme.publicKey()));
        assertMessage(track, 400, "message", "properties", "401");
        Res identify = F.post("/v1/identify", "{\"userId\":\"lim-s\",\"traits\":{\"plan\":\"x\\u0000\"}}",
                basic(acme.publicKey()));
        assertMessage(identify, 400, "message", "/traits/plan", "NUL");
        Res batch = F.post("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"lim-s\",\"event\":\"A\"},"
                + "{\"type\":\"track\",\"userId\":\"lim-s\",\"event\":\"B\",\"properties\":{\"n\":\"\\u0000\"}}]}",
                basic(acme.publicKey()));
        // the body reader names the item by its pointer (a NUL is refused before the batch is split into items)
        assertMessage(batch, 400, "message", "/batch/1/properties/n", "NUL");
        assertThat(owner(F, acme, "external_id", "lim-s")).isNull();
    }

    @Test
    void parcelvoyEventDataAndUserData() {
        Res data = F.post("/api/client/events", "[{\"external_id\":\"lim-pv\",\"name\":\"A\",\"data\":" + manyKeys(401) + "}]",
                bearer(acme.publicKey()));
        assertMessage(data, 422, "error", "0/data", "401");
        Res user = F.post("/api/client/identify", "{\"external_id\":\"lim-pv\",\"data\":{\"x\":\"\\u0000\"}}",
                bearer(acme.publicKey()));
        assertMessage(user, 422, "error", "/data/x", "NUL");
        Res event = F.post("/api/client/events", "[{\"external_id\":\"lim-pv\",\"name\":\"A\",\"data\":{\"x\":{\"y\":\"\\u0000\"}}}]",
                bearer(acme.publicKey()));
        assertMessage(event, 422, "error", "/0/data/x/y", "NUL");
        assertThat(owner(F, acme, "external_id", "lim-pv")).isNull();
    }
}
