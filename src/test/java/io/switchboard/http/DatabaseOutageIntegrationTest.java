package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL really stops and starts again under a running server: requests fail fast with 503 and
 * Retry-After in their dialect's shape, the admin health check turns unhealthy, and the server recovers
 * by itself once PostgreSQL is back.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DatabaseOutageIntegrationTest {
    static final Path DATA = tempDir();
    static final int PORT = freePort();
    static EmbeddedPostgres pg = startPostgres();
    static final AppFixture F = new AppFixture(ProbeApp.class, "test-config.yml", Map.of(
            "database.url", "jdbc:postgresql://localhost:" + PORT + "/postgres",
            "migrateOnStartup", "true"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Path tempDir() {
        try {
            return Files.createTempDirectory("switchboard-outage-pg");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static EmbeddedPostgres startPostgres() {
        try {
            return EmbeddedPostgres.builder().setDataDirectory(DATA).setCleanDataDirectory(false).setPort(PORT)
                    .setPGStartupWait(Duration.ofSeconds(60)).start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) pg.close();
    }

    static int health() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + APP.getAdminPort() + "/healthcheck")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    @Test
    void failsFastWith503WhileDownAndRecoversWithoutRestart() throws Exception {
        TestCompany c = F.createCompany("Outage");
        Map<String, String> sk = AppFixture.bearer(c.secretKey());
        String companyPath = "/admin/companies/" + c.publicId();
        assertThat(F.get(companyPath, sk).status()).isEqualTo(200);
        assertThat(health()).isEqualTo(200);

        pg.close();
        pg = null;
        long worst = 0;
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            Res r = F.get(companyPath, sk);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            worst = Math.max(worst, ms);
            assertThat(r.status()).as(r.toString()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("service_unavailable");
            Thread.sleep(150);
        }
        assertThat(worst).as("each request fails fast").isLessThan(2_500);
        // every dialect answers in its own shape
        Res pv = F.post("/api/client/__probe", "{}", AppFixture.bearer(c.publicKey()));
        assertThat(pv.status()).isEqualTo(503);
        assertThat(pv.json().get("status").asText()).isEqualTo("error");
        Res seg = F.post("/v1/__probe", "{}", Map.of("Authorization", "Basic " +
                java.util.Base64.getEncoder().encodeToString((c.publicKey() + ":").getBytes())));
        assertThat(seg.status()).isEqualTo(503);
        assertThat(seg.json().get("message").asText()).contains("database");
        assertThat(health()).isEqualTo(500);

        long t0 = System.nanoTime();
        pg = startPostgres();
        long started = System.nanoTime();
        Res r;
        do {
            Thread.sleep(100);
            r = F.get(companyPath, sk);
        } while (r.status() != 200 && System.nanoTime() - started < 15_000_000_000L);
        assertThat(r.status()).as("recovered without a restart: " + r).isEqualTo(200);
        long recoveredMs = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("postgres restart took %d ms; server answered 200 again %d ms after it was up%n",
                (started - t0) / 1_000_000, recoveredMs);
        assertThat(recoveredMs).isLessThan(5_000);
        assertThat(health()).isEqualTo(200);
        // the data written before the outage is there, and writes work again
        assertThat(F.post(companyPath + "/keys", "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"public\",\"name\":\"after\"}}}",
                Map.of("Authorization", "Bearer " + c.secretKey(), "Content-Type", "application/vnd.api+json")).status())
                .isEqualTo(201);
    }
}
