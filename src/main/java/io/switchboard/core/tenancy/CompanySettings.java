package io.switchboard.core.tenancy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Per-company settings (stored as jsonb). Unknown keys are ignored so older servers can read newer rows.
 *
 * @param defaultRegion      ISO 3166 region used to parse national phone numbers (default US)
 * @param corsOrigins        browser origins allowed on public endpoints; empty means any
 * @param identifierBlockList extra junk identifier values for this company (case-insensitive)
 * @param rateLimits         per endpoint class overrides: class → {burst_per_second, steady_per_minute}
 * @param defaultTimezone    IANA time zone of recipients whose profile names none (local-time broadcasts); UTC
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompanySettings(
        @JsonProperty("default_region") String defaultRegion,
        @JsonProperty("cors_origins") List<String> corsOrigins,
        @JsonProperty("identifier_block_list") List<String> identifierBlockList,
        @JsonProperty("rate_limits") Map<String, RateLimitOverride> rateLimits,
        @JsonProperty("default_timezone") String defaultTimezone) {

    public static final CompanySettings DEFAULTS = new CompanySettings("US", List.of(), List.of(), Map.of());

    public CompanySettings(String defaultRegion, List<String> corsOrigins, List<String> identifierBlockList,
                           Map<String, RateLimitOverride> rateLimits) {
        this(defaultRegion, corsOrigins, identifierBlockList, rateLimits, null);
    }

    /** {@code default_timezone}, or UTC when unset. */
    public String timezoneOrUtc() {
        return defaultTimezone == null ? "UTC" : defaultTimezone;
    }

    public CompanySettings {
        defaultRegion = defaultRegion == null || defaultRegion.isBlank() ? "US" : defaultRegion.toUpperCase();
        corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
        identifierBlockList = identifierBlockList == null ? List.of() : List.copyOf(identifierBlockList);
        rateLimits = rateLimits == null ? Map.of() : Map.copyOf(rateLimits);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RateLimitOverride(
            @JsonProperty("burst_per_second") Integer burstPerSecond,
            @JsonProperty("steady_per_minute") Integer steadyPerMinute) {}
}
