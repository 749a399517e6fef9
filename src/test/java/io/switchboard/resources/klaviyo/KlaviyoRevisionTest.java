package io.switchboard.resources.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import io.switchboard.resources.klaviyo.KlaviyoRevision;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The revision rules on their own (the HTTP side is in {@link KlaviyoWireTest}). */
class KlaviyoRevisionTest {

    @Test
    void exactRevisionsServeThemselves() {
        for (LocalDate d : KlaviyoRevision.SUPPORTED) {
            KlaviyoRevision r = KlaviyoRevision.resolve(d.toString(), null);
            assertThat(r.date()).isEqualTo(d);
            assertThat(r.header()).isEqualTo(d.toString());
        }
        assertThat(KlaviyoRevision.OLDEST).isEqualTo(LocalDate.parse("2023-02-22"));
        assertThat(KlaviyoRevision.NEWEST).isEqualTo(LocalDate.parse("2026-07-15"));
    }

    @Test
    void aDateBetweenRevisionsIsServedByTheNewestOnOrBeforeIt() {
        assertThat(KlaviyoRevision.resolve("2025-11-30", null).date()).isEqualTo(LocalDate.parse("2025-10-15"));
        assertThat(KlaviyoRevision.resolve("2023-07-14", null).date()).isEqualTo(LocalDate.parse("2023-06-15"));
        assertThat(KlaviyoRevision.resolve(" 2024-10-16 ", null).date()).isEqualTo(LocalDate.parse("2024-10-15"));
    }

    @Test
    void suffixIsKeptAndEchoed() {
        KlaviyoRevision r = KlaviyoRevision.resolve("2026-07-15.pre", null);
        assertThat(r.date()).isEqualTo(LocalDate.parse("2026-07-15"));
        assertThat(r.suffix()).isEqualTo("pre");
        assertThat(r.header()).isEqualTo("2026-07-15.pre");
    }

    @Test
    void olderThanTheOldestFallsForwardUnlessOptedOut() {
        assertThat(KlaviyoRevision.resolve("2022-10-17", null).date()).isEqualTo(KlaviyoRevision.OLDEST);
        assertThat(KlaviyoRevision.resolve("2022-10-17", "0").date()).isEqualTo(KlaviyoRevision.OLDEST);
        assertThatThrownBy(() -> KlaviyoRevision.resolve("2022-10-17", "1"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.GONE);
                    assertThat(e.parameter()).isEqualTo("revision");
                });
    }

    @Test
    void missingMalformedAndFutureAre400NamingTheHeader() {
        for (String bad : new String[] {null, "", "  ", "2024-13-01", "2024-02-30", "24-01-01", "2024/01/15",
                "2024-01-15.", "2024-01-15.pre release", "latest", "2026-07-16", "2099-01-01"}) {
            assertThatThrownBy(() -> KlaviyoRevision.resolve(bad, null)).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID);
                        assertThat(e.parameter()).isEqualTo("revision");
                        assertThat(e.detail()).contains("revision");
                    });
        }
    }
}
