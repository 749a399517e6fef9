package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.client;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /client/profiles?company_id=}: seed 004's envelope, the client identity rules, 202 empty. */
class KlaviyoClientProfilesTest extends KlaviyoTestBase {

    String path() {
        return "/client/profiles/?company_id=" + A.publicId();
    }

    Res post(String data) {
        return K.send("POST", path(), "{\"data\":" + data + "}", client());
    }

    /** Reads a profile back through the server API (validated too). */
    JsonNode byEmail(String email) {
        Res r = K.send("GET", "/api/profiles?filter=" + java.net.URLEncoder.encode("equals(email,\"" + email + "\")",
                java.nio.charset.StandardCharsets.UTF_8), null, server(A.secretKey()));
        assertThat(r.json().path("data").size()).isEqualTo(1);
        return r.json().at("/data/0");
    }

    @Test
    void seed004EnvelopeIsAccepted202EmptyAndWritten() {
        String email = uniq("sarah") + "@example.com";
        String ext = uniq("cust-");
        Res r = post("{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\",\"phone_number\":\"+15005550006\","
                + "\"external_id\":\"" + ext + "\",\"anonymous_id\":\"" + uniq("anon-") + "\",\"first_name\":\"Sarah\","
                + "\"last_name\":\"Mason\",\"organization\":\"Klaviyo\",\"title\":\"Engineer\",\"image\":\"https://x/y.png\","
                + "\"location\":{\"address1\":\"89 E 42nd St\",\"address2\":\"1st floor\",\"city\":\"New York\","
                + "\"country\":\"United States\",\"latitude\":\"40.7128\",\"longitude\":-74.006,\"region\":\"NY\","
                + "\"zip\":\"10017\",\"timezone\":\"America/New_York\"},\"properties\":{\"pseudonym\":\"Dr. Octopus\"}},"
                + "\"meta\":{\"patch_properties\":{\"append\":{\"skus\":\"92538\"}}}}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.body()).isEmpty();
        JsonNode p = byEmail(email);
        JsonNode a = p.path("attributes");
        assertThat(a.path("external_id").asText()).isEqualTo(ext);
        assertThat(a.path("phone_number").asText()).isEqualTo("+15005550006");
        assertThat(a.path("title").asText()).isEqualTo("Engineer");
        assertThat(a.at("/location/latitude").asText()).isEqualTo("40.7128");
        assertThat(a.at("/location/longitude").asDouble()).isEqualTo(-74.006);
        assertThat(a.at("/properties/pseudonym").asText()).isEqualTo("Dr. Octopus");
        assertThat(a.at("/properties/skus/0").asText()).isEqualTo("92538");
    }

    @Test
    void metaIdentifiersNameTheProfileToUpdate() {
        String email = uniq("m") + "@example.com";
        String anon = uniq("anon-");
        assertThat(post("{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\",\"anonymous_id\":\"" + anon
                + "\"}}").status()).isEqualTo(202);
        String id = byEmail(email).path("id").asText();
        long before = profiles();
        // by anonymous id (the mobile SDKs' shape): no identifier in attributes at all
        Res r = post("{\"type\":\"profile\",\"attributes\":{\"first_name\":\"Named\"},"
                + "\"meta\":{\"identifiers\":{\"anonymous_id\":\"" + anon + "\",\"_kx\":\"opaque\"}}}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(byEmail(email).at("/attributes/first_name").asText()).isEqualTo("Named");
        // by profile id
        assertThat(post("{\"type\":\"profile\",\"attributes\":{\"last_name\":\"ById\"},"
                + "\"meta\":{\"identifiers\":{\"id\":\"" + id + "\"},\"patch_properties\":{\"unset\":\"nothing\"}}}")
                .status()).isEqualTo(202);
        assertThat(byEmail(email).at("/attributes/last_name").asText()).isEqualTo("ById");
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void clientWritesNeverReplaceExistingIdentifiersButFillEmptyOnes() {
        String email = uniq("keep") + "@example.com";
        String ext = uniq("u-");
        assertThat(post("{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\",\"external_id\":\"" + ext
                + "\"}}").status()).isEqualTo(202);
        String other = uniq("other") + "@example.com";
        Res r = post("{\"type\":\"profile\",\"attributes\":{\"external_id\":\"" + ext + "\",\"email\":\"" + other
                + "\",\"phone_number\":\"+14155550123\"}}");
        assertThat(r.status()).isEqualTo(202);
        JsonNode a = byEmail(email).path("attributes");
        assertThat(a.path("external_id").asText()).isEqualTo(ext);
        assertThat(a.path("phone_number").asText()).isEqualTo("+14155550123");
        assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ? AND email = ?",
                F.companyId(A.publicId()), other)).isZero();
    }

    @Test
    void invalidEmailOrPhoneIsIgnoredNotRejected() {
        String ext = uniq("bad-");
        Res r = post("{\"type\":\"profile\",\"attributes\":{\"external_id\":\"" + ext + "\",\"email\":\"not an email\","
                + "\"phone_number\":\"12\",\"first_name\":\"Kept\"}}");
        assertThat(r.status()).isEqualTo(202);
        Res list = K.send("GET", "/api/profiles?filter=" + java.net.URLEncoder.encode("equals(external_id,\"" + ext + "\")",
                java.nio.charset.StandardCharsets.UTF_8), null, server(A.secretKey()));
        JsonNode a = list.json().at("/data/0/attributes");
        assertThat(a.path("first_name").asText()).isEqualTo("Kept");
        assertThat(a.path("email").isNull()).isTrue();
        assertThat(a.path("phone_number").isNull()).isTrue();
    }

    @Test
    void oldRevisionShapesValidateAgainstThe20230222Document() {
        String email = uniq("old") + "@example.com";
        Res r = K.send("POST", path(), "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email
                + "\",\"anonymous_id\":\"" + uniq("a") + "\",\"properties\":{\"src\":\"sdk3\"}}}}",
                with(with(client(), "revision", "2023-02-22"), "Content-Type", "application/json"));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.header("revision")).isEqualTo("2023-02-22");
        String id = byEmail(email).path("id").asText();
        Res g = K.send("GET", "/api/profiles/" + id + "/", null, with(with(server(A.secretKey()), "revision",
                "2023-02-22"), "Accept", "application/json"));
        assertThat(g.status()).isEqualTo(200);
        assertThat(g.json().at("/data/attributes/properties/src").asText()).isEqualTo("sdk3");
    }

