package io.switchboard.core.campaigns;

import java.time.Instant;
import java.util.Map;

/** One queued or finished message to one profile. {@code context} is the rendering data captured at trigger time. */
public record Send(long companyId, String id, String campaignId, String profileId, String channel, String address,
                   String locale, Map<String, Object> context, String idempotencyKey, String state, String reason,
                   int attempts, Instant nextAttemptAt, String claimedBy, Instant claimedUntil, String providerId,
                   String providerMessageId, String lastError, boolean tokenInvalid, Instant createdAt,
                   Instant updatedAt, Instant sentAt, Instant failedAt, Instant abortedAt) {}
