package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.identity.Profile;
import java.time.Instant;
import java.util.List;

/** The dialect-neutral admin view of a profile: everything the store holds, write times included. */
@Type("profile")
@JsonIgnoreProperties(ignoreUnknown = true)
public class AdminProfileDto {
    @Id
    public String id;
    @JsonProperty("external_id") public String externalId;
    public String email;
    @JsonProperty("phone_number") public String phoneNumber;
    @JsonProperty("anonymous_ids") public List<String> anonymousIds;
    public ObjectNode attributes;
    public ObjectNode properties;
    @JsonProperty("write_times") public ObjectNode writeTimes;
    public Instant created;
    public Instant updated;
    @JsonProperty("last_event_date") public Instant lastEventDate;

    public static AdminProfileDto of(Profile p) {
        AdminProfileDto d = new AdminProfileDto();
        d.id = p.id();
        d.externalId = p.externalId();
        d.email = p.email();
        d.phoneNumber = p.phoneNumber();
        d.anonymousIds = p.anonymousIds();
        d.attributes = p.attributes();
        d.properties = p.properties();
        d.writeTimes = p.writeTimes();
        d.created = p.createdAt();
        d.updated = p.updatedAt();
        d.lastEventDate = p.lastEventAt();
        return d;
    }
}
