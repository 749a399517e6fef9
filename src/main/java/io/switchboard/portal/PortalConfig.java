package io.switchboard.portal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;

/** The portal's settings (config.yml {@code portal:}); docs/portal.md. */
public class PortalConfig {
    /** Base URL people reach the portal at; links in invitation and reset mails start with it. */
    @JsonProperty public String publicBaseUrl = "http://localhost:8080";
    /** {@code auto}: cookies are Secure when the request came over TLS (scheme or X-Forwarded-Proto); {@code always}; {@code never}. */
    @JsonProperty public String secureCookies = "auto";
    @JsonProperty public Duration sessionTtl = Duration.hours(12);
    @JsonProperty public Duration invitationTtl = Duration.days(7);
    @JsonProperty public Duration resetTtl = Duration.hours(1);
    @JsonProperty public SystemMailConfig systemMail = new SystemMailConfig();

    /** SMTP for invitation and reset mails. Without a host, links are written to the console (local runs). */
    public static class SystemMailConfig {
        @JsonProperty public String host = "";
        @JsonProperty public int port = 587;
        /** {@code starttls}, {@code ssl} or {@code none}. */
        @JsonProperty public String tls = "starttls";
        @JsonProperty public String username = "";
        @JsonProperty public String password = "";
        @JsonProperty public String from = "Switchboard <no-reply@localhost>";
    }
}
