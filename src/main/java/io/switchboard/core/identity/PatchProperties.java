package io.switchboard.core.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** Klaviyo's {@code meta.patch_properties}: append to / remove from array properties, unset keys. */
public record PatchProperties(Map<String, JsonNode> append, Map<String, JsonNode> unappend, List<String> unset) {
    public static final PatchProperties NONE = new PatchProperties(Map.of(), Map.of(), List.of());

    public PatchProperties {
        append = append == null ? Map.of() : append;
        unappend = unappend == null ? Map.of() : unappend;
        unset = unset == null ? List.of() : unset;
    }

    public boolean isEmpty() {
        return append.isEmpty() && unappend.isEmpty() && unset.isEmpty();
    }
}
