package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The request log format of the real top-level config.yml (only its appender is redirected to a file)
 * records method, path, status and timing, never credentials, query strings or bodies.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestLogIntegrationTest {
    static final Path LOG = tempLog();
    static final AppFixture F = new AppFixture(ProbeApp.class, "config.yml", Map.of(
            "server.requestLog.appenders[0].type", "file",
            "server.requestLog.appenders[0].currentLogFilename", LOG.toString(),
            "server.requestLog.appenders[0].archive", "false"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    static Path tempLog() {
        try {
            return Files.createTempFile("switchboard-requests", ".log");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void requestLogHasNoKeysTokensQueryStringsOrBodies() throws Exception {
        TestCompany c = F.createCompany("Logged");
        String secretBody = "{\"email\":\"body-secret-marker@example.com\"}";
        F.post("/client/__probe?company_id=" + c.publicId() + "&api_key=query-secret-marker", secretBody, Map.of());
        F.get("/api/__probe?token=query-secret-marker", Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey()));
        F.post("/api/client/__probe", secretBody, AppFixture.bearer(c.publicKey()));
        F.post("/api/public/apps/__probe", secretBody, Map.of("PublicWriteKey", c.publicKey()));
        F.post("/v1/__probe", secretBody, Map.of("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((c.publicKey() + ":").getBytes(StandardCharsets.UTF_8))));
        F.post("/v1/__probe", "{\"writeKey\":\"" + c.publicKey() + "\"}", Map.of());
        F.get("/admin/companies/" + c.publicId(), Map.of("Authorization", "Bearer " + AppFixture.ADMIN_TOKEN));

        String log = "";
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !log.contains("/admin/companies/" + c.publicId())) {
            Thread.sleep(100);
            log = Files.readString(LOG);
        }
        assertThat(log).contains("\"POST /client/__probe\" 200").contains("\"GET /api/__probe\" 200")
                .contains("\"POST /api/client/__probe\" 200").contains("/admin/companies/" + c.publicId());
        assertThat(log).doesNotContain(c.secretKey()).doesNotContain(c.publicKey())
                .doesNotContain(c.secretKey().substring(0, 12)).doesNotContain(c.publicKey().substring(0, 12))
                .doesNotContain(AppFixture.ADMIN_TOKEN)
                .doesNotContain("query-secret-marker").doesNotContain("company_id=").doesNotContain("?")
                .doesNotContain("body-secret-marker").doesNotContain("Basic ").doesNotContain("Bearer");
    }
}
