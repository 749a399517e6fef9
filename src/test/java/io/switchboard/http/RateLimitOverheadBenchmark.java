package io.switchboard.http;

import static org.assertj.core.api.Assumptions.assumeThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.limits.Bucket4jBuckets;
import io.switchboard.core.tenancy.CompanySettingsCache;
import io.switchboard.limits.EndpointPolicies;
import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import io.switchboard.limits.RateLimitConfig;
import io.switchboard.limits.RateLimiter;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Measures what rate limiting costs per request. Not part of the normal suite; run with
 * {@code mvn -q -B test -Dtest=RateLimitOverheadBenchmark -Dbenchmark=true} and read the figures in
 * {@code target/surefire-reports/io.switchboard.http.RateLimitOverheadBenchmark-output.txt}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RateLimitOverheadBenchmark {
    // limits far above the defaults and switched off per company: the operator lifts the ceilings (factor 0)
    static final AppFixture F = new AppFixture(ProbeApp.class, "test-config.yml", Map.of("rateLimits.enabled", "true",
            "rateLimits.ceilingFactor", "0"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    static void skipUnlessAsked() {
        assumeThat(Boolean.getBoolean("benchmark")).as("run with -Dbenchmark=true").isTrue();
    }

    @Test
    void inProcessHotPathAndRoundTrip() throws Exception {
        skipUnlessAsked();
        PGSimpleDataSource raw = new PGSimpleDataSource();
        raw.setUrl(F.dbUrl);
        raw.setUser("postgres");
        DataSource ds = APP.getEnvironment() == null ? raw : pooled();
        Bucket4jBuckets buckets = Bucket4jBuckets.postgres(ds);
        RateLimitConfig cfg = new RateLimitConfig();
        RateLimiter limiter = new RateLimiter(buckets, cfg);
        CompanySettingsCache settings = new CompanySettingsCache(id -> Optional.of(CompanySettings.DEFAULTS), () -> true, 1_000);

        // 1. one shared-bucket round trip (what a reservation costs)
        RateLimit big = new RateLimit(1_000_000, 60_000_000);
        for (int i = 0; i < 500; i++) buckets.reserve("1:warm:x", big, 1);
        int n = 3_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) buckets.reserve("1:rt:x", big, 1);
        double rtMicros = (System.nanoTime() - t0) / 1e3 / n;

        // 2. the filter's per-request work (classify, settings, acquire) under a limit this loop never
        //    reaches, reserving 1,000 tokens at a time (the ingestion default's batch)
        RateLimitConfig never = new RateLimitConfig();
        never.setClasses(java.util.Map.of("ingestion", new RateLimitConfig.ClassLimit(1_000_000_000L, 60_000_000_000L)));
        RateLimiter hot = new RateLimiter(buckets, never);
        int iterations = 3_000_000;
        for (int round = 0; round < 3; round++) {
            long calls0 = hot.remoteCalls();
            t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                RateClass c = EndpointPolicies.rateClass("POST", "/api/client/events");
                RateLimit l = never.limitFor(c, settings.get(7));
                hot.acquire(7, c, l);
            }
            double ns = (System.nanoTime() - t0) / (double) iterations;
            System.out.printf("hot path (1 thread, batch %d): %.0f ns/request including %d round trips for %d requests%n",
                    never.batchFor(never.defaultFor(RateClass.INGESTION)), ns, hot.remoteCalls() - calls0, iterations);
        }
        // 2b. a client hammering a throttled class (ingestion default 50,000/s) from one thread
        long calls0 = limiter.remoteCalls();
        t0 = System.nanoTime();
        long admitted = 0;
        for (int i = 0; i < iterations; i++) {
            if (limiter.acquire(6, RateClass.INGESTION, cfg.defaultFor(RateClass.INGESTION)).allowed()) admitted++;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("over the limit (ingestion default 50,000/s, 1 thread): %.0f ns/request, %.0f admitted/s, %.0f round trips/s%n",
                secs * 1e9 / iterations, admitted / secs, (limiter.remoteCalls() - calls0) / secs);
        // 3. two threads on the same bucket
        ExecutorService pool = Executors.newFixedThreadPool(2);
        t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            fs.add(pool.submit(() -> {
                for (int i = 0; i < iterations; i++) {
                    hot.acquire(8, RateClass.INGESTION, never.limitFor(RateClass.INGESTION, settings.get(8)));
                }
            }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        double ns2 = (System.nanoTime() - t0) / (double) (2L * iterations);
        System.out.printf("shared-bucket round trip (Bucket4j SELECT FOR UPDATE on PostgreSQL, pooled): %.0f µs%n", rtMicros);
        System.out.printf("hot path (2 threads, same bucket): %.0f ns/request (wall time / requests)%n", ns2);
        System.out.printf("amortised at the Klaviyo client default (batch %d): %.1f µs/request of round trip%n",
                cfg.batchFor(new RateLimit(350, 3500)), rtMicros / cfg.batchFor(new RateLimit(350, 3500)));
    }

    static void patchSettings(TestCompany c, String settingsJson) {
        var r = F.request("PATCH", "/admin/companies/" + c.publicId(),
                "{\"data\":{\"type\":\"company\",\"id\":\"" + c.publicId() + "\",\"attributes\":{\"settings\":" + settingsJson + "}}}",
                java.util.Map.of("Authorization", "Bearer " + c.secretKey(), "Content-Type", "application/vnd.api+json"));
        if (r.status() != 200) throw new AssertionError(r.toString());
    }

    private static DataSource pooled() throws Exception {
        io.dropwizard.db.DataSourceFactory f = new io.dropwizard.db.DataSourceFactory();
        f.setDriverClass("org.postgresql.Driver");
        f.setUrl(F.dbUrl);
        f.setUser("postgres");
        f.setPassword("");
        var d = f.build(new com.codahale.metrics.MetricRegistry(), "bench");
        d.start();
        return d;
    }

    @Test
    void httpWithAndWithoutRateLimiting() throws Exception {
        skipUnlessAsked();
        TestCompany limited = F.createCompany("Limited");
        TestCompany unlimited = F.createCompany("Unlimited");
        // same class, same endpoint: one company limited (high enough never to throttle), one switched off
        patchSettings(limited,
                "{\"rate_limits\":{\"client\":{\"burst_per_second\":1000000,\"steady_per_minute\":60000000}}}");
        patchSettings(unlimited,
                "{\"rate_limits\":{\"client\":{\"burst_per_second\":0,\"steady_per_minute\":0}}}");
        Thread.sleep(1_500);
        HttpClient http = HttpClient.newBuilder().build();
        int threads = 16;
        for (int round = 0; round < 3; round++) {
            for (TestCompany c : List.of(unlimited, limited)) {
                URI uri = URI.create(F.baseUrl() + "/client/__probe?company_id=" + c.publicId());
                HttpRequest req = HttpRequest.newBuilder(uri).GET().build();
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long end = System.nanoTime() + 4_000_000_000L;
                List<Future<long[]>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> {
                        long[] lat = new long[200_000];
                        int k = 0;
                        while (System.nanoTime() < end && k < lat.length) {
                            long s = System.nanoTime();
                            HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() != 200) throw new IllegalStateException("status " + r.statusCode());
                            lat[k++] = System.nanoTime() - s;
                        }
                        return Arrays.copyOf(lat, k);
                    }));
                }
                List<Long> all = new ArrayList<>();
                for (Future<long[]> f : fs) for (long v : f.get()) all.add(v);
                pool.shutdown();
                all.sort(null);
                System.out.printf("round %d %-9s: %6.0f req/s, p50 %.2f ms, p99 %.2f ms%n", round,
                        c == limited ? "limited" : "unlimited", all.size() / 4.0,
                        all.get(all.size() / 2) / 1e6, all.get((int) (all.size() * 0.99)) / 1e6);
            }
        }
    }

    /**
     * The ingestion engineer's case: single Parcelvoy events ({@code POST /api/client/events}, one event a
     * request, a new profile each), 16 connections; one company with the ingestion class at its default
     * limit (never reached), one with the class switched off. Same server, alternating, last of 3 rounds.
     */
    @Test
    void parcelvoySingleEventsWithAndWithoutRateLimiting() throws Exception {
        skipUnlessAsked();
        TestCompany limited = F.createCompany("PvLimited");
        TestCompany unlimited = F.createCompany("PvUnlimited");
        patchSettings(unlimited, "{\"rate_limits\":{\"ingestion\":{\"burst_per_second\":0,\"steady_per_minute\":0}}}");
        Thread.sleep(1_500);
        HttpClient http = HttpClient.newBuilder().build();
        int threads = Integer.getInteger("benchmark.threads", 16);
        long seconds = Long.getLong("benchmark.seconds", 8);
        java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
        for (int round = 0; round < 3; round++) {
            for (TestCompany c : List.of(unlimited, limited)) {
                URI uri = URI.create(F.baseUrl() + "/api/client/events");
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                List<Future<long[]>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> {
                        long[] lat = new long[200_000];
                        int k = 0;
                        while (System.nanoTime() < end && k < lat.length) {
                            String body = "[{\"external_id\":\"ab-" + seq.incrementAndGet()
                                    + "\",\"name\":\"Opened\",\"data\":{\"x\":1}}]";
                            HttpRequest req = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + c.publicKey())
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                            long s = System.nanoTime();
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 204) throw new IllegalStateException("status " + r.statusCode() + " " + r.body());
                            lat[k++] = System.nanoTime() - s;
                        }
                        return Arrays.copyOf(lat, k);
                    }));
                }
                List<Long> all = new ArrayList<>();
                for (Future<long[]> f : fs) for (long v : f.get()) all.add(v);
                pool.shutdown();
                all.sort(null);
                System.out.printf("parcelvoy events round %d %-9s: %6.1f req/s, p50 %.1f ms, p99 %.1f ms%n", round,
                        c == limited ? "limited" : "unlimited", all.size() / (double) seconds,
                        all.get(all.size() / 2) / 1e6, all.get((int) (all.size() * 0.99)) / 1e6);
            }
        }
    }
}
