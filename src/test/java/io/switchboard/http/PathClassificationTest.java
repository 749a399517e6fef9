package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.errors.Dialect;
import io.switchboard.limits.EndpointPolicies;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, finding 4: every policy — body limit, rate-limit class, CORS, the dialect of errors and
 * outage answers, request-log masking — is decided on one normalized path, so {@code ;x=1}, {@code %2F},
 * {@code //}, a trailing {@code /} and case variants of a path get the policy of the path itself.
 * (Before, {@code /api;x=1/client/campaigns/7/trigger} was a public CORS path in the ingestion class and
 * {@code /client;x=1/profiles} had the 5 MB limit instead of 100 KB.)
 */
class PathClassificationTest {

    static List<String> variants(String path) {
        int slash = path.indexOf('/', 1);
        String first = path.substring(0, slash), rest = path.substring(slash);
        return List.of(path,
                first + ";x=1" + rest,                       // matrix parameter on a segment
                path + ";jsessionid=abc",                    // on the last one
                first + "%2F" + rest.substring(1),           // encoded separator
                first + "/" + rest,                          // empty segment
                "/" + path,                                  // leading double slash
                path + "/",                                  // trailing slash
                path + "//",
                path.toUpperCase(java.util.Locale.ROOT),     // case variant
                first + "/./" + rest.substring(1),           // dot segment
                first + "%3Bx=1" + rest);                    // encoded matrix parameter
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/client/campaigns/7/trigger", "/client/profiles", "/client/event-bulk-create",
            "/api/profiles/01J0ABC", "/api/profile-merge", "/v1/batch", "/v1/track", "/api/public/apps/batch",
            "/api/client/events", "/admin/companies/abc", "/api/events"})
    void everyVariantOfAPathGetsThatPathsPolicies(String path) {
        RequestPath canonical = RequestPath.of("POST", path);
        for (String v : variants(path)) {
            RequestPath rp = RequestPath.of("POST", v);
            assertThat(rp.rateClass()).as("rate class of " + v).isEqualTo(canonical.rateClass());
            assertThat(rp.maxBodyBytes()).as("body limit of " + v).isEqualTo(canonical.maxBodyBytes());
            assertThat(rp.corsPublic()).as("CORS of " + v).isEqualTo(canonical.corsPublic());
            assertThat(rp.companyInQuery()).as("company_id of " + v).isEqualTo(canonical.companyInQuery());
            assertThat(rp.dialect()).as("dialect of " + v).isEqualTo(canonical.dialect());
            // the static entry points used by mappers agree with the per-request classification
            assertThat(Dialect.forPath(v)).as("Dialect.forPath " + v).isEqualTo(canonical.dialect());
            assertThat(Cors.isPublic(v)).as("Cors.isPublic " + v).isEqualTo(canonical.corsPublic());
            assertThat(EndpointPolicies.of("POST", v)).as("policy " + v).isEqualTo(canonical.policy());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/client/campaigns/7/trigger"})
    void theSecretTriggerIsNeverPublicNorIngestion(String path) {
        for (String v : variants(path)) {
            RequestPath rp = RequestPath.of("OPTIONS", v);
            assertThat(rp.corsPublic()).as(v).isFalse();
            assertThat(rp.rateClass()).as(v).isEqualTo(io.switchboard.core.tenancy.RateClass.TRIGGER);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/u;x=1/TOKENMARKER123", "/u//TOKENMARKER123", "/u/TOKENMARKER123/", "/U/TOKENMARKER123",
            "/u%2FTOKENMARKER123", "//u/TOKENMARKER123", "/u/TOKENMARKER123;x=1", "/u/./TOKENMARKER123"})
    void unsubscribeTokensAreMaskedInEveryVariant(String path) {
        assertThat(MaskedRequestLog.maskPath(path)).isEqualTo(MaskedRequestLog.MASKED_UNSUBSCRIBE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/batch;writeKey=pk_SECRET", "/api;key=SECRET/profiles"})
    void matrixParametersAreNeverLogged(String path) {
        assertThat(MaskedRequestLog.maskPath(path)).doesNotContain("SECRET").doesNotContain(";");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/client;x=1/profiles", "/v1/batch;a=b"})
    void matrixParametersAreFlagged(String path) {
        assertThat(RequestPath.of("POST", path).matrixParameters()).isTrue();
        assertThat(RequestPath.of("POST", path.replaceAll(";[^/]*", "")).matrixParameters()).isFalse();
    }
}
