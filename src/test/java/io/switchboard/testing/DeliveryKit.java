package io.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test helpers for campaigns and delivery over the real HTTP API and database. */
public final class DeliveryKit {
    public static final String JSONAPI = "application/vnd.api+json";
    private final AppFixture f;

    public DeliveryKit(AppFixture f) {
        this.f = f;
    }

    public static Map<String, String> admin(String secretKey) {
        return Map.of("Authorization", "Bearer " + secretKey, "Content-Type", JSONAPI);
    }

    public static ObjectNode obj() {
        return AppFixture.JSON.createObjectNode();
    }

    public static String json(Object o) {
        try {
            return AppFixture.JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates a provider; returns its id. */
    public String provider(TestCompany c, String type, Map<String, Object> config, Integer rateLimit, String interval) {
        ObjectNode attrs = obj().put("type", type).put("name", type + " provider");
        attrs.set("config", AppFixture.JSON.valueToTree(config));
        if (rateLimit != null) attrs.put("rate_limit", rateLimit).put("rate_interval", interval);
        Res r = f.post("/admin/companies/" + c.publicId() + "/providers",
                json(Map.of("data", Map.of("type", "provider", "attributes", attrs))), admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    public String provider(TestCompany c, String type, Map<String, Object> config) {
        return provider(c, type, config, null, null);
    }

    /** Creates an active campaign with one default ("en") template; returns its id. */
    public String campaign(TestCompany c, String channel, String providerId, Map<String, Object> template) {
        return campaign(c, channel, providerId, Map.of("en", template), "marketing");
    }

    public String campaign(TestCompany c, String channel, String providerId, Map<String, Map<String, Object>> templates,
                           String subscription) {
        Map<String, Object> attrs = new java.util.LinkedHashMap<>();
        attrs.put("name", channel + " campaign");
        attrs.put("channel", channel);
        attrs.put("provider_id", providerId);
        attrs.put("state", "active");
        attrs.put("subscription", subscription);
        attrs.put("templates", templates);
        Res r = f.post("/admin/companies/" + c.publicId() + "/campaigns",
                json(Map.of("data", Map.of("type", "campaign", "attributes", attrs))), admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    public Res trigger(TestCompany c, String campaignId, Object body) {
        return trigger(c.secretKey(), campaignId, body, Map.of());
    }

    public Res trigger(String key, String campaignId, Object body, Map<String, String> extraHeaders) {
        Map<String, String> h = new java.util.HashMap<>(extraHeaders);
        h.put("Authorization", "Bearer " + key);
        h.put("Content-Type", "application/json");
        return f.post("/api/client/campaigns/" + campaignId + "/trigger", body instanceof String s ? s : json(body), h);
    }

    /** Sends of a campaign as the admin API lists them (newest first). */
    public JsonNode sends(TestCompany c, String campaignId) {
        Res r = f.get("/admin/companies/" + c.publicId() + "/campaigns/" + campaignId + "/sends", admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("data");
    }

    /** Waits until every send of the campaign is in one of the states; returns the sends (newest first). */
    public JsonNode awaitSends(TestCompany c, String campaignId, int count, String... states) {
        Set<String> want = Set.of(states);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = sends(c, campaignId);
            boolean done = last.size() == count;
            for (JsonNode s : last) done &= want.contains(s.at("/attributes/state").asText());
            if (done) return last;
            sleep(25);
        }
        throw new AssertionError("sends of campaign " + campaignId + " did not reach " + Arrays.toString(states)
                + " in time: " + last);
    }

    public List<String> events(TestCompany c, String profileId) {
        return f.db().withHandle(h -> h.createQuery("SELECT name FROM send_events WHERE company_id = :c AND profile_id = :p ORDER BY id")
                .bind("c", f.companyId(c.publicId())).bind("p", profileId).mapTo(String.class).list());
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
