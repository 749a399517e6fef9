package io.switchboard.core.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attribute and property writes carried by a request. Keys of {@code attributes} are standard
 * attribute names, with location fields as {@code location.city} etc. A {@code NullNode} value clears
 * the key; an absent key is unchanged. {@code timestamp} is the write's own time (Segment
 * {@code timestamp}, imports); null means the receive time.
 */
public record ProfileWrite(Map<String, JsonNode> attributes, Map<String, JsonNode> properties,
                           PatchProperties patch, Instant timestamp, String propertiesPointer) {

    public ProfileWrite(Map<String, JsonNode> attributes, Map<String, JsonNode> properties, PatchProperties patch,
                        Instant timestamp) {
        this(attributes, properties, patch, timestamp, null);
    }

    /** Where the dialect's body carried {@code properties} (a JSON pointer, for input-limit errors). */
    public String propertiesPointerOrDefault() {
        return propertiesPointer == null ? "/properties" : propertiesPointer;
    }

    public static final List<String> STANDARD = List.of("first_name", "last_name", "organization", "title", "image",
            "locale");
    public static final List<String> LOCATION = List.of("address1", "address2", "city", "country", "region", "zip",
            "timezone", "ip", "latitude", "longitude");
    private static final Set<String> ALLOWED;

    static {
        java.util.HashSet<String> s = new java.util.HashSet<>(STANDARD);
        LOCATION.forEach(l -> s.add("location." + l));
        ALLOWED = Set.copyOf(s);
    }

    public static final ProfileWrite NONE = new ProfileWrite(Map.of(), Map.of(), PatchProperties.NONE, null);

    public ProfileWrite {
        attributes = attributes == null ? Map.of() : attributes;
        properties = properties == null ? Map.of() : properties;
        patch = patch == null ? PatchProperties.NONE : patch;
        for (String k : attributes.keySet()) {
            if (!ALLOWED.contains(k)) {
                throw new IllegalArgumentException("not a standard attribute: " + k);
            }
        }
    }

    public static boolean isStandard(String key) {
        return ALLOWED.contains(key);
    }

    public boolean isEmpty() {
        return attributes.isEmpty() && properties.isEmpty() && patch.isEmpty();
    }

    /** Builder for dialect mappers. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, JsonNode> attributes = new LinkedHashMap<>();
        private final Map<String, JsonNode> properties = new LinkedHashMap<>();
        private PatchProperties patch = PatchProperties.NONE;
        private Instant timestamp;
        private String propertiesPointer;

        public Builder attribute(String key, JsonNode value) {
            attributes.put(key, value);
            return this;
        }

        public Builder property(String key, JsonNode value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, JsonNode> props) {
            properties.putAll(props);
            return this;
        }

        public Builder patch(PatchProperties p) {
            this.patch = p;
            return this;
        }

        /** The JSON pointer of the body's properties object, named by input-limit errors. */
        public Builder propertiesPointer(String pointer) {
            this.propertiesPointer = pointer;
            return this;
        }

        public Builder timestamp(Instant t) {
            this.timestamp = t;
            return this;
        }

        public ProfileWrite build() {
            return new ProfileWrite(attributes, properties, patch, timestamp, propertiesPointer);
        }
    }
}
