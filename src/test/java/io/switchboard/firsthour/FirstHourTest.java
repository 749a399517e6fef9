package io.switchboard.firsthour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.FirstStart;
import io.switchboard.FirstStart.DemoMode;
import io.switchboard.SwitchboardApplication;
import io.switchboard.auth.DialectUnauthorizedHandler;
import io.switchboard.http.Cors;
import io.switchboard.resources.klaviyo.KlaviyoRevision;
import io.switchboard.testing.AppFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Issue 18 ("the first hour") and issue 11 finding 14 (the Demo company only on a keyless first start). */
class FirstHourTest {

    @Test
    void demoCompanyOnlyOnAKeylessFirstStartOrWhenAskedFor() {
        assertThat(FirstStart.createsDemo(DemoMode.AUTO, false, 0)).isTrue();
        assertThat(FirstStart.createsDemo(DemoMode.AUTO, true, 0)).as("configured deployment").isFalse();
        assertThat(FirstStart.createsDemo(DemoMode.AUTO, false, 1)).as("not a first start").isFalse();
        assertThat(FirstStart.createsDemo(DemoMode.TRUE, true, 0)).as("explicit flag").isTrue();
        assertThat(FirstStart.createsDemo(DemoMode.TRUE, true, 3)).isFalse();
        assertThat(FirstStart.createsDemo(DemoMode.FALSE, false, 0)).isFalse();
        assertThat(DemoMode.parse("auto")).isEqualTo(DemoMode.AUTO);
        assertThat(DemoMode.parse("")).isEqualTo(DemoMode.AUTO);
        assertThat(DemoMode.parse("TRUE")).isEqualTo(DemoMode.TRUE);
        assertThat(DemoMode.parse("false")).isEqualTo(DemoMode.FALSE);
        assertThatThrownBy(() -> DemoMode.parse("sometimes")).hasMessageContaining("SWITCHBOARD_CREATE_DEMO_COMPANY");
    }

    @Test
    void sameOriginPagesAreRecognised() {
        assertThat(Cors.sameOrigin("http://localhost:8080", "localhost:8080")).isTrue();
        assertThat(Cors.sameOrigin("https://sb.example", "sb.example")).isTrue();
        assertThat(Cors.sameOrigin("https://sb.example:443", "sb.example")).isTrue();
        assertThat(Cors.sameOrigin("https://sb.example", "sb.example:443")).isTrue();
        assertThat(Cors.sameOrigin("http://localhost:3000", "localhost:8080")).isFalse();
        assertThat(Cors.sameOrigin("https://sb.example.evil.io", "sb.example")).isFalse();
        assertThat(Cors.sameOrigin("null", "localhost:8080")).isFalse();
        assertThat(Cors.sameOrigin("http://localhost:8080", null)).isFalse();
    }

    @Test
    void retiredRevisionFallsForwardVisibly() {
        KlaviyoRevision r = KlaviyoRevision.resolve("2020-01-01", null);
        assertThat(r.date()).isEqualTo(KlaviyoRevision.OLDEST);
        assertThat(r.fellForward()).isTrue();
        assertThat(r.fallForwardWarning()).startsWith("299 - \"Revision 2020-01-01 is retired; served as 2023-02-22");
        assertThat(KlaviyoRevision.resolve("2024-03-01", null).fellForward()).isFalse();
    }

    /** Captures what a start prints on stdout (the Demo keys are printed there, never logged). */
    static final class Stdout implements AutoCloseable {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream original = System.out;

