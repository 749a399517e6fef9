package io.switchboard.delivery;

/**
 * Delivers one rendered message through one provider type. Implementations never throw for provider
 * trouble: they classify it as {@link DeliveryResult.Retry} or {@link DeliveryResult.Failed}.
 */
public interface ChannelSender {
    /** The provider type this sender serves ({@code smtp}, {@code twilio}, …). */
    String providerType();

    DeliveryResult send(OutgoingMessage message);

    /** Drops any cached client for a provider (its configuration changed). */
    default void forget(long companyId, String providerId) { }

    default void close() { }

    /** The outcome of a provider's "test connection" (the portal): whether it worked and what happened. */
    record Check(boolean ok, String message) {}

    /**
     * Checks that the provider can be reached with its configuration, sending no message. The default
     * has no live probe for the type and says so.
     */
    default Check testConnection(io.switchboard.core.campaigns.Provider provider) {
        return new Check(true, "The configuration is valid; " + providerType()
                + " providers have no live connection check (a test send shows whether delivery works).");
    }
}
