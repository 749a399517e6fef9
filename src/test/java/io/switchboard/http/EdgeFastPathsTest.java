package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.resources.ParameterGuard;
import io.switchboard.api.Body;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The per-request shortcuts of issue 17 (docs/performance.md, "Issue 17, third round") decide exactly what the slow
 * paths they skip would have decided.
 */
class EdgeFastPathsTest {

    @Test
    void aCachedClassificationIsTheSameAsAFreshOneForEveryVariantOfAPath() {
        String[] paths = {"/api/client/events", "/API/Client/Events", "/api;x=1/client/events", "/api/client%2Fevents",
                "//api//client/./events/", "/v1/batch", "/client/profiles/", "/admin/companies/abc", "/portal/x",
                "/../api/client/events", "/u/some-token", "/"};
        for (String method : new String[] {"POST", "GET", "post"}) {
            for (String p : paths) {
                RequestPath first = RequestPath.of(method, p);
                assertThat(RequestPath.of(method, p)).isSameAs(first);
                assertThat(first).isEqualTo(RequestPath.classify(method, p));
            }
        }
        assertThat(RequestPath.of("POST", "/api;x=1/client/events").matrixParameters()).isTrue();
        assertThat(RequestPath.of("POST", "/api/client/events").matrixParameters()).isFalse();
        assertThat(RequestPath.of("POST", "/API/Client/Events").normalized()).isEqualTo("/api/client/events");
    }

    @Test
    void theCacheStaysBoundedUnderRandomPaths() {
        for (int i = 0; i < 10_000; i++) RequestPath.of("GET", "/api/profiles/" + i);
        assertThat(RequestPath.cachedEntries()).isLessThanOrEqualTo(4096);
    }

    @Test
    void onlyARawUriWithPercentZeroZeroCanDecodeToANul() {
        assertThat(ParameterGuard.rawMayHoldNul("/api/profiles/a%00b")).isTrue();
        assertThat(ParameterGuard.rawMayHoldNul("filter=equals(email,%22a%00%22)")).isTrue();
        assertThat(ParameterGuard.rawMayHoldNul("/api/profiles/a%2500b")).isFalse(); // decodes to the text "%00"
        assertThat(ParameterGuard.rawMayHoldNul("/api/client/events")).isFalse();
        assertThat(ParameterGuard.rawMayHoldNul(null)).isFalse();
    }

    @Test
    void asciiBodiesSkipTheStrictDecoderAndInvalidUtf8IsStillRefused() {
        assertThat(Body.parse("{\"a\":\"b\"}".getBytes(StandardCharsets.US_ASCII)).get("a").asText()).isEqualTo("b");
        assertThat(Body.parse("{\"a\":\"é€😀\"}".getBytes(StandardCharsets.UTF_8)).get("a").asText()).isEqualTo("é€😀");
        byte[] latin1 = "{\"a\":\"é\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Body.parse(latin1)).hasMessageContaining("not valid UTF-8");
        byte[] surrogate = {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        assertThatThrownBy(() -> Body.parse(surrogate)).hasMessageContaining("not valid UTF-8");
    }
}
