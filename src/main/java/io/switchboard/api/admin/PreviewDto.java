package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import java.util.Map;

/**
 * JSON:API {@code campaign-preview}. Request attributes: {@code locale?}, {@code profile_id?}, {@code user?}, {@code event?}.
 * Response attributes: {@code locale} (the template used) and {@code rendered} (each template field).
 */
@Type("campaign-preview")
@JsonIgnoreProperties(ignoreUnknown = true)
public class PreviewDto {
    @Id
    public String id;
    public String locale;
    @com.fasterxml.jackson.annotation.JsonProperty("profile_id")
    public String profileId;
    public Map<String, Object> user;
    public Map<String, Object> event;
    public Map<String, Object> rendered;
}