    @Test
    void badInputIs4xxNamingTheFieldWithNothingWritten() {
        long before = profiles();
        Map<String, String> h = client();
        String[][] cases = {
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":true}}}", "400", "/data/attributes/email"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"external_id\":{\"a\":1}}}}", "400",
                        "/data/attributes/external_id"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"a@b.co\",\"location\":{\"city\":5}}}}", "400",
                        "/data/attributes/location/city"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"a@b.co\"},\"meta\":{\"patch_properties\":"
                        + "{\"append\":[1]}}}}", "400", "/data/meta/patch_properties/append"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"a@b.co\"},\"meta\":{\"patch_properties\":"
                        + "{\"unset\":5}}}}", "400", "/data/meta/patch_properties/unset"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{},\"meta\":{\"identifiers\":{\"email\":7}}}}", "400",
                        "/data/meta/identifiers/email"},
                {"{\"data\":[]}", "400", "/data"},
                {"{}", "400", "/data"},
                {"{\"data\":{\"type\":\"profiles\",\"attributes\":{\"email\":\"a@b.co\"}}}", "409", "/data/type"},
        };
        for (String[] c : cases) {
            Res r = K.sendInvalid("POST", path(), c[0], h);
            assertThat(r.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(c[0]).isEqualTo(c[2]);
        }
        Res noIdentifier = K.sendInvalid("POST", path(), "{\"data\":{\"type\":\"profile\",\"attributes\":"
                + "{\"first_name\":\"Nobody\"}}}", h);
        assertThat(noIdentifier.status()).isEqualTo(400);
        assertThat(noIdentifier.json().at("/errors/0/detail").asText()).contains("identifier");
        Res malformed = K.sendInvalid("POST", path(), "{\"data\": {\"type\": \"profile\"", h);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().at("/errors/0/detail").asText()).contains("Malformed JSON");
        assertThat(profiles()).isEqualTo(before);
    }
}
