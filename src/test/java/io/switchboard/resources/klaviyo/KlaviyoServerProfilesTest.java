package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST/GET/PATCH /api/profiles}: success paths, document shape, 409s, bad input with nothing written. */
class KlaviyoServerProfilesTest extends KlaviyoTestBase {

    static Res create(String attributes) {
        return K.send("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":" + attributes + "}}",
                server(A.secretKey()));
    }

    /** A create whose body is off-spec on purpose (e.g. an unknown attribute): only the response is validated. */
    static Res createLenient(String attributes) {
        return K.sendInvalid("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":" + attributes + "}}",
                server(A.secretKey()));
    }

    @Test
    void createAnswers201WithTheWholeDocument() {
        String email = uniq("sarah") + "@Example.com";
        Res r = createLenient("{\"email\":\"" + email + "\",\"first_name\":\"Sarah\",\"location\":{\"city\":\"New York\","
                + "\"latitude\":40.71},\"properties\":{\"plan\":\"gold\"},\"unknown_attribute\":1}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Content-Type")).startsWith("application/vnd.api+json");
        assertThat(r.header("revision")).isEqualTo("2026-07-15");
        JsonNode d = r.json().path("data");
        String id = d.path("id").asText();
        assertThat(id).hasSize(26);
        assertThat(d.path("type").asText()).isEqualTo("profile");
        assertThat(d.at("/links/self").asText()).isEqualTo(F.baseUrl() + "/api/profiles/" + id + "/");
        assertThat(r.json().at("/links/self").asText()).isEqualTo(F.baseUrl() + "/api/profiles/" + id + "/");
        JsonNode a = d.path("attributes");
        assertThat(a.path("email").asText()).isEqualTo(email.toLowerCase());
        assertThat(a.path("first_name").asText()).isEqualTo("Sarah");
        for (String f : new String[] {"phone_number", "external_id", "last_name", "organization", "locale", "title",
                "image", "last_event_date"}) {
            assertThat(a.has(f)).as(f).isTrue();
            assertThat(a.path(f).isNull()).as(f).isTrue();
        }
        assertThat(a.path("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
        assertThat(a.path("updated").asText()).isNotEmpty();
        assertThat(a.at("/location/city").asText()).isEqualTo("New York");
        assertThat(a.at("/location/latitude").asDouble()).isEqualTo(40.71);
        assertThat(a.at("/location/zip").isNull()).isTrue();
        assertThat(a.at("/properties/plan").asText()).isEqualTo("gold");
        assertThat(a.has("unknown_attribute")).isFalse();

        Res g = K.send("GET", "/api/profiles/" + id, null, server(A.secretKey()));
        assertThat(g.status()).isEqualTo(200);
        assertThat(g.json().path("data")).isEqualTo(d);
    }

    @Test
    void createWithAnOwnedIdentifierIs409DuplicateProfileNamingTheOwner() {
        String email = uniq("dup") + "@example.com";
        String owner = create("{\"email\":\"" + email + "\"}").json().at("/data/id").asText();
        long before = profiles();
        Res r = create("{\"email\":\"" + email.toUpperCase() + "\",\"external_id\":\"" + uniq("x") + "\"}");
        assertThat(r.status()).isEqualTo(409);
        JsonNode e = r.json().at("/errors/0");
        assertThat(e.path("code").asText()).isEqualTo("duplicate_profile");
        assertThat(e.path("title").asText()).isEqualTo("Conflict.");
        assertThat(e.path("detail").asText()).isEqualTo("A profile already exists with one of these identifiers.");
        assertThat(e.at("/meta/duplicate_profile_id").asText()).isEqualTo(owner);
        assertThat(e.at("/source/pointer").asText()).isEqualTo("/data/attributes");
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void patchWritesNullClearsAbsentKeepsAndChangesIdentifiers() {
        String id = create("{\"email\":\"" + uniq("p") + "@example.com\",\"first_name\":\"A\",\"last_name\":\"B\","
                + "\"location\":{\"city\":\"Paris\",\"zip\":\"75001\"},\"properties\":{\"k1\":1,\"k2\":2}}")
                .json().at("/data/id").asText();
        String newEmail = uniq("new") + "@example.com";
        Res r = K.send("PATCH", "/api/profiles/" + id, "{\"data\":{\"type\":\"profile\",\"id\":\"" + id
                + "\",\"attributes\":{\"email\":\"" + newEmail + "\",\"first_name\":null,\"location\":{\"zip\":null},"
                + "\"properties\":{\"k1\":null,\"k3\":3}},\"meta\":{\"patch_properties\":{\"append\":{\"skus\":\"92538\"}}}}}",
                server(A.secretKey()));
        assertThat(r.status()).isEqualTo(200);
        JsonNode a = r.json().at("/data/attributes");
        assertThat(a.path("email").asText()).isEqualTo(newEmail);
        assertThat(a.path("first_name").isNull()).isTrue();
        assertThat(a.path("last_name").asText()).isEqualTo("B");
        assertThat(a.at("/location/city").asText()).isEqualTo("Paris");
        assertThat(a.at("/location/zip").isNull()).isTrue();
        assertThat(a.at("/properties/k1").isMissingNode()).isTrue();
        assertThat(a.at("/properties/k2").asInt()).isEqualTo(2);
        assertThat(a.at("/properties/k3").asInt()).isEqualTo(3);
        assertThat(a.at("/properties/skus/0").asText()).isEqualTo("92538");
    }

    @Test
    void patchIdMismatchIs409ConflictAndOwnedIdentifierIs409Duplicate() {
        String email = uniq("own") + "@example.com";
        String other = create("{\"email\":\"" + email + "\"}").json().at("/data/id").asText();
        String id = create("{\"email\":\"" + uniq("me") + "@example.com\"}").json().at("/data/id").asText();
        Res mismatch = K.send("PATCH", "/api/profiles/" + id, "{\"data\":{\"type\":\"profile\",\"id\":\"" + other
                + "\",\"attributes\":{\"first_name\":\"X\"}}}", server(A.secretKey()));
        assertThat(mismatch.status()).isEqualTo(409);
        assertThat(mismatch.json().at("/errors/0/code").asText()).isEqualTo("conflict");
        assertThat(mismatch.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/id");
        Res dup = K.send("PATCH", "/api/profiles/" + id, "{\"data\":{\"type\":\"profile\",\"id\":\"" + id
                + "\",\"attributes\":{\"email\":\"" + email + "\",\"first_name\":\"X\"}}}", server(A.secretKey()));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().at("/errors/0/code").asText()).isEqualTo("duplicate_profile");
        assertThat(dup.json().at("/errors/0/meta/duplicate_profile_id").asText()).isEqualTo(other);
        // nothing was written
        Res g = K.send("GET", "/api/profiles/" + id, null, server(A.secretKey()));
        assertThat(g.json().at("/data/attributes/first_name").isNull()).isTrue();
    }

    @Test
    void unknownProfileIs404() {
        Res r = K.send("GET", "/api/profiles/01ARZ3NDEKTSV4RRFFQ69G5FAV", null, server(A.secretKey()));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("not_found");
    }

    @Test
    void sparseFieldsetsRestrictAttributes() {
        String id = create("{\"email\":\"" + uniq("s") + "@example.com\",\"location\":{\"city\":\"Oslo\"}}")
                .json().at("/data/id").asText();
        Res r = K.send("GET", "/api/profiles/" + id + "?fields%5Bprofile%5D=email,location.city", null,
                server(A.secretKey()));
        assertThat(r.status()).isEqualTo(200);
        JsonNode a = r.json().at("/data/attributes");
        assertThat(a.has("email")).isTrue();
        assertThat(a.has("first_name")).isFalse();
        assertThat(a.at("/location/city").asText()).isEqualTo("Oslo");
        assertThat(a.at("/location").has("zip")).isFalse();
        Res bad = K.sendInvalid("GET", "/api/profiles/" + id + "?fields%5Bprofile%5D=shoe_size", null,
                server(A.secretKey()));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/errors/0/source/parameter").asText()).isEqualTo("fields[profile]");
    }

    @Test
    void wrongTypesMissingDataWrongTypeAndMalformedJsonAre4xxNamingTheFieldWithNothingWritten() {
        long before = profiles();
        Map<String, String> h = server(A.secretKey());
        String[][] cases = {
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":123}}}", "400", "/data/attributes/email"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"a@b.co\",\"first_name\":[\"x\"]}}}", "400",
                        "/data/attributes/first_name"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"a@b.co\",\"location\":\"Paris\"}}}", "400",
                        "/data/attributes/location"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"a@b.co\",\"properties\":[1]}}}", "400",
                        "/data/attributes/properties"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"not-an-email\"}}}", "400",
                        "/data/attributes/email"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"phone_number\":\"12\"}}}", "400",
                        "/data/attributes/phone_number"},
                {"{\"data\":{\"type\":\"profile\",\"attributes\":{\"first_name\":\"NoIdentifier\"}}}", "400",
                        "/data/attributes"},
                {"{\"data\":{\"type\":\"profile\"}}", "400", "/data/attributes"},
                {"{\"nodata\":{}}", "400", "/data"},
                {"{\"data\":{\"attributes\":{\"email\":\"a@b.co\"}}}", "400", "/data/type"},
                {"{\"data\":{\"type\":\"event\",\"attributes\":{\"email\":\"a@b.co\"}}}", "409", "/data/type"},
        };
        for (String[] c : cases) {
            Res r = K.sendInvalid("POST", "/api/profiles", c[0], h);
            assertThat(r.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(c[0]).isEqualTo(c[2]);
        }
        Res malformed = K.sendInvalid("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",", h);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().at("/errors/0/code").asText()).isEqualTo("invalid");
        assertThat(malformed.json().at("/errors/0/detail").asText()).contains("Malformed JSON");
        Res empty = K.sendInvalid("POST", "/api/profiles", "", h);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void anonymousIdIsReadOnlyBeforeRevision20251015() {
        String anon = uniq("anon-");
        Res old = K.send("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\""
                + uniq("o") + "@example.com\",\"anonymous_id\":\"" + anon + "\"}}}",
                with(server(A.secretKey()), "revision", "2025-07-15"));
        assertThat(old.status()).isEqualTo(201);
        assertThat(old.header("revision")).isEqualTo("2025-07-15");
        long companyId = F.companyId(A.publicId());
        assertThat(F.count("SELECT count(*) FROM profile_identifiers WHERE company_id = ? AND kind = 'anonymous_id' "
                + "AND value = ?", companyId, anon)).isEqualTo(1);
        String anon2 = uniq("anon-");
        // at 2026-07-15 `anonymous_id` is not part of the request schema: sent anyway, it is ignored
        Res current = createLenient("{\"email\":\"" + uniq("n") + "@example.com\",\"anonymous_id\":\"" + anon2 + "\"}");
        assertThat(current.status()).isEqualTo(201);
        assertThat(F.count("SELECT count(*) FROM profile_identifiers WHERE company_id = ? AND kind = 'anonymous_id' "
                + "AND value = ?", companyId, anon2)).isZero();
    }
}
