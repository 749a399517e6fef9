package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Regression: Bucket4j's PostgreSQL buckets share the connection pool and used to hand connections back
 * with auto-commit off. The delivery workers' next claim then opened a transaction nobody committed,
 * and a later request on that connection (e.g. creating a company) never committed either: fresh
 * companies and keys were invisible (404/401). Rate-limited trigger calls plus busy workers reproduced it
 * within a few iterations.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RateLimitedTriggersKeepThePoolCleanTest {
    static final AppFixture F = new AppFixture(SwitchboardApplication.class, "test-config.yml",
            Map.of("rateLimits.enabled", "true"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    @Test
    void everyCommittedWriteIsVisibleAndNoConnectionIsLeftInATransaction() {
        for (int i = 0; i < 30; i++) {
            TestCompany c = F.createCompany("Pool" + i);
            for (int k = 0; k < 3; k++) {
                assertThat(F.post("/api/client/campaigns/99/trigger", "{}", AppFixture.bearer(c.secretKey())).status())
                        .isEqualTo(404);
            }
            Res r = F.get("/admin/companies/" + c.publicId(), AppFixture.bearer(c.secretKey()));
            assertThat(r.status()).as("company %d: %s", i, r).isEqualTo(200);
        }
        long stuck = F.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND state = 'idle in transaction'");
        assertThat(stuck).isZero();
    }
}
