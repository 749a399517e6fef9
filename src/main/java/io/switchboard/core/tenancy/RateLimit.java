package io.switchboard.core.tenancy;

/**
 * One endpoint class's limit for one company: a burst window (requests per second) and a steady window
 * (requests per minute). A value of 0 or less switches that window off; both off means unlimited.
 */
public record RateLimit(long burstPerSecond, long steadyPerMinute) {
    public static final RateLimit UNLIMITED = new RateLimit(0, 0);

    public boolean unlimited() {
        return burstPerSecond <= 0 && steadyPerMinute <= 0;
    }

    /** The figure reported in {@code RateLimit-Limit}: the steady window, as Klaviyo does (else the burst one). */
    public long reportedLimit() {
        return steadyPerMinute > 0 ? steadyPerMinute : burstPerSecond;
    }

    /** Seconds the reported window needs to refill {@code missing} tokens. */
    public long secondsToRefill(long missing) {
        if (missing <= 0) return 0;
        return steadyPerMinute > 0 ? ceilDiv(missing * 60, steadyPerMinute) : ceilDiv(missing, burstPerSecond);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Part of the shared bucket's key, so a changed limit gets a fresh bucket (old rows expire). */
    public String keyPart() {
        return burstPerSecond + "s" + steadyPerMinute + "m";
    }
}
