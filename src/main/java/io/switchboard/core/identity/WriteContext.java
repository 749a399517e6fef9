package io.switchboard.core.identity;

import io.switchboard.auth.Caller;

/** Who writes and through which dialect: recorded on history rows. Core never branches on the dialect. */
public record WriteContext(Caller caller, String source) {
    public String credential() {
        return caller == null ? "system" : caller.credentialLabel();
    }
}
