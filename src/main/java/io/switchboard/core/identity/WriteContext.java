package io.switchboard.core.identity;

/**
 * Who writes and through which dialect, as labels recorded on history rows: {@code credential} is the
 * credential's log-safe label (never the secret), {@code source} the dialect/endpoint. Core never
 * branches on either.
 */
public record WriteContext(String credential, String source) {
    public WriteContext {
        if (credential == null) credential = "system";
    }
}
