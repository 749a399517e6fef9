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
}
