package io.switchboard.delivery;

import static io.switchboard.testing.DeliveryKit.admin;
import static io.switchboard.testing.DeliveryKit.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.DeliveryKit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin API of providers, campaigns, templates, preview and sends. */
@ExtendWith(DropwizardExtensionsSupport.class)
class CampaignAdminIntegrationTest {
    static final AppFixture F = new AppFixture(io.dropwizard.testing.ConfigOverride.config("delivery.workers", "0"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);

    static String doc(String type, Object attributes) {
        return json(Map.of("data", Map.of("type", type, "attributes", attributes)));
    }

    @Test
    void providerSecretsAreNeverReturned() {
        TestCompany c = F.createCompany("Secrets");
        String base = "/admin/companies/" + c.publicId() + "/providers";
        Res created = F.post(base, doc("provider", Map.of("type", "twilio", "name", "sms",
                "config", Map.of("account_sid", "AC123", "auth_token", "tok-SECRET-1", "from", "+15005550006"),
                "rate_limit", 5, "rate_interval", "second")), admin(c.secretKey()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("tok-SECRET-1");
        assertThat(created.json().at("/data/attributes/config/auth_token").asText()).isEqualTo("********");
        assertThat(created.json().at("/data/attributes/config/account_sid").asText()).isEqualTo("AC123");
        assertThat(created.json().at("/data/attributes/rate_limit").asInt()).isEqualTo(5);
        String id = created.json().at("/data/id").asText();

        Res webhook = F.post(base, doc("provider", Map.of("type", "webhook", "name", "hook",
                "config", Map.of("url", "https://example.com/hook", "headers", Map.of("Authorization", "Bearer HOOK-SECRET")))),
                admin(c.secretKey()));
        assertThat(webhook.status()).isEqualTo(201);
        Res list = F.get(base, admin(c.secretKey()));
        assertThat(list.json().get("data")).hasSize(2);
        assertThat(list.body()).doesNotContain("tok-SECRET-1").doesNotContain("HOOK-SECRET");

        // sending back what was read keeps the secret; a new name is applied
        Res patched = F.request("PATCH", base + "/" + id, doc("provider", Map.of("name", "renamed",
                "config", Map.of("auth_token", "********", "from", "+15005550007"))), admin(c.secretKey()));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().at("/data/attributes/name").asText()).isEqualTo("renamed");
        String stored = F.db().withHandle(h -> h.createQuery("SELECT config->>'auth_token' FROM providers WHERE id = :id")
                .bind("id", id).mapTo(String.class).one());
        assertThat(stored).isEqualTo("tok-SECRET-1");
    }

    /** Issue #11 finding 8: a kept (masked or omitted) secret cannot follow a provider to a new destination. */
    @Test
    void retargetingAProviderNeedsItsSecretsAgain() {
        TestCompany c = F.createCompany("Retarget");
        String base = "/admin/companies/" + c.publicId() + "/providers";
        String smtp = K.provider(c, "smtp", Map.of("host", "smtp.example.com", "port", 587, "username", "u",
                "password", "SMTP-SECRET", "from", "a@example.com"));
        String twilio = K.provider(c, "twilio", Map.of("account_sid", "AC1", "auth_token", "TW-SECRET", "from", "+15005550006"));
        String hook = K.provider(c, "webhook", Map.of("url", "https://example.com/hook",
                "headers", Map.of("Authorization", "Bearer HOOK-SECRET")));
        record Case(String id, Map<String, Object> config, String pointer) {}
        for (Case k : new Case[] {
                new Case(smtp, Map.of("host", "evil.example.net", "password", "********"), "/data/attributes/config/password"),
                new Case(smtp, Map.of("port", 2525), "/data/attributes/config/password"),
                new Case(smtp, Map.of("tls", "none", "password", "********"), "/data/attributes/config/password"),
                new Case(twilio, Map.of("base_url", "https://evil.example.net", "auth_token", "********"),
                        "/data/attributes/config/auth_token"),
                new Case(hook, Map.of("url", "https://evil.example.net/x"), "/data/attributes/config/headers/Authorization"),
                new Case(hook, Map.of("url", "https://evil.example.net/x", "headers", Map.of("Authorization", "********")),
                        "/data/attributes/config/headers/Authorization")}) {
            Res r = F.request("PATCH", base + "/" + k.id(), doc("provider", Map.of("config", k.config())), admin(c.secretKey()));
            assertThat(r.status()).as(k + " " + r).isEqualTo(422);
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(k.toString()).isEqualTo(k.pointer());
        }
        assertThat(F.get(base + "/" + smtp, admin(c.secretKey())).json().at("/data/attributes/config/host").asText())
                .isEqualTo("smtp.example.com");
        // with the secret given again the move is allowed; a change that keeps the destination keeps the mask working
        Res moved = F.request("PATCH", base + "/" + smtp, doc("provider", Map.of("config",
                Map.of("host", "smtp2.example.com", "password", "NEW-SECRET"))), admin(c.secretKey()));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        Res renamed = F.request("PATCH", base + "/" + smtp, doc("provider", Map.of("name", "n", "config",
                Map.of("from", "b@example.com", "password", "********", "host", "smtp2.example.com"))), admin(c.secretKey()));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        Res dropped = F.request("PATCH", base + "/" + hook, doc("provider", Map.of("config",
                Map.of("url", "https://other.example.com/x", "headers", Map.of()))), admin(c.secretKey()));
        assertThat(dropped.status()).as(dropped.toString()).isEqualTo(200);
    }

    /**
     * Issue #11 finding 15: ids of providers, campaigns, sends and keys are opaque (ULIDs), so a tenant
     * cannot count what other tenants create between two of its own creations.
     */
    @Test
    void idsAreOpaqueNotCountsAcrossTenants() {
        java.util.regex.Pattern ulid = java.util.regex.Pattern.compile("[0-9A-HJKMNP-TV-Z]{26}");
        TestCompany a = F.createCompany("CountA");
        TestCompany b = F.createCompany("CountB");
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (TestCompany c : new TestCompany[] {a, b, a}) {
            String provider = K.provider(c, "log", Map.of());
            String campaign = K.campaign(c, "webhook", provider, Map.of("body", "{}"));
            Res minted = F.post("/admin/companies/" + c.publicId() + "/keys",
                    "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"public\",\"name\":\"k\"}}}",
                    admin(c.secretKey()));
            assertThat(minted.status()).as(minted.toString()).isEqualTo(201);
            ids.add(provider);
            ids.add(campaign);
            ids.add(minted.json().at("/data/id").asText());
            F.db().useHandle(h -> h.execute("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel) "
                    + "VALUES (?, ?, ?, 'p', 'webhook')", F.companyId(c.publicId()), io.switchboard.db.Ids.newId(), campaign));
            ids.add(K.sends(c, campaign).at("/0/id").asText());
        }
        for (String id : ids) {
            assertThat(id).as("an opaque id, not a number").matches(ulid);
        }
        assertThat(new java.util.HashSet<>(ids)).hasSize(ids.size());
        // the old numeric form of an id is simply not found (and never a 500)
        assertThat(F.get("/admin/companies/" + a.publicId() + "/campaigns/1", admin(a.secretKey())).status()).isEqualTo(404);
        assertThat(F.get("/admin/companies/" + a.publicId() + "/campaigns/" + "x".repeat(300), admin(a.secretKey())).status())
                .isEqualTo(404);
        // another company's id is not found either
        assertThat(F.get("/admin/companies/" + b.publicId() + "/campaigns/" + ids.get(1), admin(b.secretKey())).status())
                .isEqualTo(404);
    }

    @Test
    void providerValidationNamesTheField() {
        TestCompany c = F.createCompany("ProvVal");
        String base = "/admin/companies/" + c.publicId() + "/providers";
        Res badType = F.post(base, doc("provider", Map.of("type", "pigeon", "name", "x")), admin(c.secretKey()));
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/type");
        Res missing = F.post(base, doc("provider", Map.of("type", "smtp", "name", "x", "config", Map.of("port", 25))),
                admin(c.secretKey()));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/config/host");
        Res unknown = F.post(base, doc("provider", Map.of("type", "log", "name", "x", "config", Map.of("colour", "red"))),
                admin(c.secretKey()));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/config/colour");
        assertThat(F.count("SELECT count(*) FROM providers WHERE company_id = ?", F.companyId(c.publicId()))).isZero();
    }

    @Test
    void templateThatDoesNotCompileIs422NamingFieldAndLine() {
        TestCompany c = F.createCompany("Tpl");
        String pid = K.provider(c, "log", Map.of());
        Res r = F.post("/admin/companies/" + c.publicId() + "/campaigns", doc("campaign", Map.of(
                "name", "broken", "channel", "email", "provider_id", pid,
                "templates", Map.of("en", Map.of("subject", "Hi", "html", "<p>line one</p>\n<p>{{#if user.vip}}VIP</p>")))),
                admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        JsonNode e = r.json().at("/errors/0");
        assertThat(e.at("/source/pointer").asText()).isEqualTo("/data/attributes/templates/en/html");
        assertThat(e.get("detail").asText()).contains("templates.en.html").contains("line 2");
        assertThat(e.at("/meta/line").asInt()).isEqualTo(2);
        assertThat(F.count("SELECT count(*) FROM campaigns WHERE company_id = ?", F.companyId(c.publicId()))).isZero();
    }

    @Test
    void campaignCrudWithLocalesAndPreview() {
        TestCompany c = F.createCompany("Crud");
        String pid = K.provider(c, "log", Map.of());
        String base = "/admin/companies/" + c.publicId() + "/campaigns";
        Res created = F.post(base, doc("campaign", Map.of("name", "Welcome", "channel", "email", "provider_id", pid,
                "templates", Map.of("en", Map.of("from", "Acme <hi@acme.test>", "subject", "Hello {{user.first_name}}",
                        "html", "<b>{{event.plan}}</b> {{user.note}}", "text", "Plan {{event.plan}}")))), admin(c.secretKey()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().at("/data/id").asText();
        assertThat(created.json().at("/data/attributes/state").asText()).isEqualTo("draft");

        Res patched = F.request("PATCH", base + "/" + id, doc("campaign", Map.of("state", "active",
                "templates", Map.of("fr", Map.of("subject", "Bonjour {{user.first_name}}", "text", "Salut")))),
                admin(c.secretKey()));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().at("/data/attributes/templates/en/subject").asText()).isEqualTo("Hello {{user.first_name}}");
        assertThat(patched.json().at("/data/attributes/templates/fr/subject").asText()).isEqualTo("Bonjour {{user.first_name}}");

        Res preview = F.post(base + "/" + id + "/preview", doc("campaign-preview", Map.of("locale", "fr-CA",
                "user", Map.of("first_name", "Zoé"), "event", Map.of("plan", "pro"))), admin(c.secretKey()));
        assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
        assertThat(preview.json().at("/data/attributes/locale").asText()).isEqualTo("fr");
        assertThat(preview.json().at("/data/attributes/rendered/subject").asText()).isEqualTo("Bonjour Zoé");

        Res previewEn = F.post(base + "/" + id + "/preview", doc("campaign-preview", Map.of(
                "user", Map.of("first_name", "Ann", "note", "<script>"), "event", Map.of("plan", "pro"))), admin(c.secretKey()));
        assertThat(previewEn.json().at("/data/attributes/rendered/subject").asText()).isEqualTo("Hello Ann");
        assertThat(previewEn.json().at("/data/attributes/rendered/html").asText()).isEqualTo("<b>pro</b> &lt;script&gt;");
        assertThat(previewEn.json().at("/data/attributes/rendered/text").asText()).isEqualTo("Plan pro");

        // wrong provider type for the channel
        String sms = K.provider(c, "twilio", Map.of("account_sid", "AC1", "auth_token", "t", "from", "+15005550006"));
        Res wrong = F.request("PATCH", base + "/" + id, doc("campaign", Map.of("provider_id", sms)), admin(c.secretKey()));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/provider_id");

        assertThat(F.get(base, admin(c.secretKey())).json().get("data")).hasSize(1);
        // a provider in use cannot be deleted
        Res delProvider = F.request("DELETE", "/admin/companies/" + c.publicId() + "/providers/" + pid, null, admin(c.secretKey()));
        assertThat(delProvider.status()).isEqualTo(409);
        assertThat(F.request("DELETE", base + "/" + id, null, admin(c.secretKey())).status()).isEqualTo(204);
        assertThat(F.get(base + "/" + id, admin(c.secretKey())).status()).isEqualTo(404);
    }

    @Test
    void activeCampaignNeedsProviderAndDefaultTemplate() {
        TestCompany c = F.createCompany("Act");
        Res r = F.post("/admin/companies/" + c.publicId() + "/campaigns", doc("campaign", Map.of("name", "x",
                "channel", "sms", "state", "active")), admin(c.secretKey()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/provider_id");
    }

    @Test
    void anotherCompanysCampaignsAndProvidersAre404AndPublicKeyIs403() {
        TestCompany a = F.createCompany("A");
        TestCompany b = F.createCompany("B");
        String pid = K.provider(b, "log", Map.of());
        String cid = K.campaign(b, "email", pid, Map.of("subject", "s", "text", "t"));
        assertThat(F.get("/admin/companies/" + b.publicId() + "/campaigns/" + cid, admin(a.secretKey())).status()).isEqualTo(404);
        assertThat(F.get("/admin/companies/" + a.publicId() + "/campaigns/" + cid, admin(a.secretKey())).status()).isEqualTo(404);
        assertThat(F.get("/admin/companies/" + a.publicId() + "/providers/" + pid, admin(a.secretKey())).status()).isEqualTo(404);
        assertThat(F.get("/admin/companies/" + a.publicId() + "/campaigns/" + cid + "/sends", admin(a.secretKey())).status())
                .isEqualTo(404);
        assertThat(F.get("/admin/companies/" + b.publicId() + "/campaigns", admin(b.publicKey())).status()).isEqualTo(403);
    }

    @Test
    void sendsAreListedWithStatesAndPaged() {
        TestCompany c = F.createCompany("Sends");
        String pid = K.provider(c, "log", Map.of());
        String cid = K.campaign(c, "email", pid, Map.of("subject", "s", "text", "t"));
        for (int i = 0; i < 3; i++) {
            Res t = K.trigger(c, cid, Map.of("user", Map.of("external_id", "u" + i, "email", "u" + i + "@example.com")));
            assertThat(t.status()).as(t.toString()).isEqualTo(204);
        }
        Res page = F.get("/admin/companies/" + c.publicId() + "/campaigns/" + cid + "/sends?page[size]=2", admin(c.secretKey()));
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(page.json().get("data")).hasSize(2);
        assertThat(page.json().at("/data/0/type").asText()).isEqualTo("send");
        assertThat(page.json().at("/data/0/attributes/state").asText()).isEqualTo("pending"); // no workers here
        assertThat(page.json().at("/data/0/attributes/address").asText()).isEqualTo("u2@example.com");
        String next = page.json().at("/links/next").asText();
        assertThat(next).contains("page%5Bcursor%5D=").as(next);
        Res rest = F.get(next.substring(next.indexOf("/admin/")), admin(c.secretKey()));
        assertThat(rest.json().get("data")).hasSize(1);
        Res filtered = F.get("/admin/companies/" + c.publicId() + "/campaigns/" + cid + "/sends?filter[state]=sent",
                admin(c.secretKey()));
        assertThat(filtered.json().get("data")).isEmpty();
    }

    @Test
    void previewRendersAStoredProfile() {
        TestCompany c = F.createCompany("PreviewProfile");
        String pid = K.provider(c, "log", Map.of());
        String cid = K.campaign(c, "email", pid, Map.of("subject", "Hi {{user.first_name}} ({{user.plan}}, {{user.email}})",
                "text", "{{event.x}}"));
        assertThat(K.trigger(c, cid, Map.of("user", Map.of("external_id", "pp-1", "email", "pp@example.com",
                "first_name", "Pat", "plan", "gold"))).status()).isEqualTo(204);
        String profileId = K.sends(c, cid).get(0).at("/attributes/profile_id").asText();
        Res r = F.post("/admin/companies/" + c.publicId() + "/campaigns/" + cid + "/preview", doc("campaign-preview",
                Map.of("profile_id", profileId, "event", Map.of("x", "evt"))), admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().at("/data/attributes/rendered/subject").asText()).isEqualTo("Hi Pat (gold, pp@example.com)");
        assertThat(r.json().at("/data/attributes/rendered/text").asText()).isEqualTo("evt");
        Res missing = F.post("/admin/companies/" + c.publicId() + "/campaigns/" + cid + "/preview", doc("campaign-preview",
                Map.of("profile_id", "01ARZ3NDEKTSV4RRFFQ69G5FAV")), admin(c.secretKey()));
        assertThat(missing.status()).isEqualTo(404);
    }
}
