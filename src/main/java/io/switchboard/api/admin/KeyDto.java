package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.tenancy.ApiKey;
import java.time.Instant;

/** JSON:API {@code key} resource; {@code key} (the plaintext) is present only in the creating response. */
@Type("key")
@JsonIgnoreProperties(ignoreUnknown = true)
public class KeyDto {
    @Id
    public String id;
    public String kind;
    public String name;
    public String prefix;
    public Instant created;
    public Instant revoked;
    public String key;

    public static KeyDto of(ApiKey k, String plaintext) {
        KeyDto d = new KeyDto();
        d.id = k.id();
        d.kind = k.kind();
        d.name = k.name();
        d.prefix = k.prefix();
        d.created = k.createdAt();
        d.revoked = k.revokedAt();
        d.key = plaintext;
        return d;
    }
}
