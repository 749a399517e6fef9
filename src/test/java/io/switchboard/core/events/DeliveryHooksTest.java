package io.switchboard.core.events;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.core.Tx;
import io.switchboard.core.devices.DevicePushTokens;
import io.switchboard.core.events.EventStoreDeliveryEvents;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.TestCompany;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The delivery module's hooks implemented over the shared event and device stores. */
@ExtendWith(DropwizardExtensionsSupport.class)
class DeliveryHooksTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    @Test
    void deliveryEventsAndPushTokensLandInTheSharedStores() {
        TestCompany c = F.createCompany("Hooks");
        assertThat(F.post("/api/client/devices", "{\"external_id\":\"hk-u\",\"device_id\":\"hk-dev\",\"token\":\"hk-tok-1\"}",
                bearer(c.publicKey())).status()).isEqualTo(204);
        assertThat(F.post("/api/client/identify", "{\"external_id\":\"hk-v\"}", bearer(c.publicKey())).status()).isEqualTo(204);
        String u = owner(F, c, "external_id", "hk-u");
        String v = owner(F, c, "external_id", "hk-v");
        long companyId = F.companyId(c.publicId());
        Jdbi jdbi = F.db();
        jdbi.installPlugin(new org.jdbi.v3.sqlobject.SqlObjectPlugin()).installPlugin(new org.jdbi.v3.postgres.PostgresPlugin());
        IngestService ingest = new IngestService(new Tx(jdbi), new IdentityService(new Tx(jdbi), id -> CompanySettings.DEFAULTS),
                Duration.ofDays(30), Duration.ofDays(400));
        EventStoreDeliveryEvents events = new EventStoreDeliveryEvents(ingest);
        DevicePushTokens tokens = new DevicePushTokens();
        jdbi.useTransaction(h -> {
            events.record(h, companyId, u, "42", "push_sent", Map.of("campaign_id", 7));
            tokens.register(h, companyId, v, "hk-tok-2");      // a new token: a token-only device of v
            tokens.register(h, companyId, v, "hk-tok-1");      // u's device token moves to v
            tokens.disableInvalidToken(h, companyId, v, "hk-tok-2", "Unregistered");
        });
        var ev = adminEvents(F, c, u).get(0).get("attributes");
        assertThat(ev.get("name").asText()).isEqualTo("push_sent");
        assertThat(ev.get("source").asText()).isEqualTo("delivery");
        assertThat(ev.at("/properties/send_id").asLong()).isEqualTo(42);
        assertThat(ev.at("/properties/campaign_id").asInt()).isEqualTo(7);
        assertThat(admin(F, c, v, "devices").get("data")).hasSize(2);
        assertThat(admin(F, c, u, "devices").get("data")).isEmpty();
        jdbi.useHandle(h -> {
            assertThat(tokens.isDisabled(h, companyId, "hk-tok-2")).isTrue();
            assertThat(tokens.isDisabled(h, companyId, "hk-tok-1")).isFalse();
        });
        // re-registering an invalid token from a trigger does not re-enable it
        jdbi.useTransaction(h -> tokens.register(h, companyId, v, "hk-tok-2"));
        jdbi.useHandle(h -> assertThat(tokens.isDisabled(h, companyId, "hk-tok-2")).isTrue());
    }
}
