package io.switchboard.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.core.tenancy.Keys;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class AdminApiIntegrationTest {
    static final AppFixture F = new AppFixture();
    static final io.dropwizard.testing.junit5.DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String JSONAPI = "application/vnd.api+json";

    static Map<String, String> auth(String token) {
        return Map.of("Authorization", "Bearer " + token, "Content-Type", JSONAPI);
    }

    @Nested
    class CreateCompany {
        @Test
        void adminTokenCreatesCompanyWithKeysShownOnce() {
            Res r = F.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"Acme\"}}}",
                    auth(AppFixture.ADMIN_TOKEN));
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("Content-Type")).startsWith(JSONAPI);
            JsonNode j = r.json();
            assertThat(j.at("/data/type").asText()).isEqualTo("company");
            assertThat(j.at("/data/id").asText()).matches("[A-Za-z0-9]{6}");
            assertThat(j.at("/data/attributes/name").asText()).isEqualTo("Acme");
            assertThat(j.at("/meta/public_key").asText()).matches("pk_[A-Za-z0-9]{32}");
            assertThat(j.at("/meta/secret_key").asText()).matches("sk_[A-Za-z0-9]{32}");
            // the company can be read with its own secret key
            String id = j.at("/data/id").asText();
            Res g = F.get("/admin/companies/" + id, auth(j.at("/meta/secret_key").asText()));
            assertThat(g.status()).isEqualTo(200);
            assertThat(g.json().at("/data/attributes/name").asText()).isEqualTo("Acme");
        }

        @Test
        void wrongAdminTokenIs401InJsonApiShape() {
            Res r = F.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"X\"}}}",
                    auth("not-the-token"));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("not_authenticated");
            assertThat(r.json().at("/errors/0/status").asInt()).isEqualTo(401);
        }

        @Test
        void secretKeyCannotCreateCompanies() {
            TestCompany c = F.createCompany("Keyholder");
            Res r = F.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"X\"}}}",
                    auth(c.secretKey()));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("permission_denied");
        }

        @Test
        void missingNameIs400NamingTheField() {
            long before = F.count("SELECT count(*) FROM companies");
            Res r = F.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{}}}",
                    auth(AppFixture.ADMIN_TOKEN));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/name");
            assertThat(F.count("SELECT count(*) FROM companies")).isEqualTo(before);
        }

        @Test
        void wrongTypeIs409AndMalformedJsonIs400() {
            Res wrongType = F.post("/admin/companies", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"name\":\"X\"}}}",
                    auth(AppFixture.ADMIN_TOKEN));
            assertThat(wrongType.status()).isEqualTo(409);
            assertThat(wrongType.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/type");
            Res malformed = F.post("/admin/companies", "{\"data\":", auth(AppFixture.ADMIN_TOKEN));
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.json().at("/errors/0/code").asText()).isEqualTo("invalid");
        }

        @Test
        void wrongContentTypeIs415() {
            Res r = F.post("/admin/companies", "name=x",
                    Map.of("Authorization", "Bearer " + AppFixture.ADMIN_TOKEN, "Content-Type", "text/plain"));
            assertThat(r.status()).isEqualTo(415);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("unsupported_media_type");
        }
    }

    @Nested
    class Keys_ {
        @Test
        void mintListUseAndRevoke() {
            TestCompany c = F.createCompany("Minty");
            Res minted = F.post("/admin/companies/" + c.publicId() + "/keys",
                    "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"secret\",\"name\":\"ops\"}}}",
                    auth(c.secretKey()));
            assertThat(minted.status()).isEqualTo(201);
            String newKey = minted.json().at("/data/attributes/key").asText();
            String keyId = minted.json().at("/data/id").asText();
            assertThat(newKey).startsWith("sk_");

            Res list = F.get("/admin/companies/" + c.publicId() + "/keys", auth(newKey));
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.json().at("/data")).hasSize(3);
            assertThat(list.body()).doesNotContain(newKey).doesNotContain(c.secretKey()).doesNotContain(c.publicKey());
            assertThat(list.json().at("/data/0/attributes/prefix").asText()).hasSize(8);

            Res del = F.request("DELETE", "/admin/companies/" + c.publicId() + "/keys/" + keyId, null, auth(c.secretKey()));
            assertThat(del.status()).isEqualTo(204);
            // revocation is immediate
            Res after = F.get("/admin/companies/" + c.publicId(), auth(newKey));
            assertThat(after.status()).isEqualTo(401);
            // the other keys still work
            assertThat(F.get("/admin/companies/" + c.publicId(), auth(c.secretKey())).status()).isEqualTo(200);
        }

        @Test
        void adminTokenCannotMintKeysOrChangeSettingsOfExistingCompanies() {
            // issue 11 finding 10: the first keys come with POST /admin/companies; nothing later
            TestCompany c = F.createCompany("Boot");
            Res minted = F.post("/admin/companies/" + c.publicId() + "/keys",
                    "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"public\",\"name\":\"web\"}}}",
                    auth(AppFixture.ADMIN_TOKEN));
            assertThat(minted.status()).isEqualTo(403);
            Res patch = F.request("PATCH", "/admin/companies/" + c.publicId(),
                    "{\"data\":{\"type\":\"company\",\"id\":\"" + c.publicId() + "\",\"attributes\":{\"settings\":{\"default_region\":\"GB\"}}}}",
                    auth(AppFixture.ADMIN_TOKEN));
            assertThat(patch.status()).isEqualTo(403);
        }

        @Test
        void badKindIs400() {
            TestCompany c = F.createCompany("Kind");
            Res r = F.post("/admin/companies/" + c.publicId() + "/keys",
                    "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"root\"}}}", auth(c.secretKey()));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/kind");
        }

        @Test
        void keysAreStoredOnlyAsHashes() {
            TestCompany c = F.createCompany("Hashy");
            List<Map<String, Object>> rows = F.db().withHandle(h -> h.createQuery(
                    "SELECT k.*, encode(k.key_hash, 'hex') AS hex FROM api_keys k JOIN companies c ON c.id = k.company_id "
                            + "WHERE c.public_id = :p").bind("p", c.publicId()).mapToMap().list());
            assertThat(rows).hasSize(2);
            String everything = rows.toString();
            assertThat(everything).doesNotContain(c.secretKey()).doesNotContain(c.publicKey())
                    .doesNotContain(c.secretKey().substring(3)).doesNotContain(c.publicKey().substring(3));
            assertThat(rows).extracting(r -> r.get("hex")).contains(
                    HexFormat.of().formatHex(Keys.hash(c.secretKey())), HexFormat.of().formatHex(Keys.hash(c.publicKey())));
        }

        @Test
        void unknownMalformedAndRevokedKeysGetTheSame401() {
            TestCompany c = F.createCompany("Same401");
            Res minted = F.post("/admin/companies/" + c.publicId() + "/keys",
                    "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"secret\"}}}", auth(c.secretKey()));
            String revoked = minted.json().at("/data/attributes/key").asText();
            F.request("DELETE", "/admin/companies/" + c.publicId() + "/keys/" + minted.json().at("/data/id").asText(),
                    null, auth(c.secretKey()));
            String unknown = "sk_" + "A".repeat(32);
            String malformed = "sk_short";
            List<Res> answers = List.of(
                    F.get("/admin/companies/" + c.publicId(), auth(unknown)),
                    F.get("/admin/companies/" + c.publicId(), auth(malformed)),
                    F.get("/admin/companies/" + c.publicId(), auth(revoked)),
                    F.get("/admin/companies/" + c.publicId(), Map.of()));
            for (Res r : answers) {
                assertThat(r.status()).isEqualTo(401);
                JsonNode e = r.json().at("/errors/0");
                assertThat(e.get("code").asText()).isEqualTo("not_authenticated");
                assertThat(e.get("detail").asText()).isEqualTo(answers.get(0).json().at("/errors/0/detail").asText());
            }
        }
    }

    @Nested
    class CrossTenant {
        @Test
        void keyOfCompanyAIsRefusedOnCompanyB() {
            TestCompany a = F.createCompany("A");
            TestCompany b = F.createCompany("B");
            Res get = F.get("/admin/companies/" + b.publicId(), auth(a.secretKey()));
            Res missing = F.get("/admin/companies/ZZZZZ9", auth(a.secretKey()));
            assertThat(get.status()).isEqualTo(404);
            assertThat(missing.status()).isEqualTo(404);
            // the same answer as a company that does not exist: no existence oracle
            assertThat(get.json().at("/errors/0/code")).isEqualTo(missing.json().at("/errors/0/code"));
            Res keys = F.get("/admin/companies/" + b.publicId() + "/keys", auth(a.secretKey()));
            assertThat(keys.status()).isEqualTo(404);
            Res mint = F.post("/admin/companies/" + b.publicId() + "/keys",
                    "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"secret\"}}}", auth(a.secretKey()));
            assertThat(mint.status()).isEqualTo(404);
            long bKeys = F.count("SELECT count(*) FROM api_keys WHERE company_id = ?", F.companyId(b.publicId()));
            assertThat(bKeys).isEqualTo(2);
            Res revoke = F.request("DELETE", "/admin/companies/" + b.publicId() + "/keys/1", null, auth(a.secretKey()));
            assertThat(revoke.status()).isEqualTo(404);
        }

        @Test
        void publicKeyOnAdminApiIs403() {
            TestCompany a = F.createCompany("Pub");
            Res r = F.get("/admin/companies/" + a.publicId(), auth(a.publicKey()));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("permission_denied");
        }
    }

    @Test
    void unknownRouteIs404InJsonApiShape() {
        Res r = F.get("/admin/nothing-here", auth(AppFixture.ADMIN_TOKEN));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("not_found");
    }
}
