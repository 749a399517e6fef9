package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.core.campaigns.ProviderTypes;
import java.time.Instant;
import java.util.Map;

/** JSON:API {@code provider}. {@code config} secrets are always shown as {@value ProviderTypes#REDACTED}. */
@Type("provider")
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProviderDto {
    @Id
    public String id;
    public String type;
    public String name;
    public Map<String, Object> config;
    @JsonProperty("rate_limit")
    public Integer rateLimit;
    @JsonProperty("rate_interval")
    public String rateInterval;
    public Instant created;
    public Instant updated;

    public static ProviderDto of(Provider p) {
        ProviderDto d = new ProviderDto();
        d.id = p.id();
        d.type = p.type();
        d.name = p.name();
        d.config = ProviderTypes.redact(p.type(), p.config());
        d.rateLimit = p.rateLimit();
        d.rateInterval = p.rateInterval();
        d.created = p.createdAt();
        d.updated = p.updatedAt();
        return d;
    }
}
