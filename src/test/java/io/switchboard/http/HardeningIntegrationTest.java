package io.switchboard.http;

import io.switchboard.core.tenancy.RateLimit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rate limits, input limits and CORS through real HTTP on the real app (plus test-only probe resources). */
@ExtendWith(DropwizardExtensionsSupport.class)
class HardeningIntegrationTest {
    // ZERO01: the operator has switched the bulk class off for this one company (a company may not itself)
    static final AppFixture F = new AppFixture(ProbeApp.class, "test-config.yml", Map.of("rateLimits.enabled", "true",
            "rateLimits.companies.ZERO01.bulk.burstPerSecond", "0", "rateLimits.companies.ZERO01.bulk.steadyPerMinute", "0"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String JSONAPI = "application/vnd.api+json";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Map<String, String> h(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes; {@code chunked} hides the length (Transfer-Encoding: chunked). */
    static Res send(String method, String path, byte[] body, boolean chunked, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(F.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        if (!headers.containsKey("Content-Type")) b.header("Content-Type", "application/json");
        b.method(method, chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Res(r.statusCode(), r.body(), r.headers());
    }

    static void patchSettings(TestCompany c, String settingsJson) {
        Res r = F.request("PATCH", "/admin/companies/" + c.publicId(),
                "{\"data\":{\"type\":\"company\",\"id\":\"" + c.publicId() + "\",\"attributes\":{\"settings\":" + settingsJson + "}}}",
                h("Authorization", "Bearer " + c.secretKey(), "Content-Type", JSONAPI));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** Waits (≤ 3 s) until a request sees the new limit; settings are re-read within about a second. */
    static Res awaitLimit(String method, String path, String body, Map<String, String> headers, String limit) throws Exception {
        long deadline = System.nanoTime() + 3_000_000_000L;
        Res r;
        do {
            r = F.request(method, path, body, headers);
            if (limit.equals(r.header("RateLimit-Limit"))) return r;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("limit " + limit + " never applied; last: " + r + " " + r.headers().map());
    }

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    @Nested
    class RateLimits {
        @Test
        void defaultsAreKlaviyoTiersAndHeadersAreSent() {
            TestCompany c = F.createCompany("Defaults");
            Res r = F.get("/client/__probe?company_id=" + c.publicId(), Map.of());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("RateLimit-Limit")).isEqualTo("3500");
            assertThat(Long.parseLong(r.header("RateLimit-Remaining"))).isBetween(3400L, 3500L);
            assertThat(Long.parseLong(r.header("RateLimit-Reset"))).isBetween(0L, 60L);
            Res s = F.get("/api/__probe", h("Authorization", "Klaviyo-API-Key " + c.secretKey()));
            assertThat(s.header("RateLimit-Limit")).isEqualTo("750");
            Res ingest = F.post("/api/client/__probe", "{}", AppFixture.bearer(c.publicKey()));
            assertThat(ingest.header("RateLimit-Limit")).isEqualTo("1500000");
            // the admin API is not limited by default
            Res admin = F.get("/admin/companies/" + c.publicId(), AppFixture.bearer(c.secretKey()));
            assertThat(admin.status()).isEqualTo(200);
            assertThat(admin.header("RateLimit-Limit")).isNull();
        }

        @Test
        void overLimitIs429InKlaviyoShapeWithRetryAfterAndNoRateLimitHeaders() throws Exception {
            TestCompany c = F.createCompany("Throttled");
            TestCompany other = F.createCompany("Neighbour");
            patchSettings(c, "{\"rate_limits\":{\"client\":{\"burst_per_second\":5,\"steady_per_minute\":8}}}");
            String path = "/client/__probe?company_id=" + c.publicId();
            awaitLimit("GET", path, null, Map.of(), "8");
            List<Res> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) answers.add(F.get(path, Map.of()));
            long ok = answers.stream().filter(r -> r.status() == 200).count();
            assertThat(ok).as("at most 8 per minute in total").isLessThanOrEqualTo(7);
            Res throttled = answers.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
            JsonNode err = throttled.json().at("/errors/0");
            assertThat(err.at("/code").asText()).isEqualTo("throttled");
            assertThat(err.at("/status").asInt()).isEqualTo(429);
            assertThat(err.at("/title").asText()).isEqualTo("Request was throttled.");
            assertThat(err.at("/detail").asText()).matches("Request was throttled\\. Expected available in \\d+ seconds?\\.");
            assertThat(throttled.header("Content-Type")).startsWith(JSONAPI);
            assertThat(Integer.parseInt(throttled.header("Retry-After"))).isPositive();
            assertThat(throttled.header("RateLimit-Limit")).isNull();
            assertThat(throttled.header("RateLimit-Remaining")).isNull();
            assertThat(throttled.header("RateLimit-Reset")).isNull();
            // the 200s before it carried the headers, counting down
            Res first = answers.get(0);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("RateLimit-Limit")).isEqualTo("8");
            // per company: the neighbour is untouched; per class: the server API of the same company too
            assertThat(F.get("/client/__probe?company_id=" + other.publicId(), Map.of()).status()).isEqualTo(200);
            assertThat(F.get("/api/__probe", h("Authorization", "Klaviyo-API-Key " + c.secretKey())).status()).isEqualTo(200);
        }

        @Test
        void throttledInParcelvoyAndSegmentAndDittofeedShapes() throws Exception {
            TestCompany c = F.createCompany("Ingest");
            patchSettings(c, "{\"rate_limits\":{\"ingestion\":{\"burst_per_second\":1,\"steady_per_minute\":1}}}");
            awaitLimit("POST", "/api/client/__probe", "{}", AppFixture.bearer(c.publicKey()), "1");
            Res pv = F.post("/api/client/__probe", "{}", AppFixture.bearer(c.publicKey()));
            assertThat(pv.status()).isEqualTo(429);
            assertThat(pv.json().get("status").asText()).isEqualTo("error");
            assertThat(pv.json().get("error").asText()).startsWith("Request was throttled.");
            assertThat(Integer.parseInt(pv.header("Retry-After"))).isBetween(1, 60);
            Res seg = F.post("/v1/__probe", "{}", h("Authorization", basic(c.publicKey())));
            assertThat(seg.status()).isEqualTo(429);
            assertThat(seg.json().get("message").asText()).startsWith("Request was throttled.");
            Res df = F.post("/api/public/apps/__probe", "{}", h("Authorization", basic(c.publicKey())));
            assertThat(df.status()).isEqualTo(429);
            assertThat(df.header("Retry-After")).isNotNull();
        }

        @Test
        void segmentWriteKeyInTheBodyIsRateLimitedToo() throws Exception {
            TestCompany c = F.createCompany("BodyKey");
            patchSettings(c, "{\"rate_limits\":{\"ingestion\":{\"burst_per_second\":2,\"steady_per_minute\":2}}}");
            awaitLimit("POST", "/v1/__probe", "{}", h("Authorization", basic(c.publicKey())), "2");
            String track = "{\"writeKey\":\"" + c.publicKey() + "\",\"userId\":\"bk-1\",\"event\":\"A\"}";
            Res ok = F.post("/v1/track", track, Map.of());
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            assertThat(ok.header("RateLimit-Limit")).isEqualTo("2");
            assertThat(ok.header("RateLimit-Remaining")).isEqualTo("0");
            Res over = F.post("/v1/track", track.replace("bk-1", "bk-2"), Map.of());
            assertThat(over.status()).as(over.toString()).isEqualTo(429);
            assertThat(over.json().get("message").asText()).startsWith("Request was throttled.");
            assertThat(Integer.parseInt(over.header("Retry-After"))).isPositive();
            Res batch = F.post("/v1/batch", "{\"writeKey\":\"" + c.publicKey() + "\",\"batch\":[{\"type\":\"track\","
                    + "\"userId\":\"bk-3\",\"event\":\"A\"}]}", Map.of());
            assertThat(batch.status()).isEqualTo(429);
            assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(c.publicId()))).isEqualTo(1);
        }

        /**
         * A company that was busy under the default limit, then changed its limit: the very next concurrent
         * burst runs under the new limit (no request is admitted under the stale one).
         */
        @Test
        void aSettingsChangeAppliesToTheVeryNextConcurrentBurst() throws Exception {
            TestCompany c = F.createCompany("Changed");
            Map<String, String> auth = AppFixture.bearer(c.publicKey());
            assertThat(F.post("/api/client/__probe", "{}", auth).header("RateLimit-Limit")).isEqualTo("1500000");
            Thread.sleep(2_100); // the cached settings are now old
            patchSettings(c, "{\"rate_limits\":{\"ingestion\":{\"burst_per_second\":3,\"steady_per_minute\":180}}}");
            var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
            List<java.util.concurrent.Future<Res>> burst = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) burst.add(pool.submit(() -> F.post("/api/client/__probe", "{}", auth)));
            long ok = 0;
            for (var f : burst) {
                Res r = f.get();
                if (r.status() == 200) {
                    ok++;
                    assertThat(r.header("RateLimit-Limit")).isEqualTo("180");
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            assertThat(ok).as("3 + 3/s × %.2f s", seconds).isLessThanOrEqualTo(3 + (long) Math.ceil(3 * seconds));
        }

        @Test
        void zeroSwitchesLimitsOffForACompany() throws Exception {
            TestCompany created = F.createCompany("Unlimited");
            F.db().useHandle(h -> h.execute("UPDATE companies SET public_id = 'ZERO01' WHERE public_id = ?", created.publicId()));
            TestCompany c = new TestCompany("ZERO01", created.publicKey(), created.secretKey());
            patchSettings(c, "{\"rate_limits\":{\"bulk\":{\"burst_per_second\":0,\"steady_per_minute\":0},"
                    + "\"client\":{\"burst_per_second\":2,\"steady_per_minute\":2}}}");
            awaitLimit("GET", "/client/__probe?company_id=" + c.publicId(), null, Map.of(), "2");
            // event-bulk-create has no resource here; the class lookup still works and sends no headers
            Res r = F.post("/client/event-bulk-create?company_id=" + c.publicId(), "{}", Map.of());
            assertThat(r.header("RateLimit-Limit")).isNull();
        }
    }

    @Nested
    class BodyLimits {
        @Test
        void profileEndpointsRefuseOver100KbBeforeAnythingElse() throws Exception {
            byte[] body = ("{\"x\":\"" + repeat('a', 101 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
            Res r = send("POST", "/client/profiles?company_id=nobody", body, false, Map.of());
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("payload_too_large");
            assertThat(r.json().at("/errors/0/detail").asText()).contains("100 KB");
            Res imp = send("POST", "/api/profile-import", body, false, Map.of());
            assertThat(imp.status()).isEqualTo(413);
            Res prof = send("PATCH", "/api/profiles/01ABC", body, false, Map.of());
            assertThat(prof.status()).isEqualTo(413);
        }

        @Test
        void defaultLimitIs5Mb() throws Exception {
            TestCompany c = F.createCompany("Big");
            String big = "{\"x\":[" + ("\"" + repeat('b', 1000) + "\",").repeat(5300) + "1]}";
            Res r = send("POST", "/client/__probe?company_id=" + c.publicId(), big.getBytes(StandardCharsets.UTF_8), false, Map.of());
            assertThat(r.status()).isEqualTo(413);
            String ok = "{\"x\":[" + ("\"" + repeat('b', 1000) + "\",").repeat(1024) + "1]}";
            Res fine = send("POST", "/client/__probe?company_id=" + c.publicId(), ok.getBytes(StandardCharsets.UTF_8), false, Map.of());
            assertThat(fine.status()).isEqualTo(200);
        }

        @Test
        void segmentMessageOver32KbIs400AndDittofeedIs413EvenChunked() throws Exception {
            TestCompany c = F.createCompany("Seg");
            byte[] body = ("{\"x\":\"" + repeat('s', 33 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
            for (boolean chunked : new boolean[] {false, true}) {
                Res seg = send("POST", "/v1/__probe", body, chunked, h("Authorization", basic(c.publicKey())));
                assertThat(seg.status()).as("segment chunked=" + chunked).isEqualTo(400);
                assertThat(seg.json().get("message").asText()).contains("32 KB");
                Res df = send("POST", "/api/public/apps/__probe", body, chunked, h("Authorization", basic(c.publicKey())));
                assertThat(df.status()).as("dittofeed chunked=" + chunked).isEqualTo(413);
                assertThat(df.json().get("message").asText()).contains("32 KB");
            }
            byte[] small = "{\"type\":\"track\"}".getBytes(StandardCharsets.UTF_8);
            assertThat(send("POST", "/v1/__probe", small, true, h("Authorization", basic(c.publicKey()))).status()).isEqualTo(200);
        }

        @Test
        void batchEndpointsTake500Kb() throws Exception {
            // (that 500 KB passes is in EndpointPoliciesTest; no batch resource exists on this branch)
            byte[] over = ("{\"x\":\"" + repeat('s', 501 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
            assertThat(send("POST", "/v1/batch", over, false, Map.of()).status()).isEqualTo(400);
            assertThat(send("POST", "/api/public/apps/batch", over, false, Map.of()).status()).isEqualTo(413);
        }
    }

    @Nested
    class JsonInput {
        @Test
        void nestingOver32LevelsIs400() throws Exception {
            TestCompany c = F.createCompany("Deep");
            String path = "/client/__probe?company_id=" + c.publicId();
            String ok = repeat('[', 32) + repeat(']', 32);
            assertThat(send("POST", path, ok.getBytes(StandardCharsets.UTF_8), false, Map.of()).status()).isEqualTo(200);
            String deep = repeat('[', 33) + repeat(']', 33);
            Res r = send("POST", path, deep.getBytes(StandardCharsets.UTF_8), false, Map.of());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/errors/0/detail").asText()).contains("Input limit exceeded").contains("nesting depth");
        }

        @Test
        void stringsOver100KbAre400() throws Exception {
            TestCompany c = F.createCompany("Long");
            String path = "/client/__probe?company_id=" + c.publicId();
            String ok = "{\"s\":\"" + repeat('x', 100 * 1024) + "\"}";
            assertThat(send("POST", path, ok.getBytes(StandardCharsets.UTF_8), false, Map.of()).status()).isEqualTo(200);
            String tooLong = "{\"s\":\"" + repeat('x', 100 * 1024 + 1) + "\"}";
            Res r = send("POST", path, tooLong.getBytes(StandardCharsets.UTF_8), false, Map.of());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/errors/0/detail").asText()).contains("Input limit exceeded").contains("String value length");
        }

        @Test
        void invalidUtf8Is400InEveryDialect() throws Exception {
            TestCompany c = F.createCompany("Bytes");
            byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
            byte[] badStart = {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
            byte[] utf32ish = {0, 0, 0, '{', (byte) 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, '}'};
            for (byte[] body : List.of(bad, badStart, utf32ish)) {
                Res k = send("POST", "/client/__probe?company_id=" + c.publicId(), body, false, Map.of());
                assertThat(k.status()).as(k.toString()).isEqualTo(400);
                assertThat(k.json().at("/errors/0/code").asText()).isEqualTo("invalid");
                Res p = send("POST", "/api/client/__probe", body, false, AppFixture.bearer(c.publicKey()));
                assertThat(p.status()).as(p.toString()).isEqualTo(400);
                assertThat(p.json().get("status").asText()).isEqualTo("error");
                Res s = send("POST", "/v1/__probe", body, false, h("Authorization", basic(c.publicKey())));
                assertThat(s.status()).as(s.toString()).isEqualTo(400);
                assertThat(s.json().get("message").asText()).isNotBlank();
            }
        }

        @Test
        void malformedJsonIs400AndWrongContentTypeIs415() throws Exception {
            TestCompany c = F.createCompany("Malformed");
            Res p = F.post("/api/client/__probe", "{\"a\":", AppFixture.bearer(c.publicKey()));
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.json().get("error").asText()).startsWith("Malformed JSON");
            Res k = F.post("/client/__probe?company_id=" + c.publicId(), "[1,,2]", Map.of());
            assertThat(k.status()).isEqualTo(400);
            Res text = F.post("/v1/__probe", "hello", h("Authorization", basic(c.publicKey()), "Content-Type", "text/plain"));
            assertThat(text.status()).isEqualTo(415);
            assertThat(text.json().get("message").asText()).contains("application/json");
            Res form = F.post("/client/__probe?company_id=" + c.publicId(), "a=b",
                    h("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(form.status()).isEqualTo(415);
            assertThat(form.json().at("/errors/0/code").asText()).isEqualTo("unsupported_media_type");
        }
    }

    @Nested
    class CorsPolicy {
        Res preflight(String path, String origin) {
            return F.request("OPTIONS", path, null, h("Origin", origin, "Access-Control-Request-Method", "POST",
                    "Access-Control-Request-Headers", "content-type,revision"));
        }

        @Test
        void publicEndpointsAnswerPreflightsWithTheAllowedHeaders() {
            TestCompany c = F.createCompany("Browser");
            for (String path : List.of("/client/profiles?company_id=" + c.publicId(), "/client/events/?company_id=" + c.publicId(),
                    "/api/client/events", "/api/public/apps/batch", "/v1/batch", "/api/client/__probe")) {
                Res r = preflight(path, "https://shop.example.com");
                assertThat(r.status()).as(path).isEqualTo(204);
                assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.example.com");
                assertThat(r.header("Access-Control-Allow-Methods")).contains("POST");
                assertThat(r.header("Access-Control-Allow-Headers")).contains("revision", "Authorization", "Content-Type",
                        "PublicWriteKey", "Idempotency-Key", "X-Klaviyo-Revision-Fall-Forward-Opt-Out");
                assertThat(r.header("Access-Control-Max-Age")).isNotNull();
            }
        }

        @Test
        void secretAdminAndTriggerEndpointsSendNoCorsHeaders() {
            TestCompany c = F.createCompany("Secretive");
            for (String path : List.of("/api/profiles", "/api/events", "/admin/companies", "/api/client/campaigns/1/trigger",
                    "/api/client/campaigns/__probe/trigger", "/api/__probe")) {
                Res r = preflight(path, "https://shop.example.com");
                assertThat(r.header("Access-Control-Allow-Origin")).as(path).isNull();
                assertThat(r.header("Access-Control-Allow-Methods")).as(path).isNull();
            }
            Res actual = F.get("/api/__probe", h("Authorization", "Klaviyo-API-Key " + c.secretKey(), "Origin", "https://shop.example.com"));
            assertThat(actual.status()).isEqualTo(200);
            assertThat(actual.header("Access-Control-Allow-Origin")).isNull();
            Res trigger = F.post("/api/client/campaigns/__probe/trigger", "{}",
                    h("Authorization", "Bearer " + c.secretKey(), "Origin", "https://shop.example.com"));
            assertThat(trigger.status()).isEqualTo(200);
            assertThat(trigger.header("Access-Control-Allow-Origin")).isNull();
            Res admin = F.get("/admin/companies/" + c.publicId(), h("Authorization", "Bearer " + c.secretKey(), "Origin", "https://x.example"));
            assertThat(admin.header("Access-Control-Allow-Origin")).isNull();
        }

        @Test
        void anyOriginByDefaultOnActualRequestsIncludingErrors() {
            TestCompany c = F.createCompany("Open");
            Res r = F.post("/api/client/__probe", "{}", h("Authorization", "Bearer " + c.publicKey(), "Origin", "https://a.example"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://a.example");
            assertThat(r.header("Access-Control-Expose-Headers")).contains("RateLimit-Remaining", "Retry-After");
            assertThat(r.headers().allValues("Vary").toString()).contains("Origin");
            Res unauth = F.post("/api/client/__probe", "{}", h("Authorization", "Bearer pk_nope", "Origin", "https://a.example"));
            assertThat(unauth.status()).isEqualTo(401);
            assertThat(unauth.header("Access-Control-Allow-Origin")).isEqualTo("https://a.example");
            Res noOrigin = F.post("/api/client/__probe", "{}", AppFixture.bearer(c.publicKey()));
            assertThat(noOrigin.header("Access-Control-Allow-Origin")).isNull();
        }

        @Test
        void configuredOriginsAreEnforced() throws Exception {
            TestCompany c = F.createCompany("Strict");
            patchSettings(c, "{\"cors_origins\":[\"https://shop.example.com\",\"https://*.cdn.example\"]}");
            String client = "/client/__probe?company_id=" + c.publicId();
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (preflight(client, "https://evil.example").status() != 403 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            // /client/*: the company is in the query, so the preflight itself is checked
            Res evil = preflight(client, "https://evil.example");
            assertThat(evil.status()).isEqualTo(403);
            assertThat(evil.header("Access-Control-Allow-Origin")).isNull();
            assertThat(evil.json().at("/errors/0/detail").asText()).contains("https://evil.example");
            Res good = preflight(client, "https://shop.example.com");
            assertThat(good.status()).isEqualTo(204);
            assertThat(preflight(client, "https://img.cdn.example").status()).isEqualTo(204);
            // key-authenticated: the preflight passes (no credentials on it) but the request is refused
            assertThat(preflight("/api/client/__probe", "https://evil.example").status()).isEqualTo(204);
            Res refused = F.post("/api/client/__probe", "{}", h("Authorization", "Bearer " + c.publicKey(), "Origin", "https://evil.example"));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("error").asText()).contains("not among this company's allowed origins");
            assertThat(refused.header("Access-Control-Allow-Origin")).isNull();
            Res allowed = F.post("/api/client/__probe", "{}", h("Authorization", "Bearer " + c.publicKey(), "Origin", "https://shop.example.com"));
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.example.com");
            Res clientActual = F.get(client, h("Origin", "https://evil.example"));
            assertThat(clientActual.status()).isEqualTo(403);
            // server-to-server calls (no Origin) are not affected
            assertThat(F.post("/api/client/__probe", "{}", AppFixture.bearer(c.publicKey())).status()).isEqualTo(200);
        }
    }
}
