package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.client;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Klaviyo's server push-token API (issue 15): POST /api/push-tokens (202, the client endpoint's body) then
 * GET back and the devices row; list paging and filters; /api/profiles/{id}/push-tokens; DELETE; secret key
 * only; another company's token is 404; bad input is a 400 naming the field. Every exchange validated against
 * Klaviyo's OpenAPI document.
 */
class KlaviyoPushTokensTest extends KlaviyoTestBase {

    static String body(String token, String platform, String email) {
        return """
                {"data":{"type":"push-token","attributes":{"token":"%s","platform":"%s","vendor":"apns",
                 "enablement_status":"AUTHORIZED","background":"AVAILABLE",
                 "device_metadata":{"device_id":"%s","os_name":"ios","os_version":"17.1","device_model":"iPhone15,2",
                  "app_version":"2.0.1"},
                 "profile":{"data":{"type":"profile","attributes":{"email":"%s"}}}}}}"""
                .formatted(token, platform, "dev-" + token, email);
    }

    static Res create(TestCompany c, String token, String email) {
        return K.send("POST", "/api/push-tokens", body(token, "ios", email), server(c.secretKey()));
    }

    /** The id of the token through the list's id filter... by token: read the devices row's id. */
    static String idOf(TestCompany c, String token) {
        return F.db().withHandle(h -> h.createQuery("SELECT id FROM devices WHERE company_id = :c AND token = :t")
                .bind("c", F.companyId(c.publicId())).bind("t", token).mapTo(String.class).one());
    }

    @Test
    void createThenReadBackThenDelete() {
        String token = uniq("tok");
        String email = uniq("p") + "@example.com";
        Res r = create(A, token, email);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        Map<String, Object> row = F.db().withHandle(h -> h.createQuery("SELECT d.id, d.platform, d.vendor, "
                        + "d.device_id, d.enabled, d.os_version, p.email FROM devices d JOIN profiles p ON "
                        + "p.company_id = d.company_id AND p.id = d.profile_id WHERE d.company_id = :c AND d.token = :t")
                .bind("c", F.companyId(A.publicId())).bind("t", token).mapToMap().one());
        assertThat(row).containsEntry("platform", "ios").containsEntry("vendor", "apns")
                .containsEntry("device_id", "dev-" + token).containsEntry("enabled", true)
                .containsEntry("os_version", "17.1").containsEntry("email", email);
        String id = (String) row.get("id");

        Res got = K.send("GET", "/api/push-tokens/" + id, null, server(A.secretKey()));
        assertThat(got.status()).as(got.toString()).isEqualTo(200);
        JsonNode d = got.json().get("data");
        assertThat(d.get("type").asText()).isEqualTo("push-token");
        assertThat(d.at("/attributes/token").asText()).isEqualTo(token);
        assertThat(d.at("/attributes/platform").asText()).isEqualTo("ios");
        assertThat(d.at("/attributes/enablement_status").asText()).isEqualTo("AUTHORIZED");
        assertThat(d.at("/attributes/background").asText()).isEqualTo("AVAILABLE");
        assertThat(d.at("/attributes/metadata/device_model").asText()).isEqualTo("iPhone15,2");
        String profileId = d.at("/relationships/profile/data/id").asText();
        assertThat(profileId).isNotBlank();

        Res ofProfile = K.send("GET", "/api/profiles/" + profileId + "/push-tokens", null, server(A.secretKey()));
        assertThat(ofProfile.status()).as(ofProfile.toString()).isEqualTo(200);
        assertThat(ids(ofProfile.json().get("data"))).containsExactly(id);
        Res filtered = K.send("GET", "/api/push-tokens?filter=equals(profile.id,%22" + profileId + "%22)", null,
                server(A.secretKey()));
        assertThat(filtered.status()).as(filtered.toString()).isEqualTo(200);
        assertThat(ids(filtered.json().get("data"))).containsExactly(id);

        // a sparse fieldset leaves out attributes the schema marks required: not validated against it
        Res sparse = F.request("GET", "/api/push-tokens/" + id + "?fields[push-token]=token", null,
                server(A.secretKey()));
        assertThat(sparse.status()).isEqualTo(200);
        assertThat(sparse.json().at("/data/attributes").size()).isEqualTo(1);

        assertThat(K.send("DELETE", "/api/push-tokens/" + id, null, server(A.secretKey())).status()).isEqualTo(204);
        assertThat(F.count("SELECT count(*) FROM devices WHERE token = ?", token)).isZero();
        assertThat(K.send("GET", "/api/push-tokens/" + id, null, server(A.secretKey())).status()).isEqualTo(404);
        assertThat(K.send("DELETE", "/api/push-tokens/" + id, null, server(A.secretKey())).status()).isEqualTo(404);
    }

    @Test
    void clientAndServerEndpointsWriteTheSameDevice() {
        String token = uniq("same");
        String email = uniq("c") + "@example.com";
        Res c = K.send("POST", "/client/push-tokens?company_id=" + A.publicId(), body(token, "ios", email), client());
        assertThat(c.status()).as(c.toString()).isEqualTo(202);
        Res s = K.send("POST", "/api/push-tokens", body(token, "ios", email).replace("AUTHORIZED", "DENIED"),
                server(A.secretKey()));
        assertThat(s.status()).as(s.toString()).isEqualTo(202);
        assertThat(F.count("SELECT count(*) FROM devices WHERE token = ?", token)).isEqualTo(1);
        Res got = K.send("GET", "/api/push-tokens/" + idOf(A, token), null, server(A.secretKey()));
        assertThat(got.json().at("/data/attributes/enablement_status").asText()).isEqualTo("DENIED");
    }

