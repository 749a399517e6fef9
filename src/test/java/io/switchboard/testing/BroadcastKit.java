package io.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Broadcast test helpers: audiences seeded in SQL (not under test), broadcasts over the real admin API. */
public final class BroadcastKit {
    private final AppFixture f;

    public BroadcastKit(AppFixture f) {
        this.f = f;
    }

    /** n profiles {@code <prefix>00…i} with email {@code <prefix>i@example.com}, all members of list {@code listId}. */
    public void seedList(TestCompany c, String listId, String prefix, int n) {
        long cid = f.companyId(c.publicId());
        f.db().useHandle(h -> {
            h.execute("INSERT INTO lists (company_id, id, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", cid, listId, listId);
            h.execute("INSERT INTO profiles (company_id, id, external_id, email) SELECT ?, ? || lpad(g::text, 20, '0'), "
                    + "? || g, ? || g || '@example.com' FROM generate_series(0, ? - 1) g", cid, prefix, prefix, prefix, n);
            h.execute("INSERT INTO list_memberships (company_id, list_id, profile_id) SELECT ?, ?, ? || lpad(g::text, 20, '0') "
                    + "FROM generate_series(0, ? - 1) g", cid, listId, prefix, n);
        });
    }

    public static String profileId(String prefix, int i) {
        return prefix + String.format("%020d", i);
    }

    public Res create(TestCompany c, String campaignId, Map<String, Object> attributes) {
        return f.post("/admin/companies/" + c.publicId() + "/campaigns/" + campaignId + "/broadcasts",
                DeliveryKit.json(Map.of("data", Map.of("type", "broadcast", "attributes", attributes))),
                DeliveryKit.admin(c.secretKey()));
    }

    /** Creates a broadcast to a list (now, or with the extra attributes); returns its id. */
    public String toList(TestCompany c, String campaignId, String listId, Map<String, Object> extra) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("audience", Map.of("type", "list", "id", listId));
        a.putAll(extra);
        Res r = create(c, campaignId, a);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    public JsonNode get(TestCompany c, String campaignId, String id) {
        Res r = f.get("/admin/companies/" + c.publicId() + "/campaigns/" + campaignId + "/broadcasts/" + id,
                DeliveryKit.admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().at("/data/attributes");
    }

    /** Polls the broadcast until {@code done} holds for its attributes. */
    public JsonNode await(TestCompany c, String campaignId, String id, Duration timeout, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(c, campaignId, id);
            if (done.test(last)) return last;
            DeliveryKit.sleep(100);
        }
        throw new AssertionError("broadcast " + id + " did not get there in " + timeout + ": " + last);
    }

    public static boolean completed(JsonNode b) {
        return "completed".equals(b.path("state").asText());
    }
}
