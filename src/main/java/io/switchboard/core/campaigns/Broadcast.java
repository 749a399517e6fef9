package io.switchboard.core.campaigns;

import java.time.Instant;
import java.time.LocalDateTime;

/**
 * A broadcast: one send of a campaign to a list or a segment (docs/audiences.md, "Broadcasts"), with its
 * progress. {@code state} is the job's ({@code scheduled}, {@code enqueuing}, {@code enqueued},
 * {@code cancelled}) except that an enqueued broadcast none of whose sends wait any more reads
 * {@code completed}.
 */
public record Broadcast(String id, String campaignId, String audienceType, String audienceId, String state,
                        Instant sendAt, LocalDateTime localSendAt, Progress progress, Instant createdAt,
                        Instant updatedAt, Instant startedAt, Instant enqueuedAt, Instant cancelledAt) {

    /**
     * Sends by state: {@code enqueued} every send written (all below), {@code pending} waiting or in
     * flight (pending, throttled, sending), {@code sent}, {@code failed}, {@code skipped_consent} (opted
     * out or suppressed, at enqueue or at send time), {@code skipped_no_address}, {@code cancelled}
     * (aborted by the cancel), {@code aborted} (other delivery checks: campaign archived, push token
     * disabled…).
     */
    public record Progress(long enqueued, long pending, long sent, long failed, long skippedConsent,
                           long skippedNoAddress, long cancelled, long aborted) {}

    /** What an admin asks for: the audience, and when (null: now; or a wall-clock time in each recipient's zone). */
    public record Command(String audienceType, String audienceId, Instant sendAt, LocalDateTime localSendAt) {}
}
