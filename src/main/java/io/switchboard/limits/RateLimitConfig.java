package io.switchboard.limits;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.core.tenancy.CompanySettings;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code rateLimits:} in config.yml. Class defaults can be replaced here; companies override them in
 * their settings ({@code rate_limits}).
 */
public class RateLimitConfig {
    /** Off: no limits, no RateLimit-* headers, no bucket traffic. */
    private boolean enabled = true;

    /** Per class key (e.g. {@code ingestion}): {@code burstPerSecond}, {@code steadyPerMinute}; 0 = window off. */
    private Map<String, ClassLimit> classes = new HashMap<>();

    /**
     * How many tokens a server process takes from the shared bucket at a time, as milliseconds of the
     * burst rate (50 ms of 350/s = 17 tokens). 0 reserves one token per request (exact, one database
     * round trip per request).
     */
    private long reserveMillis = 50;

    /** Upper bound of one reservation. */
    private long maxReserve = 1_000;

    /** Reserve the next batch in the background when half of the current one is used (batches ≥ 4). */
    private boolean prefetch = true;

    /** Reserved but unused tokens are dropped after this long, so an idle process holds none. */
    private long reservationTtlMillis = 1_000;

    public static class ClassLimit {
        private Long burstPerSecond;
        private Long steadyPerMinute;

        public ClassLimit() {}

        public ClassLimit(Long burstPerSecond, Long steadyPerMinute) {
            this.burstPerSecond = burstPerSecond;
            this.steadyPerMinute = steadyPerMinute;
        }

        @JsonProperty public Long getBurstPerSecond() { return burstPerSecond; }
        @JsonProperty public void setBurstPerSecond(Long v) { this.burstPerSecond = v; }
        @JsonProperty public Long getSteadyPerMinute() { return steadyPerMinute; }
        @JsonProperty public void setSteadyPerMinute(Long v) { this.steadyPerMinute = v; }
    }

    @JsonProperty public boolean isEnabled() { return enabled; }
    @JsonProperty public void setEnabled(boolean e) { this.enabled = e; }
    @JsonProperty public Map<String, ClassLimit> getClasses() { return classes; }
    @JsonProperty public void setClasses(Map<String, ClassLimit> c) { this.classes = c == null ? new HashMap<>() : c; }
    @JsonProperty public long getReserveMillis() { return reserveMillis; }
    @JsonProperty public void setReserveMillis(long v) { this.reserveMillis = v; }
    @JsonProperty public long getMaxReserve() { return maxReserve; }
    @JsonProperty public void setMaxReserve(long v) { this.maxReserve = v; }
    @JsonProperty public boolean isPrefetch() { return prefetch; }
    @JsonProperty public void setPrefetch(boolean p) { this.prefetch = p; }
    @JsonProperty public long getReservationTtlMillis() { return reservationTtlMillis; }
    @JsonProperty public void setReservationTtlMillis(long v) { this.reservationTtlMillis = v; }

    /** The configured default of a class (config.yml over the built-in default). */
    public RateLimit defaultFor(RateClass c) {
        ClassLimit l = classes.get(c.key());
        RateLimit d = c.defaults();
        if (l == null) return d;
        return new RateLimit(l.burstPerSecond != null ? l.burstPerSecond : d.burstPerSecond(),
                l.steadyPerMinute != null ? l.steadyPerMinute : d.steadyPerMinute());
    }

    /** The limit of a class for a company: its override, field by field, over the configured default. */
    public RateLimit limitFor(RateClass c, CompanySettings settings) {
        RateLimit d = defaultFor(c);
        if (settings == null) return d;
        CompanySettings.RateLimitOverride o = settings.rateLimits().get(c.key());
        if (o == null) return d;
        return new RateLimit(o.burstPerSecond() != null ? o.burstPerSecond() : d.burstPerSecond(),
                o.steadyPerMinute() != null ? o.steadyPerMinute() : d.steadyPerMinute());
    }

    /** Tokens one process reserves at a time for a limit. */
    public long batchFor(RateLimit l) {
        if (reserveMillis <= 0) return 1;
        long perSecond = l.burstPerSecond() > 0 ? l.burstPerSecond() : Math.max(1, l.steadyPerMinute() / 60);
        return Math.max(1, Math.min(maxReserve, perSecond * reserveMillis / 1000));
    }
}
