package io.switchboard.limits;

import io.switchboard.core.tenancy.RateLimit;

/** Token buckets shared by every server process (PostgreSQL in production, in-memory in unit tests). */
public interface SharedBuckets {

    /**
     * The outcome of one reservation: tokens granted (0..wanted), what the steady window (or the burst
     * window, when steady is off) has left after it, and when no token was granted, how long until one is.
     */
    record Reservation(long granted, long remaining, long nanosToWait) {}

    /** Takes up to {@code wanted} tokens from the bucket {@code key}, created with {@code limit} if new. */
    Reservation reserve(String key, RateLimit limit, long wanted);
}
