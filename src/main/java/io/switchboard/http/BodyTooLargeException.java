package io.switchboard.http;

import java.io.IOException;

/**
 * Thrown by the counting stream of {@link BodyLimitFilter} when a body without (or with a false)
 * Content-Length grows past its limit. An {@link IOException}, so JSON parsers pass it through unwrapped.
 */
public class BodyTooLargeException extends IOException {
    private final long limit;

    public BodyTooLargeException(long limit) {
        super("request body larger than " + limit + " bytes", null);
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
