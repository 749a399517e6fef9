package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Health that reflects saturation (issue 11, finding 2): a server whose request threads are all busy,
 * with requests queueing for them, reports itself unhealthy — on the application port's {@code /health}
 * (503, for load balancers) and on the admin port's {@code /healthcheck} (500; with the admin token the
 * {@code http} check says "saturated") — and healthy again once the load is gone. The server runs with 16
 * request threads and an unhealthy threshold of 4 queued jobs; 48 clients keep calling a test-only
 * endpoint that holds its thread for 300 ms, so about 30 requests wait for a thread at any time.
 *
 * <p>The application port's {@code /health} needs a request thread like any request, so while saturated
 * it is answered late (after the requests queued before it), and then with 503, the state it finds; a
 * probe with a short timeout sees a timeout, which a load balancer also counts as down. The admin port
 * has a thread pool of its own and answers at once.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SaturationHealthIntegrationTest {
    static final int CLIENTS = 48;
    static final AppFixture F = new AppFixture(SlowApp.class, "test-config.yml", Map.of(
            "server.maxThreads", "16", "server.minThreads", "16", "httpEdge.saturationQueuedJobs", "4"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(4)).build();

    /** The application plus {@code GET /__probe/slow}, which holds its request thread for 300 ms. */
    public static class SlowApp extends SwitchboardApplication {
        @Override
        public void run(SwitchboardConfiguration config, Environment env) {
            super.run(config, env);
            env.jersey().register(new Slow());
        }
    }

    @Path("/__probe/slow")
    public static class Slow {
        @GET
        public Response slow() throws InterruptedException {
            Thread.sleep(300);
            return Response.noContent().build();
        }
    }

    static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> health() throws Exception {
        return get("http://127.0.0.1:" + APP.getLocalPort() + "/health", null);
    }

    static HttpResponse<String> healthcheck(String token) throws Exception {
        return get("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck", token);
    }

    /** Polls {@code probe} (≤ 20 s) until its status matches; returns the matching answer. */
    static HttpResponse<String> await(String what, Probe probe, IntPredicate status) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        HttpResponse<String> r;
        do {
            r = probe.call();
            if (status.test(r.statusCode())) return r;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(what + " never changed; last: " + r.statusCode() + " " + r.body());
    }

    interface Probe {
        HttpResponse<String> call() throws Exception;
    }

    @Test
    void healthTurnsUnhealthyWhileRequestsQueueForThreadsAndRecoversAfter() throws Exception {
        assertThat(health().statusCode()).isEqualTo(200);
        assertThat(healthcheck(null).statusCode()).isEqualTo(200);

        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        HttpClient loadClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                running.add(clients.submit(() -> {
                    while (loading.get()) {
                        HttpResponse<Void> r = loadClient.send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + APP.getLocalPort() + "/__probe/slow")).timeout(Duration.ofSeconds(60))
                                .build(), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 204) served.incrementAndGet();
                    }
                    return null;
                }));
            }
            // the admin port (its own threads) answers at once, with the http check saying why
            await("admin /healthcheck", () -> healthcheck(null), s -> s == 500);
            HttpResponse<String> details = await("admin /healthcheck (token)",
                    () -> healthcheck(AppFixture.ADMIN_TOKEN), s -> s == 500);
            JsonNode checks = AppFixture.JSON.readTree(details.body());
            assertThat(checks.at("/http/healthy").asBoolean(true)).as(details.body()).isFalse();
            assertThat(checks.at("/http/message").asText()).as(details.body()).startsWith("saturated: busy threads");
            assertThat(checks.at("/database/healthy").asBoolean()).as(details.body()).isTrue();
            // the application port: answered once a thread is free, with the saturation it finds
            HttpResponse<String> down = await("/health", SaturationHealthIntegrationTest::health, s -> s == 503);
            assertThat(AppFixture.JSON.readTree(down.body()).path("status").asText()).isEqualTo("unavailable");
            assertThat(served.get()).as("the slow requests are being served meanwhile").isPositive();
        } finally {
            loading.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        for (Future<?> f : running) f.get(); // no client failed (every request answered)
        // the load is gone: healthy again on both ports
        await("admin /healthcheck after", () -> healthcheck(null), s -> s == 200);
        HttpResponse<String> up = await("/health after", SaturationHealthIntegrationTest::health, s -> s == 200);
        assertThat(AppFixture.JSON.readTree(up.body()).path("status").asText()).isEqualTo("ok");
        JsonNode after = AppFixture.JSON.readTree(healthcheck(AppFixture.ADMIN_TOKEN).body());
        assertThat(after.at("/http/healthy").asBoolean()).as(after.toString()).isTrue();
    }
}
