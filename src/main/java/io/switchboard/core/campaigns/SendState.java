package io.switchboard.core.campaigns;

/** States of a send (campaigns.md, "Delivery pipeline"). */
public final class SendState {
    public static final String PENDING = "pending";
    public static final String SENDING = "sending";
    public static final String SENT = "sent";
    public static final String THROTTLED = "throttled";
    public static final String FAILED = "failed";
    public static final String ABORTED = "aborted";

    public static final java.util.Set<String> ALL = java.util.Set.of(PENDING, SENDING, SENT, THROTTLED, FAILED, ABORTED);

    private SendState() {}
}
