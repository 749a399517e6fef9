package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import java.time.Instant;

/** JSON:API {@code channel-unsubscribe}: a profile's opt-out of one channel for one subscription kind. Id: {@code channel:subscription}. */
@Type("channel-unsubscribe")
@JsonIgnoreProperties(ignoreUnknown = true)
public class ChannelUnsubscribeDto {
    @Id
    public String id;
    public String channel;
    public String subscription;
    public String source;
    public Instant created;
}
