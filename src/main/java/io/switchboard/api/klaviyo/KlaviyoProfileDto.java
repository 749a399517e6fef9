package io.switchboard.api.klaviyo;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.jasminb.jsonapi.Links;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Klaviyo {@code profile} resource object as jsonapi-converter writes it. Attributes are a map
 * (through {@link JsonAnyGetter}) rather than fields because Klaviyo's document lists every attribute
 * with {@code null} when unset, while sparse fieldsets ({@code fields[profile]}) and revisions decide
 * which attributes appear at all; {@code NullNode} values survive the converter's NON_NULL setting.
 * Built by {@link KlaviyoProfileMapper}; output only (requests are parsed as trees, see {@link ProfileRequest}).
 */
@Type("profile")
@JsonIgnoreProperties(ignoreUnknown = true)
public class KlaviyoProfileDto {
    @Id
    public String id;

    @com.github.jasminb.jsonapi.annotations.Links
    public Links links;

    @JsonIgnore
    public final Map<String, JsonNode> attributes = new LinkedHashMap<>();

    @JsonAnyGetter
    public Map<String, JsonNode> attributes() {
        return attributes;
    }
}
