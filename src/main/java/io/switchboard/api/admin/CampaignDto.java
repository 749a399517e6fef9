package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.campaigns.Campaign;
import java.time.Instant;
import java.util.Map;

/**
 * JSON:API {@code campaign}, with its templates by locale. On update, a locale mapped to null deletes
 * that template; locales not named are kept.
 */
@Type("campaign")
@JsonIgnoreProperties(ignoreUnknown = true)
public class CampaignDto {
    @Id
    public String id;
    public String name;
    public String channel;
    @JsonProperty("provider_id")
    public String providerId;
    public String state;
    public String subscription;
    @JsonProperty("default_locale")
    public String defaultLocale;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public Map<String, Map<String, Object>> templates;
    public Instant created;
    public Instant updated;

    public static CampaignDto of(Campaign c) {
        CampaignDto d = new CampaignDto();
        d.id = c.id();
        d.name = c.name();
        d.channel = c.channel().wire();
        d.providerId = c.providerId();
        d.state = c.state();
        d.subscription = c.subscription();
        d.defaultLocale = c.defaultLocale();
        d.templates = c.templates();
        d.created = c.createdAt();
        d.updated = c.updatedAt();
        return d;
    }
}
