package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.DeliveryKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delivery on the shared stores: its events are ordinary profile events (admin view, source
 * {@code delivery}), and the worker honours the shared consent store ({@code subscriptions}).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DeliverySharedStoresIntegrationTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);

    static Map<String, Object> user(String externalId) {
        return Map.of("user", Map.of("external_id", externalId, "email", externalId + "@example.com"));
    }

    static List<String> adminEventNames(TestCompany c, String profileId) {
        Res r = F.get("/admin/companies/" + c.publicId() + "/profiles/" + profileId + "/events",
                Map.of("Authorization", "Bearer " + c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        for (JsonNode e : r.json().get("data")) names.add(e.at("/attributes/name").asText());
        return names;
    }

    @Test
    void sendsShowInTheAdminProfileEventsAndAMarketingOptOutInTheConsentStoreAbortsMarketingSendsOnly() {
        TestCompany c = F.createCompany("SharedStores");
        long companyId = F.companyId(c.publicId());
        String log = K.provider(c, "log", Map.of());
        String marketing = K.campaign(c, "email", log, Map.of("en", Map.of("subject", "Hi", "text", "t")), "marketing");
        String transactional = K.campaign(c, "email", log, Map.of("en", Map.of("subject", "Receipt", "text", "t")),
                "transactional");

        assertThat(K.trigger(c, marketing, user("ss-1")).status()).isEqualTo(204);
        String profileId = K.awaitSends(c, marketing, 1, "sent").at("/0/attributes/profile_id").asText();
        assertThat(adminEventNames(c, profileId)).contains("campaign_trigger", "email_sent");
        assertThat(F.count("SELECT count(*) FROM events WHERE company_id = ? AND name = 'email_sent' AND source = 'delivery'",
                companyId)).isEqualTo(1);

        // the profile leaves email marketing through the shared consent store (any dialect writes it)
        F.db().useHandle(h -> h.createUpdate("INSERT INTO subscriptions (company_id, profile_id, channel, purpose, state, "
                        + "source) VALUES (:c, :p, 'email', 'marketing', 'unsubscribed', 'test')")
                .bind("c", companyId).bind("p", profileId).execute());
        assertThat(K.trigger(c, marketing, user("ss-1")).status()).isEqualTo(204);
        JsonNode both = K.awaitSends(c, marketing, 2, "sent", "aborted");
        List<String> reasons = new ArrayList<>();
        for (JsonNode s : both) {
            if (s.at("/attributes/state").asText().equals("aborted")) reasons.add(s.at("/attributes/reason").asText());
        }
        assertThat(reasons).containsExactly("unsubscribed");
        assertThat(adminEventNames(c, profileId)).contains("email_aborted");

        // transactional sends are not held by marketing consent
        assertThat(K.trigger(c, transactional, user("ss-1")).status()).isEqualTo(204);
        K.awaitSends(c, transactional, 1, "sent");
    }
}