        Stdout() {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setOut(original);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class KeylessFirstStart {
        final AppFixture f = new AppFixture(SwitchboardApplication.class, "test-config.yml",
                Map.of("adminToken", "", "createDemoCompany", "auto"));
        String printed;

        @BeforeAll
        void start() throws Exception {
            try (Stdout out = new Stdout()) {
                f.app.before();
                printed = out.text();
            }
        }

        @AfterAll
        void stop() {
            f.app.after();
        }

        @Test
        void createsTheDemoCompanyAndPrintsAPasteableLineOnce() {
            assertThat(f.count("SELECT count(*) FROM companies WHERE name = 'Demo'")).isEqualTo(1);
            assertThat(printed).contains("Switchboard is ready: API http://localhost:" + f.app.getLocalPort());
            assertThat(printed).containsPattern("export SB=http://localhost:\\d+ CO=\\w{6} PK=pk_\\w+ SK=sk_\\w+");
            assertThat(printed).contains("No admin token is configured");
        }

        @Test
        void adminCallsSayThatNoAdminTokenIsConfiguredAndHowToSetOne() {
            AppFixture.Res r = f.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"A\"}}}",
                    Map.of("Authorization", "Bearer change-me", "Content-Type", "application/vnd.api+json"));
            assertThat(r.status()).isEqualTo(401);
            JsonNode e = r.json().at("/errors/0");
            assertThat(e.at("/detail").asText()).isEqualTo(DialectUnauthorizedHandler.NO_ADMIN_TOKEN)
                    .contains("SWITCHBOARD_ADMIN_TOKEN").doesNotContain("change-me");
            assertThat(f.get("/admin/companies/XXXXXX", Map.of()).json().at("/errors/0/detail").asText())
                    .contains("SWITCHBOARD_ADMIN_TOKEN");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ConfiguredDeployment {
        final AppFixture f = new AppFixture(SwitchboardApplication.class, "test-config.yml",
                Map.of("createDemoCompany", "auto"));
        String printed;

        @BeforeAll
        void start() throws Exception {
            try (Stdout out = new Stdout()) {
                f.app.before();
                printed = out.text();
            }
        }

        @AfterAll
        void stop() {
            f.app.after();
        }

        @Test
        void noDemoCompanyAndNoSecretPrinted() {
            assertThat(f.count("SELECT count(*) FROM companies")).isZero();
            assertThat(printed).doesNotContain("sk_").doesNotContain("pk_").doesNotContain("Demo");
        }

        @Test
        void adminTokenHintOnlyWhereOneIsConfigured() {
            AppFixture.Res r = f.get("/admin/companies/XXXXXX", Map.of("Authorization", "Bearer wrong"));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().at("/errors/0/detail").asText()).doesNotContain("No admin token is configured");
        }

        @Test
        void theDemoFormWorksFromItsOwnOriginWhenCorsOriginsIsSet() {
            AppFixture.TestCompany c = f.createCompany("Shop");
            AppFixture.Res patch = f.request("PATCH", "/admin/companies/" + c.publicId(),
                    "{\"data\":{\"type\":\"company\",\"id\":\"" + c.publicId() + "\",\"attributes\":{\"settings\":"
                            + "{\"cors_origins\":[\"https://shop.example\"]}}}}",
                    Map.of("Authorization", "Bearer " + c.secretKey(), "Content-Type", "application/vnd.api+json"));
            assertThat(patch.status()).isEqualTo(200);
            String self = "http://localhost:" + f.app.getLocalPort();
            String body = "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"form@example.com\"}}}";
            Map<String, String> h = Map.of("revision", "2025-10-15", "Content-Type", "application/vnd.api+json");
            // the form page is served by the server itself: its Origin is the server's
            AppFixture.Res own = f.post("/client/profiles?company_id=" + c.publicId(), body,
                    merge(h, Map.of("Origin", self)));
            assertThat(own.status()).as(own.body()).isEqualTo(202);
            AppFixture.Res listed = f.post("/client/profiles?company_id=" + c.publicId(), body,
                    merge(h, Map.of("Origin", "https://shop.example")));
            assertThat(listed.status()).isEqualTo(202);
            AppFixture.Res other = f.post("/client/profiles?company_id=" + c.publicId(), body,
                    merge(h, Map.of("Origin", "https://evil.example")));
            assertThat(other.status()).isEqualTo(403);
            assertThat(f.get("/forms/demo", Map.of()).body()).contains("Please enter a valid email address")
                    .doesNotContain("e.detail || ('HTTP '");
        }

        @Test
        void eventLinksLeadSomewhere() {
            AppFixture.TestCompany c = f.createCompany("Links");
            Map<String, String> k = Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey(), "revision", "2026-07-15");
            AppFixture.Res created = f.post("/api/events", "{\"data\":{\"type\":\"event\",\"attributes\":{\"properties\":{},"
                    + "\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"Viewed\"}}},"
                    + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"l@example.com\"}}}}}}", k);
            assertThat(created.status()).isEqualTo(202);
            JsonNode event = f.get("/api/events", k).json().at("/data/0");
            String base = f.baseUrl();
            for (String link : new String[] {event.at("/links/self").asText(),
                    event.at("/relationships/profile/links/self").asText(),
                    event.at("/relationships/profile/links/related").asText(),
                    event.at("/relationships/metric/links/self").asText(),
                    event.at("/relationships/metric/links/related").asText()}) {
                assertThat(link).startsWith(base);
                AppFixture.Res r = f.get(link.substring(base.length()), k);
                assertThat(r.status()).as(link + " " + r.body()).isEqualTo(200);
            }
            assertThat(f.get(event.at("/relationships/profile/links/related").asText().substring(base.length()), k)
                    .json().at("/data/attributes/email").asText()).isEqualTo("l@example.com");
            assertThat(f.get(event.at("/relationships/metric/links/related").asText().substring(base.length()), k)
                    .json().at("/data/attributes/name").asText()).isEqualTo("Viewed");
            // a retired revision is served, and says so
            AppFixture.Res old = f.get("/api/events", Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey(),
                    "revision", "2020-01-01"));
            assertThat(old.status()).isEqualTo(200);
            assertThat(old.header("revision")).isEqualTo("2023-02-22");
            assertThat(old.header("Warning")).contains("2020-01-01 is retired");
            // not-found details quote the id (no "01J…." double period)
            AppFixture.Res missing = f.get("/admin/companies/" + c.publicId() + "/profiles/01J.",
                    Map.of("Authorization", "Bearer " + c.secretKey()));
            assertThat(missing.json().at("/errors/0/detail").asText()).isEqualTo("No profile with id `01J.`.");
        }
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }

}
