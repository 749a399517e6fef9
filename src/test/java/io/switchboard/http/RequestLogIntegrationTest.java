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
 * The request log of the real top-level config.yml (http/AsyncRequestLog; the test reads its logger's
 * lines into a file, and the console) records method, path, status and timing, never credentials, query
 * strings or bodies; the console shows each request as a complete line of its own.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestLogIntegrationTest {
    static final Path LOG = tempLog();
    static final AppFixture F = new AppFixture(ProbeApp.class, "config.yml", Map.of());
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    static Path tempLog() {
        try {
            return Files.createTempFile("switchboard-requests", ".log");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every line of the request logger, appended to {@link #LOG} (attached once the app runs). */
    @org.junit.jupiter.api.BeforeEach
    void captureRequestLog() {
        ch.qos.logback.classic.Logger out = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AsyncRequestLog.LOGGER);
        out.setLevel(ch.qos.logback.classic.Level.INFO);
        if (out.getAppender("test-file") != null) return;
        ch.qos.logback.core.FileAppender<ch.qos.logback.classic.spi.ILoggingEvent> file = new ch.qos.logback.core.FileAppender<>();
        file.setName("test-file");
        file.setContext(out.getLoggerContext());
        file.setFile(LOG.toString());
        ch.qos.logback.classic.encoder.PatternLayoutEncoder enc = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        enc.setContext(out.getLoggerContext());
        enc.setPattern("%msg%n");
        enc.start();
        file.setEncoder(enc);
        file.setImmediateFlush(true);
        file.start();
        out.addAppender(file);
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

    /**
     * What operators see by default: config.yml sends the request logger to its own console appender
     * ("%m%n", not additive). Every request line printed on stdout is complete (timestamp, address,
     * request, status, bytes, time) — also when several arrive in one batch — and carries no credential,
     * query string or body.
     */
    @Test
    void theRealConfigPrintsCompleteMaskedRequestLinesOnTheConsole() throws Exception {
        TestCompany c = F.createCompany("Console");
        String secretBody = "{\"email\":\"console-body-marker@example.com\"}";
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        String console = "";
        System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
            @Override public synchronized void write(int b) { captured.write(b); original.write(b); }
            @Override public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                original.write(b, off, len);
            }
        }, true));
        try {
            // concurrent, so that the writer finds several at once and prints them as one batch
            java.util.stream.IntStream.range(0, 20).parallel().forEach(i -> F.post(
                    "/client/__probe?company_id=" + c.publicId() + "&api_key=console-query-marker", secretBody, Map.of()));
            F.get("/api/__probe?token=console-query-marker", Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey()));
            F.post("/api/client/__probe", secretBody, AppFixture.bearer(c.publicKey()));
            F.get("/u/" + c.publicId() + "ConsoleUnsubTokenMarker0123456789", Map.of());
            F.get("/admin/companies/" + c.publicId() + "/console-done", Map.of("Authorization", "Bearer " + AppFixture.ADMIN_TOKEN));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && !console.contains("/console-done")) {
                Thread.sleep(50);
                console = captured.toString(StandardCharsets.UTF_8);
            }
        } finally {
            System.setOut(original);
        }
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (127\\.0\\.0\\.1|\\[[0-9a-f:]+\\]) \"[A-Z]+ /\\S*\" \\d{3} \\d+ \\d+\\.\\dms");
        java.util.List<String> requestLines = console.lines()
                .filter(l -> l.contains("__probe") || l.contains("/u/") || l.contains("/console-done")).toList();
        assertThat(requestLines).filteredOn(l -> l.contains("\"POST /client/__probe\" 200")).hasSize(20);
        assertThat(requestLines).anyMatch(l -> l.contains("\"GET /api/__probe\" 200"))
                .anyMatch(l -> l.contains("\"POST /api/client/__probe\" 200"))
                .anyMatch(l -> l.contains("\"GET /u/[token]\" 404"))
                .anyMatch(l -> l.contains("/console-done"));
        assertThat(requestLines).allSatisfy(l -> assertThat(l).matches(line));
        assertThat(console).doesNotContain(c.secretKey()).doesNotContain(c.publicKey())
                .doesNotContain(AppFixture.ADMIN_TOKEN).doesNotContain("console-query-marker")
                .doesNotContain("console-body-marker").doesNotContain("ConsoleUnsubTokenMarker");
    }

    @Test
    void unsubscribeTokensAreMaskedButThePathStaysReadable() throws Exception {
        TestCompany c = F.createCompany("Unsub");
        String token = c.publicId() + "UnsubTokenMarker0123456789abcdefgh".substring(0, 32);
        assertThat(F.get("/u/" + token, Map.of()).status()).isEqualTo(404);
        assertThat(F.post("/u/" + token + "/", "", Map.of()).status()).isIn(404, 405, 415);
        F.get("/admin/companies/" + c.publicId() + "/after-unsubscribe", Map.of("Authorization", "Bearer " + AppFixture.ADMIN_TOKEN));

        String log = "";
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !log.contains("/after-unsubscribe")) {
            Thread.sleep(100);
            log = Files.readString(LOG);
        }
        assertThat(log).contains("\"GET /u/[token]\" 404").contains("\"POST /u/[token]\"")
                .doesNotContain("UnsubTokenMarker").doesNotContain(token);
        assertThat(MaskedRequestLog.maskPath("/u")).isEqualTo("/u");
        assertThat(MaskedRequestLog.maskPath("/users/1")).isEqualTo("/users/1");
    }
}
