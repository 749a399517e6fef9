package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 11, finding 2: clients that trickle a request body do not stop the API. The server runs with a
 * small thread pool (24); three times as many connections each send the headers of a {@code /v1/batch}
 * request and then a byte now and then. Before the fix each of them held a request thread while Jersey
 * blocked reading its body, so normal requests waited for as long as the slow clients pleased; now a
 * body is collected without a thread and the application runs once it is complete, and a body arriving
 * slower than the configured rate is cut with 408.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SlowClientsIntegrationTest {
    static final AppFixture F = new AppFixture(ProbeApp.class, "test-config.yml", Map.of(
            "server.maxThreads", "24", "server.minThreads", "24",
            "httpEdge.minRateGrace", "2s", "httpEdge.minBodyBytesPerSecond", "100"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    @Test
    void normalRequestsAreAnsweredWhileManySlowBodiesArrive() throws Exception {
        TestCompany c = F.createCompany("Slow");
        String auth = "Basic " + Base64.getEncoder().encodeToString((c.publicKey() + ":").getBytes(StandardCharsets.UTF_8));
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 72; i++) {
                Socket s = new Socket("127.0.0.1", APP.getLocalPort());
                s.setSoTimeout(15_000);
                s.getOutputStream().write(("POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Authorization: " + auth + "\r\nContent-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            Thread.sleep(500);
            // normal traffic: every request answered promptly while the slow bodies are pending
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                AppFixture.Res r = F.post("/v1/track", "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u" + i + "\"}",
                        Map.of("Authorization", auth));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(ms).as("normal request %d took %d ms", i, ms).isLessThan(5_000);
            }
            assertThat(F.get("/health", Map.of()).status()).isEqualTo(200);
            // the trickling clients are cut with 408 once they fall below the minimum rate
            for (int i = 0; i < slow.size(); i += 24) {
                OutputStream out = slow.get(i).getOutputStream();
                InputStream in = slow.get(i).getInputStream();
                String answer = "";
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < deadline && answer.isEmpty()) {
                    try {
                        out.write(' ');
                        out.flush();
                    } catch (java.io.IOException closed) {
                        // the server may close first; read what it answered
                    }
                    Thread.sleep(500);
                    if (in.available() > 0 || System.nanoTime() > deadline - 1_000_000_000L) {
                        answer = new String(in.readNBytes(Math.max(in.available(), 12)), StandardCharsets.US_ASCII);
                    }
                }
                assertThat(answer).startsWith("HTTP/1.1 408");
            }
        } finally {
            for (Socket s : slow) s.close();
        }
    }
}
