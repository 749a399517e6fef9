package io.switchboard.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.jasminb.jsonapi.annotations.Id;
import com.github.jasminb.jsonapi.annotations.Type;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.CompanySettings;
import java.time.Instant;

/** JSON:API {@code company} resource. Its {@code id} is the public company id. */
@Type("company")
@JsonIgnoreProperties(ignoreUnknown = true)
public class CompanyDto {
    @Id
    public String id;

    @JsonProperty("public_id")
    public String publicId;

    public String name;

    public Instant created;

    public CompanySettings settings;

    public static CompanyDto of(Company c) {
        CompanyDto d = new CompanyDto();
        d.id = c.publicId();
        d.publicId = c.publicId();
        d.name = c.name();
        d.created = c.createdAt();
        d.settings = c.settings();
        return d;
    }
}
