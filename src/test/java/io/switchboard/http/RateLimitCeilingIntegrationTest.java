package io.switchboard.http;

import io.switchboard.core.tenancy.RateLimit;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant cannot lift its own rate limits (issue 11 leftovers: "limits on everything a tenant controls;
 * one tenant never slowing another"). Before the ceilings a company's secret key could PATCH
 * {@code settings.rate_limits.<class>} up to 1e9 or to 0 (window off). Now a company may lower each
 * window, not raise it above its ceiling (the operator's limit for it, {@code rateLimits.ceilingFactor}
 * × default = 1 ×) nor switch it off (400 naming the field, nothing written); a value stored before the
 * ceiling counts as the ceiling; the operator gives one company more in the configuration
 * ({@code rateLimits.companies.<public id>}), here company {@code CEIL01}: client 1,000/s + 60,000/min.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RateLimitCeilingIntegrationTest {
    static final String RAISED = "CEIL01";
    static final AppFixture F = new AppFixture(ProbeApp.class, "test-config.yml", Map.of(
            "rateLimits.enabled", "true",
            "rateLimits.companies." + RAISED + ".client.burstPerSecond", "1000",
            "rateLimits.companies." + RAISED + ".client.steadyPerMinute", "60000"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String P = "/data/attributes/settings/rate_limits/";

    static Res patch(TestCompany c, String settings) {
        return F.request("PATCH", "/admin/companies/" + c.publicId(), "{\"data\":{\"type\":\"company\",\"id\":\""
                + c.publicId() + "\",\"attributes\":{\"settings\":" + settings + "}}}",
                Map.of("Authorization", "Bearer " + c.secretKey(), "Content-Type", "application/vnd.api+json"));
    }

    static String stored(String publicId) {
        return F.db().withHandle(h -> h.createQuery("SELECT settings::text FROM companies WHERE public_id = :p")
                .bind("p", publicId).mapTo(String.class).one());
    }

    /** The client class's RateLimit-Limit (the steady window) once it equals {@code limit} (settings are cached ~1 s). */
    static Res awaitClientLimit(String publicId, String limit) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Res r;
        do {
            r = F.get("/client/__probe?company_id=" + publicId, Map.of());
            if (limit.equals(r.header("RateLimit-Limit"))) return r;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("client limit " + limit + " never applied; last: " + r + " " + r.headers().map());
    }

    @Test
    void aCompanyMayLowerItsLimitsButNotRaiseThemNorSwitchAWindowOff() throws Exception {
        TestCompany c = F.createCompany("Lowers");
        Res lower = patch(c, "{\"rate_limits\":{\"client\":{\"burst_per_second\":100,\"steady_per_minute\":1000}}}");
        assertThat(lower.status()).as(lower.toString()).isEqualTo(200);
        awaitClientLimit(c.publicId(), "1000");
        // at the ceiling (the default) is fine too
        assertThat(patch(c, "{\"rate_limits\":{\"client\":{\"burst_per_second\":350}}}").status()).isEqualTo(200);

        String before = stored(c.publicId());
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("{\"rate_limits\":{\"client\":{\"burst_per_second\":351}}}", P + "client/burst_per_second");
        refused.put("{\"rate_limits\":{\"client\":{\"steady_per_minute\":1000000000}}}", P + "client/steady_per_minute");
        refused.put("{\"rate_limits\":{\"client\":{\"steady_per_minute\":0}}}", P + "client/steady_per_minute");
        refused.put("{\"rate_limits\":{\"ingestion\":{\"burst_per_second\":0,\"steady_per_minute\":0}}}", P + "ingestion/burst_per_second");
        refused.put("{\"rate_limits\":{\"bulk\":{\"burst_per_second\":5,\"steady_per_minute\":151}}}", P + "bulk/steady_per_minute");
        // valid keys next to the refused window are not written either
        refused.put("{\"default_region\":\"DE\",\"rate_limits\":{\"trigger\":{\"burst_per_second\":76}}}", P + "trigger/burst_per_second");
        for (var e : refused.entrySet()) {
            Res r = patch(c, e.getKey());
            assertThat(r.status()).as(e.getKey() + " -> " + r).isEqualTo(400);
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(r.json().at("/errors/0/detail").asText()).as(e.getKey()).contains("must be from 1 to");
        }
        assertThat(stored(c.publicId())).isEqualTo(before);
        awaitClientLimit(c.publicId(), "1000");

        // a class whose default is off (admin) has no ceiling; null goes back to the default
        assertThat(patch(c, "{\"rate_limits\":{\"admin\":{\"burst_per_second\":50}}}").status()).isEqualTo(200);
        assertThat(patch(c, "{\"rate_limits\":{\"client\":null}}").status()).isEqualTo(200);
        awaitClientLimit(c.publicId(), "3500");
    }

    @Test
    void anOverrideStoredAboveTheCeilingCountsAsTheCeiling() throws Exception {
        TestCompany c = F.createCompany("Legacy");
        // written before the ceilings existed (or before the operator lowered them)
        F.db().useHandle(h -> h.createUpdate("UPDATE companies SET settings = CAST(:s AS jsonb) WHERE public_id = :p")
                .bind("s", "{\"rate_limits\":{\"client\":{\"burst_per_second\":1000000,\"steady_per_minute\":0}}}")
                .bind("p", c.publicId()).execute());
        Res r = awaitClientLimit(c.publicId(), "3500");
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void theOperatorRaisesOneCompanyInTheConfiguration() throws Exception {
        TestCompany created = F.createCompany("Raised");
        // the company the configuration names (public ids are random; give this one the configured id)
        F.db().useHandle(h -> h.createUpdate("UPDATE companies SET public_id = :n WHERE public_id = :p")
                .bind("n", RAISED).bind("p", created.publicId()).execute());
        TestCompany c = new TestCompany(RAISED, created.publicKey(), created.secretKey());
        awaitClientLimit(RAISED, "60000");
        // its own settings may go up to its ceiling, not beyond
        Res within = patch(c, "{\"rate_limits\":{\"client\":{\"burst_per_second\":1000,\"steady_per_minute\":30000}}}");
        assertThat(within.status()).as(within.toString()).isEqualTo(200);
        awaitClientLimit(RAISED, "30000");
        Res above = patch(c, "{\"rate_limits\":{\"client\":{\"burst_per_second\":1001}}}");
        assertThat(above.status()).isEqualTo(400);
        assertThat(above.json().at("/errors/0/detail").asText()).contains("from 1 to 1000");
        // another company keeps the default ceiling
        TestCompany other = F.createCompany("Other");
        Res refused = patch(other, "{\"rate_limits\":{\"client\":{\"burst_per_second\":1000}}}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().at("/errors/0/source/pointer").asText()).isEqualTo(P + "client/burst_per_second");
    }
}
