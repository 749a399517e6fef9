package io.switchboard.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.WriteMode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One unit of an ingestion request, already validated by its dialect: who it is about (an identity
 * step), what happens to them (effects), and an optional idempotency key that makes a retry a no-op.
 * A request is a list of these; {@link IngestService#ingest} applies the whole list in one transaction.
 *
 * @param where   how the dialect names this item in error messages (e.g. {@code "0"}, {@code "batch[3]"})
 * @param key     optional per-item idempotency key (Segment messageId, Parcelvoy message_id)
 */
public record IngestOp(String where, IdempotencyKey key, IdentityStep identity, List<Effect> effects) {

    public IngestOp {
        effects = effects == null ? List.of() : List.copyOf(effects);
    }

    /** One unkeyed item: resolve these identifiers (with their attribute writes), then apply the effects. */
    public static IngestOp resolving(Identifiers ids, ProfileWrite write, WriteMode mode, List<Effect> effects) {
        return new IngestOp(null, null, new Resolve(ids, write, mode), effects);
    }

    /** (scope, key): the row of {@code idempotency_keys} that makes a repeat a no-op. */
    public record IdempotencyKey(String scope, String key) {}

    /** How the item finds its profile. */
    public sealed interface IdentityStep permits Resolve, Alias, ById {}

    /** identity.md "Resolving a write" plus the attribute writes. */
    public record Resolve(Identifiers ids, ProfileWrite write, WriteMode mode) implements IdentityStep {}

    /**
     * The person a profile id names (a merged profile's id stands for its survivor), resolved inside the
     * unit of work, with the attribute writes; an unknown id is a 400 at {@code pointer}.
     */
    public record ById(String profileId, ProfileWrite write, WriteMode mode, String pointer) implements IdentityStep {}

    /** identity.md "Alias". */
    public record Alias(String anonymousId, String externalId) implements IdentityStep {}

    /** What the item does to the resolved profile. */
    public sealed interface Effect permits Event, Device, UnregisterToken, Consent, ListMembership, BackInStock, Group {}

    /**
     * An event row. {@code klaviyoDedup}: dedup on (profile, metric, unique_id), else (profile, metric,
     * time in whole seconds), after the profile is known.
     */
    public record Event(String type, String name, JsonNode properties, BigDecimal value, String valueCurrency,
                        Instant occurredAt, String source, String dedupKey, JsonNode raw, boolean klaviyoDedup,
                        String propertiesPointer)
            implements Effect {
        public Event(String type, String name, JsonNode properties, BigDecimal value, String valueCurrency,
                     Instant occurredAt, String source, String dedupKey, JsonNode raw, boolean klaviyoDedup) {
            this(type, name, properties, value, valueCurrency, occurredAt, source, dedupKey, raw, klaviyoDedup, null);
        }

        /** The same event, its properties named at {@code pointer} in the request body (for input-limit errors). */
        public Event at(String pointer) {
            return new Event(type, name, properties, value, valueCurrency, occurredAt, source, dedupKey, raw,
                    klaviyoDedup, pointer);
        }
    }

    /** Upsert a device by device_id (or by token when device_id is null); a token is never on two devices. */
    public record Device(String deviceId, String token, String platform, String vendor, String os, String osVersion,
                         String model, String appBuild, String appVersion, String enablementStatus, String background,
                         boolean enabled, JsonNode metadata, String source) implements Effect {}

    /** A Klaviyo push token as a {@link Device} (device fields come from {@code device_metadata}). */
    public static Device pushToken(String deviceId, String token, String platform, String vendor,
                                   String enablementStatus, String background, JsonNode metadata, String source) {
        boolean enabled = enablementStatus == null
                || !(enablementStatus.equals("DENIED") || enablementStatus.equals("UNAUTHORIZED"));
        String os = metadata == null || !metadata.hasNonNull("os_name") ? null : metadata.get("os_name").asText();
        String osVersion = metadata == null || !metadata.hasNonNull("os_version") ? null : metadata.get("os_version").asText();
        String model = metadata == null || !metadata.hasNonNull("device_model") ? null : metadata.get("device_model").asText();
        String appBuild = metadata == null || !metadata.hasNonNull("app_build") ? null : metadata.get("app_build").asText();
        String appVersion = metadata == null || !metadata.hasNonNull("app_version") ? null : metadata.get("app_version").asText();
        return new Device(deviceId, token, platform, vendor, os, osVersion, model, appBuild, appVersion,
                enablementStatus, background, enabled, metadata, source);
    }

    /** Disable a push token (Klaviyo push-token-unregister). */
    public record UnregisterToken(String token) implements Effect {}

    /** Consent per channel/purpose, and optionally a list membership. */
    public record Consent(List<ChannelConsent> consents, String listId, String customSource, String source)
            implements Effect {}

    /** channel: email|sms|push; purpose: marketing|transactional; state: subscribed|unsubscribed. */
    public record ChannelConsent(String channel, String purpose, String state, Instant consentedAt) {}

    /** Join ({@code member}) or leave a list, e.g. Dittofeed's {@code DFSubscriptionChange} track event. */
    public record ListMembership(String listId, boolean member) implements Effect {}

    public record BackInStock(String variantId, List<String> channels) implements Effect {}

    /** Segment/Dittofeed group: upsert the group's traits and the membership ({@code assigned=false} removes it). */
    public record Group(String groupId, JsonNode traits, boolean assigned) implements Effect {}
}
