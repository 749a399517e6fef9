package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP edge through raw sockets (so nothing normalizes the request on the way): issue 11 findings 4
 * (path tricks), 5 (compressed bodies, aborted uploads) and 12 (one body reader), and issue 18 item 4
 * (every answer is JSON in the dialect's shape, Jetty's own errors included).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class HttpEdgeIntegrationTest {
    static final AppFixture F = new AppFixture(ProbeApp.class, "test-config.yml", Map.of("rateLimits.enabled", "true"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    record Raw(int status, String headers, String body) {
        JsonNode json() {
            try {
                return AppFixture.JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + status + " " + headers + "\n" + body, e);
            }
        }

        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) return line.substring(c + 1).trim();
            }
            return null;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** One request over a fresh socket, exactly as written (path, headers, body bytes). */
    static Raw raw(String method, String target, Map<String, String> headers, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", APP.getLocalPort())) {
            s.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) req.append("Content-Length: ").append(body.length).append("\r\n");
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // the body goes on its own thread while the answer is read: a server that refuses a request early
            // answers and closes before the body is through, and the writer then sees a broken pipe (ignored)
            Thread writer = new Thread(() -> {
                try {
                    if (body != null) out.write(body);
                    out.flush();
                } catch (java.io.IOException ignored) {
                    // refused before the body was read: the answer is what the test checks
                }
            });
            writer.start();
            try {
                return parse(s.getInputStream());
            } finally {
                writer.join(30_000);
            }
        }
    }

    static Raw parse(InputStream in) throws Exception {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String head = text.substring(0, end);
        String body = text.substring(end + 4);
        int status = Integer.parseInt(head.split(" ")[1]);
        if (head.toLowerCase().contains("transfer-encoding: chunked")) body = dechunk(body);
        return new Raw(status, head, body);
    }

    static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int nl = s.indexOf("\r\n", i);
            int len = Integer.parseInt(s.substring(i, nl).trim(), 16);
            if (len == 0) break;
            out.append(s, nl + 2, nl + 2 + len);
            i = nl + 2 + len + 2;
        }
        return out.toString();
    }

    static Map<String, String> json() {
        return Map.of("Content-Type", "application/json");
    }

    static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    static String profile(int bytes) {
        return "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"big@example.com\",\"properties\":{\"pad\":\""
                + "x".repeat(bytes) + "\"}}}}";
    }

    /** A JSON:API error document (Klaviyo, admin, unknown routes) with the given status. */
    static void assertJsonApi(Raw r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(r.headers()).startsWith("application/vnd.api+json");
        assertThat(r.json().at("/errors/0/status").asInt()).isEqualTo(status);
        assertThat(r.body()).doesNotContain("<html").doesNotContain("Exception").doesNotContain("at org.");
    }

    @Nested
    class PathTricks {
        @Test
        void matrixParametersCannotMakeTheSecretTriggerAnswerPreflights() throws Exception {
            for (String p : new String[] {"/api;x=1/client/campaigns/1/trigger", "/api/client;x=1/campaigns/1/trigger",
                    "/api/client/campaigns/1/trigger;x=1"}) {
                Raw r = raw("OPTIONS", p, Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST"), null);
                assertThat(r.status()).as(p + " " + r).isEqualTo(400);
                assertThat(r.header("Access-Control-Allow-Origin")).as(p).isNull();
            }
            // trailing slash, case and // variants of the trigger are not public either
            for (String p : new String[] {"/api/client/campaigns/1/trigger/", "/API/client/campaigns/1/trigger"}) {
                Raw r = raw("OPTIONS", p, Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST"), null);
                assertThat(r.header("Access-Control-Allow-Origin")).as(p + " " + r).isNull();
            }
        }

        @Test
        void matrixParametersCannotLiftTheProfileBodyLimitOrTheBulkClass() throws Exception {
            TestCompany c = F.createCompany("Matrix");
            byte[] big = profile(300 * 1024).getBytes(StandardCharsets.UTF_8);
            Map<String, String> h = Map.of("Content-Type", "application/vnd.api+json", "revision", "2024-10-15");
            for (String p : new String[] {"/client;x=1/profiles?company_id=" + c.publicId(),
                    "/client/profiles;x=1?company_id=" + c.publicId()}) {
                Raw r = raw("POST", p, h, big);
                assertJsonApi(r, 400);
                assertThat(r.json().at("/errors/0/detail").asText()).contains("Matrix parameters");
            }
            // the limit holds on the variants Jersey routes to the same resource
            assertJsonApi(raw("POST", "/client/profiles/?company_id=" + c.publicId(), h, big), 413);
            assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(c.publicId()))).isZero();
            Raw bulk = raw("POST", "/client;x=1/event-bulk-create?company_id=" + c.publicId(), h, "{}".getBytes());
            assertJsonApi(bulk, 400);
        }

        @Test
        void matrixParametersInParcelvoyAndSegmentAre400InTheirShapes() throws Exception {
            TestCompany c = F.createCompany("MatrixIngest");
            Raw pv = raw("POST", "/api/client;x=1/events", Map.of("Content-Type", "application/json",
                    "Authorization", "Bearer " + c.publicKey()), "[]".getBytes());
            assertThat(pv.status()).as(pv.toString()).isEqualTo(400);
            assertThat(pv.json().get("status").asText()).isEqualTo("error");
            Raw seg = raw("POST", "/v1/batch;x=1", Map.of("Content-Type", "application/json",
                    "Authorization", basic(c.publicKey())), "{\"batch\":[]}".getBytes());
            assertThat(seg.status()).as(seg.toString()).isEqualTo(400);
            assertThat(seg.json().get("message").asText()).contains("Matrix parameters");
        }

        @Test
        void emptySegmentsEncodedSlashesAndCaseVariantsAnswerJson() throws Exception {
            TestCompany c = F.createCompany("Paths");
            Map<String, String> key = Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey(), "revision", "2024-10-15");
            assertJsonApi(raw("GET", "/api/profiles//history", key, null), 400);
            assertJsonApi(raw("GET", "/api%2Fprofiles", key, null), 400);
            assertJsonApi(raw("GET", "/API/PROFILES", key, null), 404);
            Raw seg = raw("POST", "/v1//batch", Map.of("Content-Type", "application/json"), "{}".getBytes());
            assertThat(seg.status()).isEqualTo(400);
            assertThat(seg.json().has("message")).as(seg.toString()).isTrue();
        }
    }

    @Nested
    class JettyErrorsAsJson {
        @Test
        void unknownRouteMethodNotAllowedUriTooLongAndHeadersTooLargeAreJson() throws Exception {
            assertJsonApi(raw("GET", "/nowhere", Map.of(), null), 404);
            assertJsonApi(raw("DELETE", "/admin/companies", Map.of("Authorization", "Bearer " + AppFixture.ADMIN_TOKEN), null), 405);
            Raw tooLong = raw("GET", "/api/" + "a".repeat(20_000), Map.of(), null);
            assertThat(tooLong.status()).isEqualTo(414);
            assertThat(tooLong.json().toString()).doesNotContain("<html");
            Raw headers = raw("GET", "/v1/batch", Map.of("X-Big", "a".repeat(20_000)), null);
            assertThat(headers.status()).isEqualTo(431);
            assertThat(headers.json().toString()).doesNotContain("<html");
            Raw segment = raw("GET", "/v1/nothing", Map.of(), null);
            assertThat(segment.status()).isEqualTo(404);
            assertThat(segment.json().get("message").asText()).isNotBlank();
        }
    }

    @Nested
    class CompressedBodies {
        @Test
        void aBodyThatIsNotGzipIs400InTheDialectsShapeOnEveryRoute() throws Exception {
            LogCapture log = LogCapture.attach();
            try {
                TestCompany c = F.createCompany("Gzip");
                byte[] notGzip = "{\"batch\":[]}".getBytes(StandardCharsets.UTF_8);
                Raw seg = raw("POST", "/v1/batch", Map.of("Content-Type", "application/json", "Content-Encoding", "gzip",
                        "Authorization", basic(c.publicKey())), notGzip);
                assertThat(seg.status()).as(seg.toString()).isEqualTo(400);
                assertThat(seg.json().get("message").asText()).contains("gzip");
                // no credentials, unknown route: still 400, JSON:API
                assertJsonApi(raw("POST", "/nowhere", Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"),
                        notGzip), 400);
                Raw pv = raw("POST", "/api/client/events", Map.of("Content-Type", "application/json",
                        "Content-Encoding", "gzip", "Authorization", "Bearer " + c.publicKey()), notGzip);
                assertThat(pv.status()).isEqualTo(400);
                assertThat(pv.json().get("status").asText()).isEqualTo("error");
                // truncated gzip: 400 too
                byte[] whole = gzip("{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\"}]}");
                byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
                Raw truncated = raw("POST", "/v1/batch", Map.of("Content-Type", "application/json", "Content-Encoding", "gzip",
                        "Authorization", basic(c.publicKey())), cut);
                assertThat(truncated.status()).as(truncated.toString()).isEqualTo(400);
                // a real gzip body still works
                Raw ok = raw("POST", "/v1/batch", Map.of("Content-Type", "application/json", "Content-Encoding", "gzip",
                        "Authorization", basic(c.publicKey())), whole);
                assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
                Thread.sleep(200);
                assertThat(log.events).noneMatch(e -> e.getThrowableProxy() != null);
                assertThat(log.events).noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR));
            } finally {
                log.detach();
            }
        }

        @Test
        void anUnsupportedContentEncodingIs415() throws Exception {
            for (String enc : new String[] {"br", "deflate", "x-custom", "gzip, br"}) {
                Raw r = raw("POST", "/v1/batch", Map.of("Content-Type", "application/json", "Content-Encoding", enc),
                        "{}".getBytes());
                assertThat(r.status()).as(enc + " " + r).isIn(400, 415);
                assertThat(r.json().get("message").asText()).contains("Content-Encoding");
            }
        }

        @Test
        void anAbortedUploadIsOneLogLineAndNo5xx() throws Exception {
            LogCapture log = LogCapture.attach();
            try {
                try (Socket s = new Socket("127.0.0.1", APP.getLocalPort())) {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                            + "{\"batch\":[").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(300);
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < deadline && log.events.stream().noneMatch(e -> e.getFormattedMessage().contains("aborted"))) {
                    Thread.sleep(50);
                }
                Thread.sleep(300);
                assertThat(log.events.stream().filter(e -> e.getFormattedMessage().contains("aborted")).count()).as(log.text()).isEqualTo(1);
                assertThat(log.events).as(log.text()).noneMatch(e -> e.getThrowableProxy() != null);
                assertThat(log.events).as(log.text()).noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
            } finally {
                log.detach();
            }
        }
    }

    @Nested
    class OneBodyReader {
        static String nested(int depth) {
            return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        }

        @Test
        void klaviyoProfileEndpointsRefuseDeepNestingAndInvalidUtf8LikeEveryOtherEndpoint() throws Exception {
            TestCompany c = F.createCompany("Reader");
            Map<String, String> server = Map.of("Content-Type", "application/vnd.api+json", "revision", "2024-10-15",
                    "Authorization", "Klaviyo-API-Key " + c.secretKey());
            String deep = "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"deep@example.com\",\"properties\":"
                    + nested(60) + "}}}";
            Raw r = raw("POST", "/api/profiles", server, deep.getBytes(StandardCharsets.UTF_8));
            assertJsonApi(r, 400);
            assertThat(r.json().at("/errors/0/detail").asText()).contains("nesting");
            Raw client = raw("POST", "/client/profiles?company_id=" + c.publicId(), Map.of("Content-Type",
                    "application/vnd.api+json", "revision", "2024-10-15"), deep.getBytes(StandardCharsets.UTF_8));
            assertJsonApi(client, 400);
            byte[] bad = "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"utf@example.com\",\"first_name\":\"A?B\"}}}"
                    .getBytes(StandardCharsets.UTF_8);
            bad[java.util.Arrays.asList(new String(bad, StandardCharsets.ISO_8859_1).split("")).indexOf("?")] = (byte) 0xC3;
            assertJsonApi(raw("POST", "/api/profiles", server, bad), 400);
            assertJsonApi(raw("POST", "/client/profiles?company_id=" + c.publicId(), Map.of("Content-Type",
                    "application/vnd.api+json", "revision", "2024-10-15"), bad), 400);
            assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(c.publicId()))).isZero();
        }
    }
}
