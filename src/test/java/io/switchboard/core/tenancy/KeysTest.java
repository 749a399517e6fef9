package io.switchboard.core.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written key format check accepts exactly what the documented pattern accepts. */
class KeysTest {
    @Test
    void generatedKeysLookLikeKeys() {
        for (int i = 0; i < 200; i++) {
            assertThat(Keys.looksLikeKey(Keys.newKey("secret"))).isTrue();
            assertThat(Keys.looksLikeKey(Keys.newKey("public"))).isTrue();
        }
    }

    @Test
    void nearMissesAreRefused() {
        String ok = "sk_" + "a".repeat(32);
        assertThat(Keys.looksLikeKey(ok)).isTrue();
        List<String> bad = List.of("", "sk_", ok + "a", ok.substring(1), "xk_" + "a".repeat(32), "sx_" + "a".repeat(32),
                "pk-" + "a".repeat(32), "Sk_" + "a".repeat(32), "sk_" + "a".repeat(31) + "-", "sk_" + "a".repeat(31) + "é",
                "sk_" + "a".repeat(31) + " ", "sk_" + "a".repeat(31) + "\u0000", "sk_" + "a".repeat(31) + "_");
        for (String b : bad) {
            assertThat(Keys.looksLikeKey(b)).as(b).isFalse();
            assertThat(Keys.looksLikeKeyByPattern(b)).as(b).isFalse();
        }
        assertThat(Keys.looksLikeKey(null)).isFalse();
    }

    @Test
    void agreesWithThePatternOnRandomStrings() {
        Random r = new Random(17);
        String alphabet = "pks_kAZaz09-_ é/+=\u0000\u00ff";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder sb = new StringBuilder(n % 3 == 0 ? (r.nextBoolean() ? "sk_" : "pk_") : "");
            int len = n % 3 == 0 ? 32 : 30 + r.nextInt(8);
            for (int i = 0; i < len; i++) {
                sb.append(r.nextInt(4) == 0 ? alphabet.charAt(r.nextInt(alphabet.length()))
                        : "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".charAt(r.nextInt(62)));
            }
            String s = sb.toString();
            assertThat(Keys.looksLikeKey(s)).as(s).isEqualTo(Keys.looksLikeKeyByPattern(s));
        }
    }
}
