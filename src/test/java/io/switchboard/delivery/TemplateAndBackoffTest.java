package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.campaigns.TemplateEngine;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Template compile/render rules and the retry delays, without a server. */
class TemplateAndBackoffTest {
    final TemplateEngine t = new TemplateEngine();

    @Test
    void compileErrorsNameFieldLineAndColumn() {
        assertThatThrownBy(() -> t.validate(Channel.SMS, "en", Map.of("text", "ok\n{{#each x}}no close"), "/p"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.UNPROCESSABLE);
                    assertThat(e.pointer()).isEqualTo("/p/en/text");
                    assertThat(e.detail()).contains("templates.en.text").contains("line 2");
                });
    }

    @Test
    void partialsAndUnknownFieldsAreRefusedAtSave() {
        assertThatThrownBy(() -> t.validate(Channel.EMAIL, "en", Map.of("html", "<p>\n{{> /etc/passwd}}"), "/p"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.detail()).contains("line 2").contains("partials"));
        assertThatThrownBy(() -> t.validate(Channel.SMS, "en", Map.of("subject", "x"), "/p"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID));
    }

    @Test
    void renderingEscapesOnlyHtmlAndSeesOnlyMaps() {
        Map<String, Object> model = Map.of("user", Map.of("name", "<Al & Bo>", "tags", java.util.List.of("a", "b")),
                "event", Map.of("n", 3));
        Map<String, Object> out = t.render(Map.of("html", "<p>{{user.name}}</p>", "text", "{{user.name}} {{event.n}}",
                "subject", "{{#each user.tags}}[{{this}}]{{/each}} {{user.name.bytes}}{{#if (eq event.n 3)}}three{{/if}}"), model);
        assertThat(out.get("html")).isEqualTo("<p>&lt;Al &amp; Bo&gt;</p>");
        assertThat(out.get("text")).isEqualTo("<Al & Bo> 3");
        assertThat(out.get("subject")).isEqualTo("[a][b] three");
    }

    @Test
    void backoffDoublesWithJitterAndHonoursRetryAfter() {
        Backoff b = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(30));
        for (int i = 0; i < 50; i++) {
            assertThat(b.after(1, null)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
            assertThat(b.after(3, null)).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(20));
            assertThat(b.after(30, null)).isBetween(Duration.ofMinutes(15), Duration.ofMinutes(30));
            assertThat(b.after(1, Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(60));
            assertThat(b.after(1, Duration.ofHours(5))).isEqualTo(Duration.ofMinutes(30));
        }
    }

    @Test
    void httpStatusesAreClassified() {
        assertThat(DeliveryResult.forHttpStatus(201, "", null, "id")).isEqualTo(new DeliveryResult.Sent("id"));
        assertThat(DeliveryResult.forHttpStatus(429, "", "7", null))
                .isEqualTo(new DeliveryResult.Retry("HTTP 429", Duration.ofSeconds(7)));
        assertThat(DeliveryResult.forHttpStatus(503, "", null, null)).isInstanceOf(DeliveryResult.Retry.class);
        assertThat(DeliveryResult.forHttpStatus(404, "", null, null)).isInstanceOf(DeliveryResult.Failed.class);
    }
}
