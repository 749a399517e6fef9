package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.campaigns.Send;
import java.time.Instant;

/** JSON:API {@code send}: one message of a campaign and where it stands. */
@Type("send")
@JsonIgnoreProperties(ignoreUnknown = true)
public class SendDto {
    @Id
    public String id;
    @JsonProperty("campaign_id")
    public String campaignId;
    @JsonProperty("profile_id")
    public String profileId;
    public String channel;
    public String address;
    public String locale;
    public String state;
    public String reason;
    public int attempts;
    @JsonProperty("next_attempt_at")
    public Instant nextAttemptAt;
    @JsonProperty("provider_id")
    public String providerId;
    @JsonProperty("provider_message_id")
    public String providerMessageId;
    @JsonProperty("last_error")
    public String lastError;
    @JsonProperty("token_invalid")
    public Boolean tokenInvalid;
    @JsonProperty("idempotency_key")
    public String idempotencyKey;
    public Instant created;
    public Instant updated;
    @JsonProperty("sent_at")
    public Instant sentAt;
    @JsonProperty("failed_at")
    public Instant failedAt;
    @JsonProperty("aborted_at")
    public Instant abortedAt;

    public static SendDto of(Send s) {
        SendDto d = new SendDto();
        d.id = s.id();
        d.campaignId = s.campaignId();
        d.profileId = s.profileId();
        d.channel = s.channel();
        d.address = s.address();
        d.locale = s.locale();
        d.state = s.state();
        d.reason = s.reason();
        d.attempts = s.attempts();
        boolean queued = s.state().equals("pending") || s.state().equals("throttled") || s.state().equals("sending");
        d.nextAttemptAt = queued ? s.nextAttemptAt() : null;
        d.providerId = s.providerId();
        d.providerMessageId = s.providerMessageId();
        d.lastError = s.lastError();
        d.tokenInvalid = s.tokenInvalid() ? Boolean.TRUE : null;
        d.idempotencyKey = s.idempotencyKey();
        d.created = s.createdAt();
        d.updated = s.updatedAt();
        d.sentAt = s.sentAt();
        d.failedAt = s.failedAt();
        d.abortedAt = s.abortedAt();
        return d;
    }
}
