package io.switchboard.limits;

import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointPoliciesTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST, /client/profiles, CLIENT",
            "POST, /client/profiles/, CLIENT",
            "POST, client/events, CLIENT",
            "POST, /client/subscriptions, CLIENT",
            "POST, /client/push-tokens, CLIENT",
            "POST, /client/push-token-unregister, CLIENT",
            "POST, /client/back-in-stock-subscriptions, CLIENT",
            "POST, /client/event-bulk-create, BULK",
            "POST, /client/event-bulk-create/, BULK",
            "GET, /api/profiles, SERVER_PROFILES",
            "POST, /api/profiles/, SERVER_PROFILES",
            "GET, /api/profiles/01J0ABC, SERVER_PROFILES",
            "PATCH, /api/profiles/01J0ABC, SERVER_PROFILES",
            "POST, /api/profile-import, SERVER_PROFILES",
            "POST, /api/profile-merge, BULK",
            "POST, /api/data-privacy-deletion-jobs, BULK",
            "POST, /api/events, SERVER_EVENTS",
            "GET, /api/events/abc, SERVER_EVENTS",
            "GET, /api/metrics, SERVER",
            "POST, /api/client/identify, INGESTION",
            "POST, /api/client/events, INGESTION",
            "POST, /api/client/campaigns/7/trigger, TRIGGER",
            "POST, /api/public/apps/track, INGESTION",
            "POST, /api/public/apps/batch, INGESTION",
            "POST, /v1/track, INGESTION",
            "POST, /v1/batch, INGESTION",
            "GET, /admin/companies/abc, ADMIN",
    })
    void classifiesEndpoints(String method, String path, RateClass expected) {
        assertThat(EndpointPolicies.rateClass(method, path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1} -> {2} bytes")
    @CsvSource({
            "POST, /client/profiles, 102400",
            "POST, /client/profiles/, 102400",
            "POST, /client/events, 5242880",
            "POST, /api/profiles, 102400",
            "PATCH, /api/profiles/01J0ABC, 102400",
            "POST, /api/profile-import, 102400",
            "POST, /api/events, 5242880",
            "POST, /api/client/events, 5242880",
            "POST, /api/public/apps/identify, 32768",
            "POST, /api/public/apps/batch, 512000",
            "POST, /v1/identify, 32768",
            "POST, /v1/batch, 512000",
            "POST, /v1/import, 512000",
            "POST, /admin/companies, 5242880",
            "POST, /nowhere, 5242880",
    })
    void bodyLimits(String method, String path, long expected) {
        assertThat(EndpointPolicies.maxBodyBytes(method, path)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void unknownPathsAreNotRateLimitedAndPatternsAreSegmentAware() {
        assertThat(EndpointPolicies.rateClass("GET", "/")).isNull();
        assertThat(EndpointPolicies.rateClass("GET", "/clientele")).isNull();
        assertThat(EndpointPolicies.rateClass("GET", "/v10/x")).isNull();
        assertThat(EndpointPolicies.rateClass("GET", "/api/profilesx")).isEqualTo(RateClass.SERVER);
        assertThat(EndpointPolicies.matches("/a/*", "/a/b")).isTrue();
        assertThat(EndpointPolicies.matches("/a/*", "/a/b/c")).isFalse();
        assertThat(EndpointPolicies.matches("/a/**", "/a")).isTrue();
        assertThat(EndpointPolicies.matches("/a/**", "/ab")).isFalse();
    }

    @org.junit.jupiter.api.Test
    void everyClassHasAKeyThatRoundTrips() {
        for (RateClass c : RateClass.values()) {
            assertThat(RateClass.forKey(c.key())).isEqualTo(c);
        }
        assertThat(RateClass.CLIENT.defaults()).isEqualTo(new RateLimit(350, 3500));
        assertThat(RateClass.SERVER_PROFILES.defaults()).isEqualTo(new RateLimit(75, 750));
        assertThat(RateClass.BULK.defaults()).isEqualTo(new RateLimit(10, 150));
        assertThat(RateClass.INGESTION.defaults().burstPerSecond()).isGreaterThanOrEqualTo(5_000);
        assertThat(RateClass.INGESTION.defaults().steadyPerMinute()).isGreaterThanOrEqualTo(5_000 * 60);
        assertThat(RateClass.ADMIN.defaults().unlimited()).isTrue();
    }
}
