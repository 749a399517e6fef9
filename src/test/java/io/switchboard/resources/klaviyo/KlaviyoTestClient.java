package io.switchboard.resources.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Raw HTTP to the running app, with every Klaviyo exchange validated against Klaviyo's OpenAPI
 * document ({@link KlaviyoOpenApi}). {@code send} expects a valid request; {@code sendInvalid} is for
 * requests that are wrong on purpose (only the response is validated).
 */
final class KlaviyoTestClient {
    static final String REVISION = "2026-07-15";
    static final String JSONAPI = "application/vnd.api+json";

    private final AppFixture f;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    KlaviyoTestClient(AppFixture f) {
        this.f = f;
        KlaviyoOpenApi.fresh(); // one client per test class: the validators' schema caches last one class
    }

    /** Default headers for a server call with a key: Klaviyo-API-Key auth, revision, JSON:API types. */
    static Map<String, String> server(String key) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Klaviyo-API-Key " + key);
        h.put("revision", REVISION);
        h.put("Accept", JSONAPI);
        h.put("Content-Type", JSONAPI);
        return h;
    }

    /** Default headers for a client call (no key; the company id goes in the query). */
    static Map<String, String> client() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("revision", REVISION);
        h.put("Accept", JSONAPI);
        h.put("Content-Type", JSONAPI);
        return h;
    }

    static Map<String, String> with(Map<String, String> base, String k, String v) {
        Map<String, String> h = new LinkedHashMap<>(base);
        if (v == null) h.remove(k); else h.put(k, v);
        return h;
    }

    Res send(String method, String path, String body, Map<String, String> headers) {
        return exchange(method, path, body, headers, true);
    }

    Res sendInvalid(String method, String path, String body, Map<String, String> headers) {
        return exchange(method, path, body, headers, false);
    }

    private Res exchange(String method, String path, String body, Map<String, String> headers, boolean requestValid) {
        HttpResponse<String> r;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.baseUrl() + path)).timeout(Duration.ofSeconds(30));
            headers.forEach(b::header);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Res res = new Res(r.statusCode(), r.body(), r.headers());
        ValidationReport report = KlaviyoOpenApi.validate(method, path, body, headers, r.statusCode(), r.body(),
                r.headers().map(), requestValid);
        if (report.hasErrors()) {
            throw new AssertionError("OpenAPI validation failed for " + method + " " + path + " → " + res + "\n"
                    + KlaviyoOpenApi.describe(report));
        }
        if (res.status() >= 400) {
            // every Klaviyo error: JSON:API errors[] with a fresh id, integer status, code, title, detail
            assertThat(res.header("Content-Type")).startsWith(JSONAPI);
            JsonNode e = res.json().at("/errors/0");
            assertThat(e.path("id").asText()).hasSize(36);
            assertThat(e.path("status").asInt()).isEqualTo(res.status());
            assertThat(e.path("code").asText()).isNotEmpty();
            assertThat(e.path("title").asText()).isNotEmpty();
            assertThat(e.path("detail").asText()).isNotEmpty();
        }
        return res;
    }
}
