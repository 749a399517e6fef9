package io.switchboard.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: after attempt n the nominal delay is base·2^(n−1), capped at max; the
 * actual delay is uniform in [nominal/2, nominal] ("equal jitter"), so retries of many sends spread out
 * but never come sooner than half the nominal delay. A provider's Retry-After wins when it is longer.
 */
public final class Backoff {
    private final Duration base;
    private final Duration max;

    public Backoff(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    public Duration after(int attempt, Duration retryAfter) {
        long baseMs = Math.max(1, base.toMillis());
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long nominal = Math.min(max.toMillis(), baseMs << shift);
        long half = nominal / 2;
        long delay = half + ThreadLocalRandom.current().nextLong(nominal - half + 1);
        if (retryAfter != null && retryAfter.toMillis() > delay) {
            delay = Math.min(retryAfter.toMillis(), Math.max(max.toMillis(), delay));
        }
        return Duration.ofMillis(delay);
    }
}
