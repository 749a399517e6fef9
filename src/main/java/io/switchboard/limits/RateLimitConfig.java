package io.switchboard.limits;

import io.switchboard.core.tenancy.RateClass;
import io.switchboard.core.tenancy.RateLimit;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.core.tenancy.CompanySettings;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code rateLimits:} in config.yml. Class defaults can be replaced here ({@code classes}), and for one
 * company ({@code companies}, by public id); companies override them in their settings
 * ({@code rate_limits}) but only below their ceiling: {@link #ceilingFor} (docs/operations.md).
 */
public class RateLimitConfig implements io.switchboard.core.tenancy.RateLimitCeilings {
    /** Off: no limits, no RateLimit-* headers, no bucket traffic. */
    private boolean enabled = true;

    /** Per class key (e.g. {@code ingestion}): {@code burstPerSecond}, {@code steadyPerMinute}; 0 = window off. */
    private Map<String, ClassLimit> classes = new HashMap<>();

    /**
     * The operator's limits for single companies: public id → class key → limit. They replace the class
     * default for that company, and with it the company's ceiling: the way to give one tenant more (or
     * switch a window off for it, 0) than it may give itself.
     */
    private Map<String, Map<String, ClassLimit>> companies = new HashMap<>();

    /**
     * What a company may set itself in {@code settings.rate_limits}: each window at most this multiple of
     * its limit here (the company's entry in {@code companies}, else {@code classes}, else the built-in
     * default), and never 0 (off) where that limit is on. 1: a tenant may only lower its limits. 0: no
     * ceiling (tenants may raise or switch off their own limits; for deployments whose tenants are trusted).
     */
    private double ceilingFactor = 1;

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
    @JsonProperty public Map<String, Map<String, ClassLimit>> getCompanies() { return companies; }
    @JsonProperty public void setCompanies(Map<String, Map<String, ClassLimit>> c) { this.companies = c == null ? new HashMap<>() : c; }
    @JsonProperty public double getCeilingFactor() { return ceilingFactor; }
    @JsonProperty public void setCeilingFactor(double f) {
        if (!(f >= 0) || Double.isInfinite(f)) throw new IllegalArgumentException("rateLimits.ceilingFactor must be >= 0");
        this.ceilingFactor = f;
    }
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
        return over(classes.get(c.key()), c.defaults());
    }

    /** A company's default of a class: its entry in {@code companies}, else {@link #defaultFor}. */
    public RateLimit defaultFor(RateClass c, String companyPublicId) {
        Map<String, ClassLimit> own = companyPublicId == null ? null : companies.get(companyPublicId);
        return over(own == null ? null : own.get(c.key()), defaultFor(c));
    }

    private static RateLimit over(ClassLimit l, RateLimit d) {
        if (l == null) return d;
        return new RateLimit(l.burstPerSecond != null ? l.burstPerSecond : d.burstPerSecond(),
                l.steadyPerMinute != null ? l.steadyPerMinute : d.steadyPerMinute());
    }

    /**
     * The most a company may set itself for a class, window by window: {@link #getCeilingFactor()} × its
     * default. A window of 0 has no ceiling (the company's default window is off, or the factor is 0).
     */
    @Override
    public RateLimit ceilingFor(RateClass c, String companyPublicId) {
        if (ceilingFactor == 0) return RateLimit.UNLIMITED;
        RateLimit d = defaultFor(c, companyPublicId);
        return new RateLimit(scaled(d.burstPerSecond()), scaled(d.steadyPerMinute()));
    }

    private long scaled(long window) {
        if (window <= 0) return 0;
        return (long) Math.max(1, Math.min((double) Long.MAX_VALUE / 2, Math.floor(window * ceilingFactor)));
    }

    /** The limit of a class for a company: its override, field by field, over the configured default. */
    public RateLimit limitFor(RateClass c, CompanySettings settings) {
        return limitFor(c, null, settings);
    }

    /**
     * The limit of a class for a company: its settings' override, window by window, over its default;
     * an override above the company's ceiling (or 0 where the ceiling is on) counts as the ceiling, so a
     * value stored before the ceiling was configured, or lowered, cannot lift the limit either.
     */
    public RateLimit limitFor(RateClass c, String companyPublicId, CompanySettings settings) {
        RateLimit d = defaultFor(c, companyPublicId);
        if (settings == null) return d;
        CompanySettings.RateLimitOverride o = settings.rateLimits().get(c.key());
        if (o == null) return d;
        RateLimit cap = ceilingFor(c, companyPublicId);
        return new RateLimit(
                o.burstPerSecond() != null ? capped(o.burstPerSecond(), cap.burstPerSecond()) : d.burstPerSecond(),
                o.steadyPerMinute() != null ? capped(o.steadyPerMinute(), cap.steadyPerMinute()) : d.steadyPerMinute());
    }

    private static long capped(long value, long ceiling) {
        if (ceiling <= 0) return value;
        return value <= 0 ? ceiling : Math.min(value, ceiling);
    }

    /** Tokens one process reserves at a time for a limit. */
    public long batchFor(RateLimit l) {
        if (reserveMillis <= 0) return 1;
        long perSecond = l.burstPerSecond() > 0 ? l.burstPerSecond() : Math.max(1, l.steadyPerMinute() / 60);
        return Math.max(1, Math.min(maxReserve, perSecond * reserveMillis / 1000));
    }
}
