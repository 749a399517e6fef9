package io.switchboard.core.tenancy;


/**
 * The most a company may set itself in {@code settings.rate_limits} (the operator's configuration,
 * {@code limits.RateLimitConfig}): one tenant cannot lift its own limits and so slow the others down.
 */
@FunctionalInterface
public interface RateLimitCeilings {
    /** No ceiling: any value from 0 (window off) up. */
    RateLimitCeilings NONE = (c, publicId) -> RateLimit.UNLIMITED;

    /** The ceiling of each window of a class for a company; a window of 0 has no ceiling. */
    RateLimit ceilingFor(RateClass c, String companyPublicId);
}
