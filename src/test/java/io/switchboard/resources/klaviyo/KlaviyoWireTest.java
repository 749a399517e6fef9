package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.client;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.AppFixture.Res;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wire rules shared by every Klaviyo endpoint: revision header, media types, trailing slashes, credentials. */
class KlaviyoWireTest extends KlaviyoTestBase {

    static String body() {
        return "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"" + uniq("w") + "@example.com\"}}}";
    }

    @Test
    void missingRevisionIs400NamingTheHeaderOnServerAndClientEndpoints() {
        long before = profiles();
        Res s = K.sendInvalid("POST", "/api/profiles", body(), with(server(A.secretKey()), "revision", null));
        assertThat(s.status()).isEqualTo(400);
        assertThat(s.json().at("/errors/0/code").asText()).isEqualTo("invalid");
        assertThat(s.json().at("/errors/0/source/parameter").asText()).isEqualTo("revision");
        assertThat(s.json().at("/errors/0/detail").asText()).contains("YYYY-MM-DD");
        Res c = K.sendInvalid("POST", "/client/profiles?company_id=" + A.publicId(), body(),
                with(client(), "revision", null));
        assertThat(c.status()).isEqualTo(400);
        assertThat(c.json().at("/errors/0/source/parameter").asText()).isEqualTo("revision");
        Res g = K.sendInvalid("GET", "/api/profiles", null, with(server(A.secretKey()), "revision", null));
        assertThat(g.status()).isEqualTo(400);
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void malformedAndFutureRevisionsAre400() {
        for (String rev : new String[] {"2024-1-15", "yesterday", "2026-07-16", "2030-01-15.pre"}) {
            Res r = K.sendInvalid("GET", "/api/profiles", null, with(server(A.secretKey()), "revision", rev));
            assertThat(r.status()).as(rev).isEqualTo(400);
            assertThat(r.json().at("/errors/0/source/parameter").asText()).isEqualTo("revision");
        }
    }

    @Test
    void revisionIsEchoedAsTheOneThatServedTheRequest() {
        Res exact = K.send("GET", "/api/profiles", null, server(A.secretKey()));
        assertThat(exact.header("revision")).isEqualTo("2026-07-15");
        Res between = K.send("GET", "/api/profiles", null, with(server(A.secretKey()), "revision", "2025-12-01"));
        assertThat(between.status()).isEqualTo(200);
        assertThat(between.header("revision")).isEqualTo("2025-10-15");
        Res pre = K.send("GET", "/api/profiles", null, with(server(A.secretKey()), "revision", "2026-07-15.pre"));
        assertThat(pre.status()).isEqualTo(200);
        assertThat(pre.header("revision")).isEqualTo("2026-07-15.pre");
        Res client = K.send("POST", "/client/profiles?company_id=" + A.publicId(), body(), client());
        assertThat(client.status()).isEqualTo(202);
        assertThat(client.header("revision")).isEqualTo("2026-07-15");
    }

    @Test
    void retiredRevisionFallsForwardOr410WhenOptedOut() {
        Res forward = K.send("POST", "/client/profiles/?company_id=" + A.publicId(), body(),
                with(client(), "revision", "2022-10-17"));
        assertThat(forward.status()).isEqualTo(202);
        assertThat(forward.header("revision")).isEqualTo("2023-02-22");
        long before = profiles();
        Res gone = K.sendInvalid("POST", "/client/profiles/?company_id=" + A.publicId(), body(),
                with(with(client(), "revision", "2022-10-17"), "X-Klaviyo-Revision-Fall-Forward-Opt-Out", "1"));
        assertThat(gone.status()).isEqualTo(410);
        assertThat(gone.json().at("/errors/0/source/parameter").asText()).isEqualTo("revision");
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void jsonAndJsonApiContentTypesAreAcceptedOthersAre415() {
        Res json = K.send("POST", "/api/profiles", body(), with(server(A.secretKey()), "Content-Type",
                "application/json"));
        assertThat(json.status()).isEqualTo(201);
        assertThat(json.header("Content-Type")).startsWith("application/vnd.api+json");
        Res charset = K.send("POST", "/api/profiles", body(), with(server(A.secretKey()), "Content-Type",
                "application/json; charset=utf-8"));
        assertThat(charset.status()).isEqualTo(201);
        Res acceptJson = K.send("GET", "/api/profiles", null, with(server(A.secretKey()), "Accept", "application/json"));
        assertThat(acceptJson.status()).isEqualTo(200);
        assertThat(acceptJson.header("Content-Type")).startsWith("application/vnd.api+json");
        long before = profiles();
        Res text = K.sendInvalid("POST", "/api/profiles", body(), with(server(A.secretKey()), "Content-Type",
                "text/plain"));
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.json().at("/errors/0/code").asText()).isEqualTo("unsupported_media_type");
        Res form = K.sendInvalid("POST", "/client/profiles?company_id=" + A.publicId(), body(),
                with(client(), "Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.status()).isEqualTo(415);
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void everyPathWorksWithAndWithoutATrailingSlash() {
        Map<String, String> h = server(A.secretKey());
        Res created = K.send("POST", "/api/profiles/", body(), h);
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().at("/data/id").asText();
        assertThat(K.send("GET", "/api/profiles/", null, h).status()).isEqualTo(200);
        assertThat(K.send("GET", "/api/profiles/" + id + "/", null, h).status()).isEqualTo(200);
        assertThat(K.send("PATCH", "/api/profiles/" + id + "/", "{\"data\":{\"type\":\"profile\",\"id\":\"" + id
                + "\",\"attributes\":{\"first_name\":\"T\"}}}", h).status()).isEqualTo(200);
        assertThat(K.send("POST", "/api/profile-import/", body(), h).status()).isEqualTo(201);
        String other = K.send("POST", "/api/profiles", body(), h).json().at("/data/id").asText();
        assertThat(K.send("POST", "/api/profile-merge/", "{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + id
                + "\",\"relationships\":{\"profiles\":{\"data\":[{\"type\":\"profile\",\"id\":\"" + other + "\"}]}}}}", h)
                .status()).isEqualTo(201);
        assertThat(K.send("POST", "/api/data-privacy-deletion-jobs/", "{\"data\":{\"type\":\"data-privacy-deletion-job\","
                + "\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\",\"id\":\"" + id + "\",\"attributes\":{}}}}}}", h).status())
                .isEqualTo(202);
        assertThat(K.send("POST", "/client/profiles/?company_id=" + A.publicId(), body(), client()).status())
                .isEqualTo(202);
    }

    @Test
    void publicKeyIs403BadKeyIs401OnEveryServerEndpoint() {
        Map<String, String> pk = server(A.publicKey());
        long before = profiles();
        String[][] calls = {{"POST", "/api/profiles"}, {"GET", "/api/profiles"}, {"GET", "/api/profiles/01ARZ3NDEKTSV4RRFFQ69G5FAV"},
                {"PATCH", "/api/profiles/01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"POST", "/api/profile-import"},
                {"POST", "/api/profile-merge"}, {"POST", "/api/data-privacy-deletion-jobs"},
                // @RolesAllowed(ROLE_SECRET) (events) and the profile resources' own check say the same thing
                {"GET", "/api/events"}, {"POST", "/api/events"}};
        for (String[] c : calls) {
            String b = c[0].equals("GET") ? null : body();
            Res r = K.sendInvalid(c[0], c[1], b, pk);
            assertThat(r.status()).as(c[1]).isEqualTo(403);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("permission_denied");
            assertThat(r.json().at("/errors/0/detail").asText()).as(c[1])
                    .startsWith("This endpoint needs a private (secret) API key");
            Res bad = K.sendInvalid(c[0], c[1], b, server("sk_" + "x".repeat(32)));
            assertThat(bad.status()).as(c[1]).isEqualTo(401);
            assertThat(bad.json().at("/errors/0/code").asText()).isEqualTo("not_authenticated");
            Res none = K.sendInvalid(c[0], c[1], b, with(server(A.secretKey()), "Authorization", null));
            assertThat(none.status()).as(c[1]).isEqualTo(401);
        }
        // Bearer works too (OAuth-style header)
        assertThat(K.send("GET", "/api/profiles", null, with(server(A.secretKey()), "Authorization",
                "Bearer " + A.secretKey())).status()).isEqualTo(200);
        assertThat(profiles()).isEqualTo(before);
    }

    @Test
    void unknownOrMissingCompanyIdIs400NamingTheParameter() {
        long before = F.count("SELECT count(*) FROM profiles");
        Res unknown = K.sendInvalid("POST", "/client/profiles?company_id=ZZZZZZ", body(), client());
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().at("/errors/0/source/parameter").asText()).isEqualTo("company_id");
        Res missing = K.sendInvalid("POST", "/client/profiles", body(), client());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().at("/errors/0/source/parameter").asText()).isEqualTo("company_id");
        // a secret key is no substitute for company_id on /client/*
        Res keyed = K.sendInvalid("POST", "/client/profiles", body(), server(A.secretKey()));
        assertThat(keyed.status()).isEqualTo(400);
        assertThat(F.count("SELECT count(*) FROM profiles")).isEqualTo(before);
    }
}