    @Test
    void listPagesByCursor() {
        TestCompany c = F.createCompany("PushPaging");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String token = uniq("pg" + i);
            assertThat(create(c, token, uniq("pg") + "@example.com").status()).isEqualTo(202);
            made.add(idOf(c, token));
        }
        List<String> seen = new ArrayList<>();
        String next = "/api/push-tokens?page[size]=2";
        int pages = 0;
        while (next != null) {
            Res r = K.send("GET", next, null, server(c.secretKey()));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            seen.addAll(ids(r.json().get("data")));
            pages++;
            String n = r.json().at("/links/next").asText(null);
            next = n == null ? null : n.substring(F.baseUrl().length());
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(made).doesNotHaveDuplicates();
        Res android = K.send("GET", "/api/push-tokens?filter=equals(platform,%22android%22)", null,
                server(c.secretKey()));
        assertThat(android.json().get("data")).isEmpty();
        Res badSize = K.sendInvalid("GET", "/api/push-tokens?page[size]=101", null, server(c.secretKey()));
        assertThat(badSize.status()).isEqualTo(400);
        assertThat(badSize.json().at("/errors/0/source/parameter").asText()).isEqualTo("page[size]");
        Res badFilter = K.sendInvalid("GET", "/api/push-tokens?filter=equals(token,%22x%22)", null,
                server(c.secretKey()));
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.json().at("/errors/0/source/parameter").asText()).isEqualTo("filter");
        // a sealed cursor of another list (profiles) does not open here
        String profilesNext = K.send("GET", "/api/profiles?page[size]=1", null, server(c.secretKey())).json()
                .at("/links/next").asText();
        assertThat(profilesNext).contains("page");
        Res foreign = K.sendInvalid("GET", "/api/push-tokens?page[cursor]="
                + java.net.URLEncoder.encode(profilesNext, java.nio.charset.StandardCharsets.UTF_8), null,
                server(c.secretKey()));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.json().at("/errors/0/source/parameter").asText()).isEqualTo("page[cursor]");
        Res badCursor = K.sendInvalid("GET", "/api/push-tokens?page[cursor]=%25%25", null, server(c.secretKey()));
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.json().at("/errors/0/source/parameter").asText()).isEqualTo("page[cursor]");
    }

    @Test
    void anotherCompanysTokenIsNotFound() {
        String token = uniq("mine");
        assertThat(create(A, token, uniq("a") + "@example.com").status()).isEqualTo(202);
        String id = idOf(A, token);
        String profileId = K.send("GET", "/api/push-tokens/" + id, null, server(A.secretKey())).json()
                .at("/data/relationships/profile/data/id").asText();
        assertThat(K.send("GET", "/api/push-tokens/" + id, null, server(B.secretKey())).status()).isEqualTo(404);
        assertThat(K.send("DELETE", "/api/push-tokens/" + id, null, server(B.secretKey())).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/profiles/" + profileId + "/push-tokens", null, server(B.secretKey())).status())
                .isEqualTo(404);
        Res list = K.send("GET", "/api/push-tokens?filter=equals(id,%22" + id + "%22)", null, server(B.secretKey()));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("data")).isEmpty();
        assertThat(F.count("SELECT count(*) FROM devices WHERE token = ?", token)).isEqualTo(1);
    }

    @Test
    void publicKeyIsRefused() {
        String token = uniq("pub");
        Res post = K.sendInvalid("POST", "/api/push-tokens", body(token, "ios", uniq("k") + "@example.com"),
                server(A.publicKey()));
        assertThat(post.status()).isEqualTo(403);
        assertThat(F.count("SELECT count(*) FROM devices WHERE token = ?", token)).isZero();
        assertThat(K.sendInvalid("GET", "/api/push-tokens", null, server(A.publicKey())).status()).isEqualTo(403);
        assertThat(K.sendInvalid("GET", "/api/push-tokens", null, Map.of("revision", "2024-10-15")).status())
                .isEqualTo(401);
    }

    @Test
    void badInputNamesTheField() {
        String email = uniq("bad") + "@example.com";
        Res noToken = K.sendInvalid("POST", "/api/push-tokens", body("x", "ios", email).replace("\"token\":\"x\",", ""),
                server(A.secretKey()));
        assertThat(noToken.status()).as(noToken.toString()).isEqualTo(400);
        assertThat(noToken.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/token");
        String token = uniq("plat");
        Res badPlatform = K.sendInvalid("POST", "/api/push-tokens", body(token, "windows", email),
                server(A.secretKey()));
        assertThat(badPlatform.status()).as(badPlatform.toString()).isEqualTo(400);
        assertThat(badPlatform.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/platform");
        Res noProfile = K.sendInvalid("POST", "/api/push-tokens", """
                {"data":{"type":"push-token","attributes":{"token":"%s","platform":"ios","vendor":"apns"}}}"""
                .formatted(token), server(A.secretKey()));
        assertThat(noProfile.status()).isEqualTo(400);
        assertThat(noProfile.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/profile");
        assertThat(F.count("SELECT count(*) FROM devices WHERE token = ?", token)).isZero();
        Res badFields = K.sendInvalid("GET", "/api/push-tokens?fields[push-token]=nope", null, server(A.secretKey()));
        assertThat(badFields.status()).isEqualTo(400);
        assertThat(badFields.json().at("/errors/0/source/parameter").asText()).isEqualTo("fields[push-token]");
    }
}
