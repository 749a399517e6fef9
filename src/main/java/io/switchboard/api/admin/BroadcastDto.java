package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.campaigns.Broadcast;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON:API {@code broadcast} (docs/audiences.md, "Broadcasts"). Request attributes: {@code audience}
 * ({@code {"type": "list"|"segment", "id": …}}), optional {@code send_at} (ISO-8601 instant) or
 * {@code local_send_at} (a wall-clock date-time without offset, e.g. {@code 2026-12-01T09:00}, sent at that
 * time in each recipient's zone). Answers add {@code campaign_id}, {@code state}, {@code progress} and times.
 * Request attributes are read as plain JSON values and checked by the resource, so a wrong type is a 400
 * naming the attribute rather than a converter error.
 */
@Type("broadcast")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BroadcastDto {
    @Id
    public String id;
    @JsonProperty("campaign_id")
    public String campaignId;
    public Object audience;
    public String state;
    @JsonProperty("send_at")
    public Object sendAt;
    @JsonProperty("local_send_at")
    public Object localSendAt;
    public Map<String, Long> progress;
    public Instant created;
    public Instant updated;
    @JsonProperty("started_at")
    public Instant startedAt;
    @JsonProperty("enqueued_at")
    public Instant enqueuedAt;
    @JsonProperty("cancelled_at")
    public Instant cancelledAt;

    public static BroadcastDto of(Broadcast b) {
        BroadcastDto d = new BroadcastDto();
        d.id = b.id();
        d.campaignId = b.campaignId();
        d.audience = Map.of("type", b.audienceType(), "id", b.audienceId());
        d.state = b.state();
        d.sendAt = b.sendAt().toString();
        d.localSendAt = b.localSendAt() == null ? null : b.localSendAt().toString();
        Broadcast.Progress p = b.progress();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("enqueued", p.enqueued());
        m.put("pending", p.pending());
        m.put("sent", p.sent());
        m.put("failed", p.failed());
        m.put("skipped_consent", p.skippedConsent());
        m.put("skipped_no_address", p.skippedNoAddress());
        m.put("cancelled", p.cancelled());
        m.put("aborted", p.aborted());
        d.progress = m;
        d.created = b.createdAt();
        d.updated = b.updatedAt();
        d.startedAt = b.startedAt();
        d.enqueuedAt = b.enqueuedAt();
        d.cancelledAt = b.cancelledAt();
        return d;
    }
}
