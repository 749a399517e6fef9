package io.switchboard.resources.segment;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Segment's own Java library ({@code com.segment.analytics.java:analytics}, test scope) pointed at the
 * server with {@code endpoint(...)}, unmodified: it posts {@code {batch:[…], sentAt, writeKey…}} to
 * {@code /v1/import/}. What it sent is recorded with an OkHttp interceptor; what landed is read back
 * through the admin API — not the library's success callback.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SegmentJavaLibraryTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    record Sent(String method, String path, String contentType, String encoding, boolean basicAuth, String body) {}

    @Test
    void identifyAndTrackThroughTheLibraryLand() throws Exception {
        TestCompany c = F.createCompany("Java library");
        List<Sent> sent = new CopyOnWriteArrayList<>();
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(chain -> {
            var req = chain.request();
            Buffer b = new Buffer();
            if (req.body() != null) req.body().writeTo(b);
            sent.add(new Sent(req.method(), req.url().encodedPath(),
                    req.body() == null || req.body().contentType() == null ? null : req.body().contentType().toString(),
                    req.header("Content-Encoding"), req.header("Authorization") != null, b.readUtf8()));
            return chain.proceed(req);
        }).build();
        List<String> failures = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(2);
        Analytics analytics = Analytics.builder(c.publicKey())
                .endpoint(F.baseUrl())
                .client(client)
                .flushQueueSize(2)
                .retries(1)
                .callback(new Callback() {
                    @Override
                    public void success(Message message) {
                        done.countDown();
                    }

                    @Override
                    public void failure(Message message, Throwable throwable) {
                        failures.add(message.type() + ": " + throwable);
                        done.countDown();
                    }
                })
                .build();
        try {
            analytics.enqueue(IdentifyMessage.builder().userId("java-u1")
                    .traits(Map.of("email", "java@example.com", "firstName", "Jay", "plan", "enterprise")));
            analytics.enqueue(TrackMessage.builder("Order Completed").userId("java-u1")
                    .properties(Map.of("revenue", 19.99, "currency", "USD", "orderId", "j-1")));
            analytics.flush();
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            analytics.shutdown();
        }
        assertThat(failures).isEmpty();

        // what the library sent
        assertThat(sent).isNotEmpty();
        for (Sent s : sent) {
            assertThat(s.method()).isEqualTo("POST");
            assertThat(s.path()).isEqualTo("/v1/import/");
            assertThat(s.contentType()).startsWith("application/json");
        }
        System.out.println("analytics-java sent: " + sent.stream().map(s -> s.method() + " " + s.path() + " ["
                + s.contentType() + (s.encoding() == null ? "" : ", " + s.encoding()) + (s.basicAuth() ? ", Basic auth" : "")
                + (s.body().contains("\"writeKey\"") ? ", writeKey in body" : "") + "]").toList());

        // what landed
        String p = owner(F, c, "external_id", "java-u1");
        assertThat(p).isNotNull();
        assertThat(owner(F, c, "email", "java@example.com")).isEqualTo(p);
        JsonNode profile = F.get("/admin/companies/" + c.publicId() + "/profiles/" + p, bearer(c.secretKey())).json()
                .at("/data/attributes");
        assertThat(profile.at("/attributes/first_name").asText()).isEqualTo("Jay");
        assertThat(profile.at("/properties/plan").asText()).isEqualTo("enterprise");
        JsonNode evs = adminEvents(F, c, p);
        assertThat(evs).hasSize(2);
        JsonNode order = null;
        for (JsonNode e : evs) if ("Order Completed".equals(e.at("/attributes/name").asText())) order = e;
        assertThat(order).isNotNull();
        assertThat(order.at("/attributes/value").decimalValue()).isEqualByComparingTo("19.99");
        assertThat(order.at("/attributes/raw/context/library/name").asText()).isEqualTo("analytics-java");
        assertThat(order.at("/attributes/raw/writeKey").isMissingNode()).isTrue();
    }
}
