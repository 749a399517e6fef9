package io.switchboard.resources.parcelvoy;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Parcelvoy's JS SDK (parcelvoy/js-sdk, index.ts): {@code track({event, anonymousId, externalId,
 * properties})} posts {@code {event, anonymous_id, external_id, data}} to {@code /api/client/track}
 * with {@code Authorization: Bearer <public key>} — one event.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ParcelvoyTrackTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;

    @Test
    void theSdksTrackShapeLandsAsOneEvent() {
        TestCompany c = F.createCompany("Parcelvoy SDK");
        Res r = F.post("/api/client/track", """
                {"event":"Product Viewed","anonymous_id":"pv-anon-1","external_id":"pv-user-1","data":{"sku":"A-1","price":12}}""",
                bearer(c.publicKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        String p = owner(F, c, "external_id", "pv-user-1");
        assertThat(owner(F, c, "anonymous_id", "pv-anon-1")).isEqualTo(p);
        JsonNode evs = adminEvents(F, c, p);
        assertThat(evs).hasSize(1);
        assertThat(evs.get(0).at("/attributes/name").asText()).isEqualTo("Product Viewed");
        assertThat(evs.get(0).at("/attributes/properties/sku").asText()).isEqualTo("A-1");
        // the anonymous-only form the browser client sends before identify
        assertThat(F.post("/api/client/track", "{\"event\":\"Landed\",\"anonymous_id\":\"pv-anon-2\",\"data\":{}}", bearer(c.publicKey())).status())
                .isEqualTo(204);
        assertThat(owner(F, c, "anonymous_id", "pv-anon-2")).isNotNull();
        // bad input names the field; nothing is stored
        long before = events(F, c);
        Res noName = F.post("/api/client/track", "{\"anonymous_id\":\"pv-anon-3\",\"data\":{}}", bearer(c.publicKey()));
        assertThat(noName.status()).isBetween(400, 422);
        assertThat(noName.body()).contains("event");
        Res noId = F.post("/api/client/track", "{\"event\":\"X\",\"data\":{}}", bearer(c.publicKey()));
        assertThat(noId.status()).isBetween(400, 422);
        assertThat(noId.body()).contains("external_id");
        assertThat(events(F, c)).isEqualTo(before);
    }
}
