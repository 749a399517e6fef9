package io.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * A running server on a fresh embedded database, plus a plain HTTP client (java.net.http, so the
 * tests see exactly the bytes and headers a real client sees) and direct SQL access to check what
 * landed in the tables.
 */
public final class AppFixture {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    public static final ObjectMapper JSON = new ObjectMapper();

    public final String dbUrl;
    public final DropwizardAppExtension<SwitchboardConfiguration> app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Jdbi jdbi;

    public AppFixture(ConfigOverride... extra) {
        this(SwitchboardApplication.class, extra);
    }

    /** The same, running a subclass of the application (e.g. one that adds test-only resources). */
    public AppFixture(Class<? extends SwitchboardApplication> appClass, ConfigOverride... extra) {
        this(appClass, "test-config.yml", Map.of(), extra);
    }

    /**
     * With another configuration file (a test resource name, or a path such as the real config.yml) and
     * settings that replace the fixture's own (e.g. {@code database.url} of another PostgreSQL, or
     * {@code migrateOnStartup}). Dropwizard keeps overrides in a set, so a key must not be given twice.
     */
    public AppFixture(Class<? extends SwitchboardApplication> appClass, String configFile, Map<String, String> settings,
                      ConfigOverride... extra) {
        Map<String, String> base = new java.util.LinkedHashMap<>();
        base.put("database.url", settings.containsKey("database.url") ? null : TestDatabase.newDatabase());
        base.put("database.user", "postgres");
        base.put("migrateOnStartup", "false");
        base.put("createDemoCompany", "false");
        base.put("adminToken", ADMIN_TOKEN);
        base.put("server.applicationConnectors[0].port", "0");
        base.put("server.adminConnectors[0].port", "0");
        base.put("logging.level", "WARN");
        base.putAll(settings);
        this.dbUrl = base.get("database.url");
        java.util.List<ConfigOverride> all = new java.util.ArrayList<>();
        base.forEach((k, v) -> all.add(ConfigOverride.config(k, v)));
        all.addAll(java.util.Arrays.asList(extra));
        String configPath = new java.io.File(configFile).isFile() ? configFile : ResourceHelpers.resourceFilePath(configFile);
        this.app = new DropwizardAppExtension<>(appClass, configPath, all.toArray(new ConfigOverride[0]));
    }

    public String baseUrl() {
        return "http://localhost:" + app.getLocalPort();
    }

    public synchronized Jdbi db() {
        if (jdbi == null) {
            jdbi = Jdbi.create(dbUrl, "postgres", "");
        }
        return jdbi;
    }

    public long count(String sql, Object... args) {
        return db().withHandle(h -> {
            var q = h.createQuery(sql);
            for (int i = 0; i < args.length; i++) q.bind(i, args[i]);
            return q.mapTo(Long.class).one();
        });
    }

    /** A response: status, headers and the body (parsed as JSON when it is JSON). */
    public record Res(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Res request(String method, String path, String body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
            headers.forEach(b::header);
            if (body != null && !headers.containsKey("Content-Type")) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body(), r.headers());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Res get(String path, Map<String, String> headers) {
        return request("GET", path, null, headers);
    }

    public Res post(String path, String body, Map<String, String> headers) {
        return request("POST", path, body, headers);
    }

    public static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    /** A company created through the admin API, with its two keys. */
    public record TestCompany(String publicId, String publicKey, String secretKey) {}

    public TestCompany createCompany(String name) {
        Res r = post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"" + name + "\"}}}",
                Map.of("Authorization", "Bearer " + ADMIN_TOKEN, "Content-Type", "application/vnd.api+json"));
        if (r.status() != 201) {
            throw new AssertionError("company create failed: " + r);
        }
        JsonNode j = r.json();
        return new TestCompany(j.at("/data/id").asText(), j.at("/meta/public_key").asText(),
                j.at("/meta/secret_key").asText());
    }

    public long companyId(String publicId) {
        return count("SELECT id FROM companies WHERE public_id = ?", publicId);
    }
}
