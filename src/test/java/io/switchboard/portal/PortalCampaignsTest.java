package io.switchboard.portal;

import static io.switchboard.portal.PortalIntegrationTest.company;
import static io.switchboard.portal.PortalIntegrationTest.email;
import static io.switchboard.portal.PortalIntegrationTest.enc;
import static io.switchboard.portal.PortalIntegrationTest.invited;
import static io.switchboard.portal.PortalIntegrationTest.owner;
import static io.switchboard.portal.PortalIntegrationTest.profileWithEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.portal.PortalIntegrationTest.Browser;
import io.switchboard.portal.PortalIntegrationTest.Company;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.FakeSmtpServer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Campaign and provider pages over HTTP on real PostgreSQL, with a local SMTP server (docs/portal.md). */
@ExtendWith(DropwizardExtensionsSupport.class)
class PortalCampaignsTest {
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = PortalIntegrationTest.APP;

    static String idFrom(Res r) {
        String loc = r.headers().firstValue("Location").orElseThrow();
        return loc.substring(loc.lastIndexOf('/') + 1);
    }

    @Test
    void editorCreatesPreviewsAndTestSendsACampaignThroughSmtp() throws Exception {
        try (FakeSmtpServer smtp = new FakeSmtpServer()) {
            Company a = company("Campaigns A");
            Company b = company("Campaigns B");
            Browser owner = owner(a);
            Browser editor = invited(owner, a, "editor");
            Browser viewer = invited(owner, a, "viewer");
            Browser ownerB = owner(b);
            String base = "/portal/c/" + a.publicId();
            String profile = profileWithEvent(a.publicId(), email("reader"));

            // a provider: the secret is masked on every page
            assertThat(editor.get(base + "/providers").body()).contains("No providers yet");
            Res created = editor.post(base + "/providers", Map.of("type", "smtp", "name", "Local SMTP",
                    "config", "{\"host\":\"127.0.0.1\",\"port\":" + smtp.port() + ",\"tls\":\"none\",\"from\":\"news@acme.test\","
                            + "\"username\":\"u\",\"password\":\"hunter2-secret\"}"));
            assertThat(created.status()).as(created.body()).isEqualTo(303);
            String providerId = idFrom(created);
            Res providerPage = viewer.get(base + "/providers/" + providerId);
            assertThat(providerPage.body()).contains("********").doesNotContain("hunter2-secret");
            assertThat(viewer.get(base + "/providers").body()).doesNotContain("hunter2-secret");
            // re-targeting needs the secret again; the mask alone is refused, nothing changes
            editor.get(base + "/providers/" + providerId);
            Res retarget = editor.post(base + "/providers/" + providerId, Map.of("name", "Local SMTP",
                    "config", "{\"host\":\"198.51.100.7\",\"port\":" + smtp.port() + ",\"tls\":\"none\",\"from\":\"news@acme.test\","
                            + "\"username\":\"u\",\"password\":\"********\"}"));
            assertThat(retarget.status()).isEqualTo(422);
            assertThat(retarget.body()).contains("secrets must be given again");
            // keep the destination, drop the sign-in (the fake server takes none): saved, mask keeps nothing removed
            Res saved = editor.post(base + "/providers/" + providerId, Map.of("name", "Local SMTP",
                    "config", "{\"host\":\"127.0.0.1\",\"port\":" + smtp.port() + ",\"tls\":\"none\",\"from\":\"news@acme.test\"}"));
            assertThat(saved.status()).as(saved.body()).isEqualTo(200);
            assertThat(saved.body()).doesNotContain("username");
            Res check = editor.post(base + "/providers/" + providerId + "/test", Map.of());
            assertThat(check.body()).contains("Test connection: Connected to 127.0.0.1");
            // viewers read only
            assertThat(viewer.post(base + "/providers/" + providerId + "/test", Map.of()).status()).isEqualTo(403);
            assertThat(viewer.post(base + "/campaigns", Map.of("name", "x", "channel", "email")).status()).isEqualTo(403);

            // a campaign with a template, previewed against the profile before it is saved
            editor.get(base + "/campaigns");
            Res c = editor.post(base + "/campaigns", Map.of("name", "Welcome", "channel", "email",
                    "provider_id", providerId, "subscription", "transactional", "default_locale", "en"));
            assertThat(c.status()).as(c.body()).isEqualTo(303);
            String campaignId = idFrom(c);
            String cbase = base + "/campaigns/" + campaignId;
            editor.get(cbase);
            Res preview = editor.post(cbase + "/preview", Map.of("locale", "en", "t_subject", "Hi {{ user.email }}",
                    "t_text", "Welcome to {{ campaign.name }}", "preview_profile", profile));
            assertThat(preview.status()).as(preview.body()).isEqualTo(200);
            assertThat(preview.body()).contains("Hi reader-").contains("Welcome to Welcome");
            // the sandbox refuses what it refuses, as a message in the preview
            Res bad = editor.request(cbase + "/preview", Map.of("locale", "en", "t_subject", "{{#each}}", "HX", "1"));
            assertThat(bad.body()).contains("class=\"error\"");
            // save, then test-send as a draft: the send goes out through the local SMTP server
            Res save = editor.post(cbase, Map.of("locale", "en", "name", "Welcome", "provider_id", providerId,
                    "subscription", "transactional", "default_locale", "en",
                    "t_subject", "Hi {{ user.email }}", "t_text", "Welcome to {{ campaign.name }}"));
            assertThat(save.status()).as(save.body()).isEqualTo(303);
            editor.get(cbase);
            Res test = editor.post(cbase + "/test", Map.of("profile_id", profile, "address", "tester@example.com"));
            assertThat(test.status()).as(test.body()).isEqualTo(201);
            long deadline = System.currentTimeMillis() + 15_000;
            while (smtp.accepted.get() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertThat(smtp.accepted.get()).isEqualTo(1);
            deadline = System.currentTimeMillis() + 5_000;
            String sends = "";
            while (System.currentTimeMillis() < deadline) {
                sends = viewer.get(cbase).body();
                if (sends.contains("state-sent")) break;
                Thread.sleep(50);
            }
            assertThat(sends).contains("tester@example.com").contains("state-sent");
            assertThat(viewer.get(cbase + "?state=failed").body()).contains("No sends in state failed");
            // the profile page shows the send
            assertThat(viewer.get(base + "/profiles/" + profile).body()).contains("tester@example.com").contains("Welcome");
            // activate, archive; the viewer cannot
            assertThat(viewer.post(cbase + "/state", Map.of("state", "active")).status()).isEqualTo(403);
            assertThat(editor.post(cbase + "/state", Map.of("state", "active")).status()).isEqualTo(303);
            assertThat(viewer.get(base + "/campaigns").body()).contains("state-active");
            assertThat(editor.post(cbase + "/state", Map.of("state", "archived")).status()).isEqualTo(303);
            Res archivedTest = editor.post(cbase + "/test", Map.of("profile_id", profile));
            assertThat(archivedTest.status()).isEqualTo(422);

            // company B's owner reaches none of it
            ownerB.get("/portal/c/" + b.publicId() + "/campaigns");
            assertThat(ownerB.get("/portal/c/" + b.publicId() + "/campaigns/" + campaignId).status()).isEqualTo(404);
            assertThat(ownerB.get("/portal/c/" + b.publicId() + "/providers/" + providerId).status()).isEqualTo(404);
            assertThat(ownerB.post("/portal/c/" + b.publicId() + "/providers/" + providerId + "/test", Map.of()).status()).isEqualTo(404);
            assertThat(ownerB.post("/portal/c/" + b.publicId() + "/campaigns/" + campaignId + "/test",
                    Map.of("profile_id", profile)).status()).isEqualTo(404);
            assertThat(ownerB.get(base + "/campaigns").status()).isEqualTo(404);
        }
    }

    @Test
    void keysShowWhenTheyWereLastUsedWrittenAtMostOnceAMinute() throws Exception {
        Company a = company("Keys used");
        Browser owner = owner(a);
        String base = "/portal/c/" + a.publicId();
        owner.get(base + "/keys");
        Res minted = owner.post(base + "/keys", Map.of("kind", "secret", "name", "backend"));
        Matcher m = Pattern.compile("value=\"(sk_[^\"]+)\"").matcher(minted.body());
        assertThat(m.find()).isTrue();
        String key = m.group(1);
        String q = "SELECT coalesce(extract(epoch FROM k.last_used_at) * 1000000, 0)::bigint FROM api_keys k "
                + "JOIN companies c ON c.id = k.company_id WHERE c.public_id = ? AND k.name = 'backend'";
        assertThat(PortalIntegrationTest.F.count(q, a.publicId())).isZero();
        Map<String, String> auth = Map.of("Authorization", "Klaviyo-API-Key " + key, "revision", "2024-10-15");
        assertThat(PortalIntegrationTest.F.request("GET", "/api/profiles", null, auth).status()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 5_000;
        while (PortalIntegrationTest.F.count(q, a.publicId()) == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        long first = PortalIntegrationTest.F.count(q, a.publicId());
        assertThat(first).isPositive();
        // a second use within the minute writes nothing
        Thread.sleep(1_100); // past the authenticator's one-second cache
        assertThat(PortalIntegrationTest.F.request("GET", "/api/profiles", null, auth).status()).isEqualTo(200);
        Thread.sleep(300);
        assertThat(PortalIntegrationTest.F.count(q, a.publicId())).isEqualTo(first);
        assertThat(owner.get(base + "/keys").body()).doesNotContain("not tracked").containsPattern("UTC</td><td>\\d{4}-\\d\\d-\\d\\d ");
    }

    @Test
    void aRateLimitAboveTheCeilingIsAClearErrorOnTheSettingsPage() {
        Company c = company("Ceiling Co");
        Browser o = owner(c);
        String base = "/portal/c/" + c.publicId();
        o.get(base + "/settings");
        // switching a window off (0) or going far above the configured limit is the operator's call
        Res r = o.post(base + "/settings", Map.of("default_region", "US", "cors_origins", "",
                "burst_client", "0", "steady_client", "100000000"));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("class=\"error\"");
        String settings = PortalIntegrationTest.F.db().withHandle(h -> h.createQuery(
                "SELECT settings::text FROM companies WHERE public_id = :p").bind("p", c.publicId()).mapTo(String.class).one());
        assertThat(settings).doesNotContain("burst_per_second");
    }
}
