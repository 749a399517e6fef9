package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.db.ProfileDao;
import java.time.Instant;

/** One append-only identity history row. */
@Type("identity-history")
@JsonIgnoreProperties(ignoreUnknown = true)
public class HistoryDto {
    private static final ObjectMapper JSON = new ObjectMapper();
    @Id
    public String id;
    public Instant at;
    public String operation;
    @JsonProperty("survivor_id") public String survivorId;
    @JsonProperty("loser_id") public String loserId;
    public JsonNode identifiers;
    public String rule;
    public String credential;
    public String source;
    public JsonNode snapshot;

    public static HistoryDto of(ProfileDao.HistoryRow r) {
        HistoryDto d = new HistoryDto();
        d.id = Long.toString(r.id());
        d.at = r.at();
        d.operation = r.operation();
        d.survivorId = r.survivorId();
        d.loserId = r.loserId();
        d.rule = r.rule();
        d.credential = r.credential();
        d.source = r.source();
        try {
            d.identifiers = r.identifiers() == null ? null : JSON.readTree(r.identifiers());
            d.snapshot = r.snapshot() == null ? null : JSON.readTree(r.snapshot());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return d;
    }
}
