package io.switchboard.limits;

import io.switchboard.core.InputLimits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputLimitsTest {
    static final ObjectMapper M = InputLimits.applyTo(new ObjectMapper());

    @Test
    void atMost400Properties() {
        ObjectNode ok = M.createObjectNode();
        for (int i = 0; i < 400; i++) ok.put("k" + i, i);
        InputLimits.checkProperties(ok, "/data/attributes/properties");
        ok.put("k400", 1);
        assertThatThrownBy(() -> InputLimits.checkProperties(ok, "/data/attributes/properties"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID);
                    assertThat(e.pointer()).isEqualTo("/data/attributes/properties");
                    assertThat(e.detail()).contains("401").contains("400");
                });
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < 401; i++) map.put("k" + i, i);
        assertThatThrownBy(() -> InputLimits.checkProperties(map, "/properties")).isInstanceOf(ApiException.class);
    }

    @Test
    void nulCharactersAreRefusedWithTheirPointer() throws Exception {
        var node = M.readTree("{\"a\":{\"b/c\":[\"x\",\"bad\\u0000\"]}}");
        assertThatThrownBy(() -> InputLimits.checkProperties(node, "/properties"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.pointer()).isEqualTo("/properties/a/b~1c/1"));
        assertThatThrownBy(() -> InputLimits.checkProperties(Map.of("k", List.of(Map.of("n\u0000", 1))), "/p"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.pointer()).isEqualTo("/p/k/0/n\u0000"));
    }

    @Test
    void longStringsInMapsAreRefused() {
        String s = "x".repeat(InputLimits.MAX_STRING_CHARS + 1);
        assertThatThrownBy(() -> InputLimits.checkProperties(Map.of("k", s), "/p")).isInstanceOf(ApiException.class);
        InputLimits.checkProperties(Map.of("k", "x".repeat(InputLimits.MAX_STRING_CHARS)), "/p");
    }

    @Test
    void parserEnforcesDepthAndStringLength() {
        assertThatThrownBy(() -> M.readTree("[".repeat(33) + "]".repeat(33)))
                .hasMessageContaining("nesting depth");
        assertThatThrownBy(() -> M.readTree("\"" + "x".repeat(InputLimits.MAX_STRING_CHARS + 1) + "\""))
                .hasMessageContaining("String value length");
        assertThat(M.copy().getFactory().streamReadConstraints().getMaxNestingDepth()).isEqualTo(32);
    }
}
