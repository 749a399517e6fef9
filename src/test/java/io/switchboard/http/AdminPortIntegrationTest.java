package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, finding 1, on the real config.yml: the admin port listens on loopback, its tasks, thread
 * dumps and metrics need the admin token, its health check stays reachable without details, and no log
 * level — not even Jetty's DEBUG switched on through the log-level task — lets a credential into the log.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AdminPortIntegrationTest {
    static final AppFixture F = new AppFixture(ProbeApp.class, "config.yml", Map.of());
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> admin(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminConnectorListensOnLoopbackByDefault() {
        DefaultServerFactory sf = (DefaultServerFactory) APP.getConfiguration().getServerFactory();
        HttpConnectorFactory adminConnector = (HttpConnectorFactory) sf.getAdminConnectors().get(0);
        assertThat(adminConnector.getBindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void tasksThreadsAndMetricsNeedTheAdminToken() throws Exception {
        for (String[] r : new String[][] {{"GET", "/metrics"}, {"GET", "/threads"}, {"POST", "/tasks/gc"},
                {"POST", "/tasks/log-level?logger=org.eclipse.jetty&level=DEBUG"}, {"GET", "/pprof/cpu"}}) {
            HttpResponse<String> anonymous = admin(r[0], r[1], null);
            assertThat(anonymous.statusCode()).as(r[1]).isEqualTo(401);
            assertThat(admin(r[0], r[1], "wrong-token").statusCode()).as(r[1]).isEqualTo(401);
        }
        assertThat(admin("GET", "/metrics", AppFixture.ADMIN_TOKEN).statusCode()).isEqualTo(200);
        assertThat(admin("GET", "/threads", AppFixture.ADMIN_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void healthIsReachableWithoutTheTokenButWithoutDetails() throws Exception {
        HttpResponse<String> open = admin("GET", "/healthcheck", null);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).isEqualTo("{\"healthy\":true}");
        HttpResponse<String> full = admin("GET", "/healthcheck", AppFixture.ADMIN_TOKEN);
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).contains("\"database\"").contains("\"http\"");
        assertThat(admin("GET", "/ping", null).statusCode()).isEqualTo(200);
        // and on the application port, for orchestrators that cannot reach loopback
        AppFixture.Res app = F.get("/health", Map.of());
        assertThat(app.status()).isEqualTo(200);
        assertThat(app.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void jettyDebugThroughTheLogLevelTaskCannotPutCredentialsIntoTheLog() throws Exception {
        TestCompany c = F.createCompany("Logged");
        LogCapture log = LogCapture.attach();
        try {
            for (String logger : new String[] {"org.eclipse.jetty", "org.eclipse.jetty.http", "org.eclipse.jetty.server",
                    "org.glassfish.jersey", "io.switchboard", "ROOT"}) {
                HttpResponse<String> r = admin("POST", "/tasks/log-level?logger=" + logger + "&level=TRACE", AppFixture.ADMIN_TOKEN);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            F.get("/api/__probe?api_key=query-secret-marker", Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey()));
            F.post("/api/client/__probe", "{\"email\":\"body-secret-marker@example.com\"}", AppFixture.bearer(c.publicKey()));
            F.post("/v1/__probe", "{\"writeKey\":\"" + c.publicKey() + "\"}", Map.of());
            // raw bytes as an attacker sends them, headers and all
            try (Socket s = new Socket("127.0.0.1", APP.getLocalPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("GET /api/__probe?token=query-secret-marker HTTP/1.1\r\nHost: x\r\nAuthorization: Klaviyo-API-Key "
                        + c.secretKey() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.getInputStream().readAllBytes();
            }
            // an application message that happens to carry a key is masked, at any level
            LoggerFactory.getLogger("io.switchboard.Anything").warn("caller sent {} with Authorization: Bearer {}",
                    c.secretKey(), AppFixture.ADMIN_TOKEN);
            Thread.sleep(300);
            String text = log.text();
            assertThat(log.events).as("the log-level task took effect").isNotEmpty();
            assertThat(text).contains("caller sent sk_[masked]")
                    .doesNotContain(c.secretKey()).doesNotContain(c.publicKey())
                    .doesNotContain(c.secretKey().substring(3, 15)).doesNotContain(c.publicKey().substring(3, 15))
                    .doesNotContain(AppFixture.ADMIN_TOKEN).doesNotContain("query-secret-marker")
                    .doesNotContain("body-secret-marker");
        } finally {
            log.detach();
            for (String logger : new String[] {"org.eclipse.jetty", "org.eclipse.jetty.http", "org.eclipse.jetty.server",
                    "org.glassfish.jersey", "io.switchboard", "ROOT"}) {
                admin("POST", "/tasks/log-level?logger=" + logger, AppFixture.ADMIN_TOKEN);
            }
        }
    }
}
