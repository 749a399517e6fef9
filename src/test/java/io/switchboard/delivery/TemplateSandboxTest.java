package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.campaigns.TemplateEngine;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 finding 3: one tenant's template cannot take the memory, CPU or classpath of the process —
 * an allow-list of helpers, bounded padding, a cap on output that stops rendering early, a loop and
 * time budget, set-delimiter/decorator tricks refused at save, and render errors without Java names.
 */
class TemplateSandboxTest {
    final TemplateEngine t = new TemplateEngine();

    static List<Object> items(int n) {
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(i);
        return l;
    }

    private String renderError(Map<String, Object> template, Map<String, Object> model) {
        try {
            t.render(template, model);
        } catch (TemplateEngine.TemplateRenderException e) {
            assertThat(e.getMessage()).doesNotContainPattern("(?i)java|exception|jknack|\\w+\\.\\w+\\.\\w+");
            return e.getMessage();
        }
        throw new AssertionError("rendered without hitting a limit");
    }

    @Test
    void paddingHelpersCannotAllocateUnboundedStrings() {
        long t0 = System.nanoTime();
        String err = renderError(Map.of("text", "{{ljust \"x\" size=event.n}}"), Map.of("event", Map.of("n", 1_400_000_000)));
        assertThat(err).contains("ljust").contains("at most");
        assertThat(renderError(Map.of("text", "{{rjust \"x\" size=event.n}}"), Map.of("event", Map.of("n", 5_000_000))))
                .contains("rjust");
        assertThat(renderError(Map.of("text", "{{center \"x\" size=event.n}}"), Map.of("event", Map.of("n", 5_000_000))))
                .contains("center");
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        assertThat(t.render(Map.of("text", "[{{ljust \"ab\" size=5}}]"), Map.of()).get("text")).isEqualTo("[ab   ]");
    }

    @Test
    void nestedLoopsAreStoppedByTheIterationBudget() {
        String fourLevels = "{{#each event.a}}{{#each ../event.a}}{{#each ../../event.a}}{{#each ../../../event.a}}"
                + "{{/each}}{{/each}}{{/each}}{{/each}}";
        long t0 = System.nanoTime();
        String err = renderError(Map.of("text", fourLevels), Map.of("event", Map.of("a", items(60))));
        assertThat(err).contains("loops more than");
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        // an ordinary loop renders
        assertThat(t.render(Map.of("text", "{{#each event.a}}{{this}},{{/each}}"), Map.of("event", Map.of("a", items(3))))
                .get("text")).isEqualTo("0,1,2,");
    }

    @Test
    void outputIsCappedWhileRenderingNotAfter() {
        String big = "y".repeat(100_000);
        Map<String, Object> model = Map.of("event", Map.of("a", items(60), "big", big));
        assertThat(renderError(Map.of("html", "{{#each event.a}}{{../event.big}}{{/each}}"), model)).contains("larger than");
        // helpers that would build a huge string are refused before building it
        assertThat(renderError(Map.of("text", "{{replace event.big \"y\" event.big}}"), model)).contains("larger than");
        assertThat(renderError(Map.of("text", "{{join event.list event.big}}"),
                Map.of("event", Map.of("list", items(5_000), "big", big)))).contains("larger than");
        // the cap is per message: two fields of 600,000 characters together are too much
        String half = "z".repeat(600_000);
        assertThat(renderError(Map.of("text", "{{event.h}}", "html", "{{event.h}}"), Map.of("event", Map.of("h", half))))
                .contains("larger than");
    }

    @Test
    void onlyAllowListedHelpersExist() {
        for (String source : new String[] {
                "{{i18n \"hello\" bundle=\"logback\"}}", "{{i18nJs \"en\"}}", "{{stringFormat \"%999999999s\" \"x\"}}",
                "{{log \"x\"}}", "{{embedded \"x\"}}", "{{precompile \"x\"}}", "{{#block \"x\"}}y{{/block}}",
                "{{partial \"x\"}}", "{{getClass \"x\"}}", "{{#if (i18n \"x\")}}y{{/if}}"}) {
            assertThatThrownBy(() -> t.validate(Channel.SMS, "en", Map.of("text", source), "/p")).as(source)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.UNPROCESSABLE);
                        assertThat(e.detail()).contains("unknown helper");
                    });
        }
        // a template stored before the sandbox still cannot reach i18n at send time
        assertThat(renderError(Map.of("text", "{{i18n \"hello\" bundle=\"logback\"}}"), Map.of())).contains("unknown helper");
        // ordinary helpers and plain values still work; a missing value renders empty
        t.validate(Channel.SMS, "en", Map.of("text", "{{upper user.name}} {{default user.nick \"friend\"}} {{#if (gt event.n 2)}}x{{else}}y{{/if}}"), "/p");
        assertThat(t.render(Map.of("text", "{{upper user.name}}|{{user.missing}}|{{default user.nick \"friend\"}}"),
                Map.of("user", Map.of("name", "al"))).get("text")).isEqualTo("AL||friend");
    }

    @Test
    void setDelimitersDecoratorsAndPartialsAreRefusedAtSave() {
        for (String source : new String[] {"{{=<% %>=}}<%> x %>", "ok\n{{ = | | = }}", "{{#*inline \"x\"}}y{{/inline}}",
                "{{* deco}}", "{{> x}}", "{{#> layout}}y{{/layout}}"}) {
            assertThatThrownBy(() -> t.validate(Channel.EMAIL, "en", Map.of("html", source), "/p")).as(source)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNPROCESSABLE));
        }
    }

    @Test
    void renderErrorsCarryNoJavaNames() {
        String err = renderError(Map.of("text", "{{substring \"abc\" 99}}"), Map.of());
        assertThat(err).contains("line 1");
        assertThatThrownBy(() -> t.validate(Channel.SMS, "en", Map.of("text", "{{#each x}}{{/with}}"), "/p"))
                .isInstanceOfSatisfying(ApiException.class, e ->
                        assertThat(e.detail()).doesNotContainPattern("(?i)java\\.|exception|jknack"));
    }
}
