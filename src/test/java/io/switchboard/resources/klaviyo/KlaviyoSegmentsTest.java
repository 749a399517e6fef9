package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.client;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Segments (issue 15, step 5): Klaviyo definitions condition by condition against real PostgreSQL — full
 * recompute in the background after create, incremental maintenance after profile / event / list / consent
 * writes, entering and leaving recorded as profile events, merges, cross-tenant denial, bad definitions.
 * Numeric filter values are written as 5.0, not 5: Klaviyo's schema gives {@code value} as
 * {@code oneOf: [integer, number]}, which an integer matches twice (the validator rightly fails a oneOf
 * matched twice); the server accepts both.
 */
class KlaviyoSegmentsTest extends KlaviyoTestBase {

    static String segment(TestCompany c, String conditionGroups) {
        Res r = K.send("POST", "/api/segments", "{\"data\":{\"type\":\"segment\",\"attributes\":{\"name\":\"S\","
                + "\"definition\":{\"condition_groups\":" + conditionGroups + "}}}}", server(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    static List<String> members(TestCompany c, String segment) {
        Res r = K.send("GET", "/api/segments/" + segment + "/relationships/profiles?page[size]=100", null,
                server(c.secretKey()));
        assertThat(r.status()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("data").forEach(d -> out.add(d.get("id").asText()));
        return out;
    }

    static <T> T eventually(Supplier<T> read, java.util.function.Predicate<T> ok) throws InterruptedException {
        T v = null;
        for (int i = 0; i < 150; i++) {
            v = read.get();
            if (ok.test(v)) return v;
            Thread.sleep(100);
        }
        return v;
    }

    static void event(TestCompany c, String email, String metric, Instant at) {
        Res r = K.send("POST", "/client/events?company_id=" + c.publicId(), """
                {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"%s"}}},
                 "metric":{"data":{"type":"metric","attributes":{"name":"%s"}}},"properties":{},"time":"%s"}}}"""
                .formatted(email, metric, at.toString()), client());
        assertThat(r.status()).isEqualTo(202);
    }

    static long segmentEvents(String profileId, String name) {
        return F.count("SELECT count(*) FROM events WHERE profile_id = ? AND name = ? AND source = 'segments'",
                profileId, name);
    }

    @Test
    void propertyConditionsAreComputedAndMaintained() throws Exception {
        TestCompany a = F.createCompany("SegProps");
        String pro = createProfile(a, "{\"email\":\"" + uniq("p") + "@example.com\",\"properties\":{\"plan\":\"pro\",\"seats\":12}}");
        String free = createProfile(a, "{\"email\":\"" + uniq("f") + "@example.com\",\"properties\":{\"plan\":\"free\",\"seats\":1}}");
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-property\",\"property\":\"properties['plan']\","
                + "\"filter\":{\"type\":\"string\",\"operator\":\"equals\",\"value\":\"pro\"}}]},"
                + "{\"conditions\":[{\"type\":\"profile-property\",\"property\":\"properties['seats']\",\"filter\":"
                + "{\"type\":\"numeric\",\"operator\":\"greater-than\",\"value\":5.0}}]}]");
        assertThat(eventually(() -> members(a, seg), m -> !m.isEmpty())).containsExactly(pro);
        Res got = K.send("GET", "/api/segments/" + seg + "?additional-fields[segment]=profile_count", null,
                server(a.secretKey()));
        assertThat(got.json().at("/data/attributes/is_processing").asBoolean()).isFalse();
        assertThat(segmentEvents(pro, "Entered Segment")).isEqualTo(1);
        // incremental: the free profile upgrades, the pro one loses seats
        K.send("PATCH", "/api/profiles/" + free, "{\"data\":{\"type\":\"profile\",\"id\":\"" + free + "\",\"attributes\":"
                + "{\"properties\":{\"plan\":\"pro\",\"seats\":8}}}}", server(a.secretKey()));
        K.send("PATCH", "/api/profiles/" + pro, "{\"data\":{\"type\":\"profile\",\"id\":\"" + pro + "\",\"attributes\":"
                + "{\"properties\":{\"seats\":2}}}}", server(a.secretKey()));
        assertThat(eventually(() -> members(a, seg), m -> m.equals(List.of(free)))).containsExactly(free);
        assertThat(segmentEvents(pro, "Left Segment")).isEqualTo(1);
        assertThat(segmentEvents(free, "Entered Segment")).isEqualTo(1);
        Res mine = K.send("GET", "/api/profiles/" + free + "/segments", null, server(a.secretKey()));
        assertThat(mine.json().at("/data/0/id").asText()).isEqualTo(seg);
        // a new definition is recomputed from scratch
        Res patched = K.send("PATCH", "/api/segments/" + seg, "{\"data\":{\"type\":\"segment\",\"id\":\"" + seg
                + "\",\"attributes\":{\"definition\":{\"condition_groups\":[{\"conditions\":[{\"type\":\"profile-property\","
                + "\"property\":\"properties['plan']\",\"filter\":{\"type\":\"existence\",\"operator\":\"is-set\"}}]}]}}}}",
                server(a.secretKey()));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(eventually(() -> members(a, seg), m -> m.size() == 2)).containsExactlyInAnyOrder(pro, free);
    }

    @Test
    void metricConditionsCountEventsInTheWindow() throws Exception {
        TestCompany a = F.createCompany("SegMetrics");
        String e2 = uniq("two") + "@example.com";
        String e1 = uniq("one") + "@example.com";
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        event(a, e2, "Ordered", now.minus(1, ChronoUnit.DAYS));
        event(a, e2, "Ordered", now.minus(2, ChronoUnit.DAYS));
        event(a, e1, "Ordered", now.minus(3, ChronoUnit.DAYS));
        event(a, e1, "Ordered", now.minus(90, ChronoUnit.DAYS)); // outside the window
        String metric = F.db().withHandle(h -> h.createQuery("SELECT id FROM metrics WHERE company_id = ? AND name = 'Ordered'")
                .bind(0, F.companyId(a.publicId())).mapTo(String.class).one());
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-metric\",\"metric_id\":\"" + metric + "\","
                + "\"measurement\":\"count\",\"measurement_filter\":{\"type\":\"numeric\",\"operator\":\"greater-than-or-equal\","
                + "\"value\":2.0},\"timeframe_filter\":{\"type\":\"date\",\"operator\":\"in-the-last\",\"quantity\":30,"
                + "\"unit\":\"day\"}}]}]");
        long cid = F.companyId(a.publicId());
        String p2 = F.db().withHandle(h -> h.createQuery("SELECT id FROM profiles WHERE company_id = ? AND email = ?")
                .bind(0, cid).bind(1, e2).mapTo(String.class).one());
        String p1 = F.db().withHandle(h -> h.createQuery("SELECT id FROM profiles WHERE company_id = ? AND email = ?")
                .bind(0, cid).bind(1, e1).mapTo(String.class).one());
        assertThat(eventually(() -> members(a, seg), m -> !m.isEmpty())).containsExactly(p2);
        event(a, e1, "Ordered", now); // a second event in the window: incremental maintenance
        assertThat(eventually(() -> members(a, seg), m -> m.size() == 2)).containsExactlyInAnyOrder(p1, p2);
        // "at most 0 times": nobody who ordered
        String never = segment(a, "[{\"conditions\":[{\"type\":\"profile-metric\",\"metric_id\":\"" + metric + "\","
                + "\"measurement\":\"count\",\"measurement_filter\":{\"type\":\"numeric\",\"operator\":\"equals\","
                + "\"value\":0.0},\"timeframe_filter\":{\"type\":\"date\",\"operator\":\"alltime\"}}]}]");
        String idle = createProfile(a, "{\"email\":\"" + uniq("idle") + "@example.com\"}");
        assertThat(eventually(() -> members(a, never), m -> !m.isEmpty())).containsExactly(idle);
    }

    @Test
    void listConsentAndMergeConditions() throws Exception {
        TestCompany a = F.createCompany("SegLists");
        Res l = K.send("POST", "/api/lists", "{\"data\":{\"type\":\"list\",\"attributes\":{\"name\":\"VIP\"}}}",
                server(a.secretKey()));
        String list = l.json().at("/data/id").asText();
        String inList = createProfile(a, "{\"email\":\"" + uniq("in") + "@example.com\"}");
        String out = createProfile(a, "{\"email\":\"" + uniq("out") + "@example.com\"}");
        K.send("POST", "/api/lists/" + list + "/relationships/profiles", "{\"data\":[{\"type\":\"profile\",\"id\":\""
                + inList + "\"}]}", server(a.secretKey()));
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-group-membership\",\"is_member\":true,"
                + "\"group_ids\":[\"" + list + "\"]}]},{\"conditions\":[{\"type\":\"profile-marketing-consent\",\"consent\":"
                + "{\"channel\":\"email\",\"can_receive_marketing\":true,\"consent_status\":{\"subscription\":\"any\"}}}]}]");
        assertThat(eventually(() -> members(a, seg), m -> !m.isEmpty())).containsExactly(inList);
        // suppressing the member's email removes them (consent); adding the other to the list adds them
        String email = F.db().withHandle(h -> h.createQuery("SELECT email FROM profiles WHERE id = ?").bind(0, inList)
                .mapTo(String.class).one());
        K.send("POST", "/api/profile-suppression-bulk-create-jobs", "{\"data\":{\"type\":\"profile-suppression-bulk-create-job\","
                + "\"attributes\":{\"profiles\":{\"data\":[{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email
                + "\"}}]}}}}", server(a.secretKey()));
        K.send("POST", "/api/lists/" + list + "/relationships/profiles", "{\"data\":[{\"type\":\"profile\",\"id\":\""
                + out + "\"}]}", server(a.secretKey()));
        assertThat(eventually(() -> members(a, seg), m -> m.equals(List.of(out)))).containsExactly(out);
        // a member merged into a non-member: the survivor is the member now
        String loser = createProfile(a, "{\"email\":\"" + uniq("loser") + "@example.com\"}");
        K.send("POST", "/api/lists/" + list + "/relationships/profiles", "{\"data\":[{\"type\":\"profile\",\"id\":\""
                + loser + "\"}]}", server(a.secretKey()));
        assertThat(eventually(() -> members(a, seg), m -> m.contains(loser))).contains(loser);
        String survivor = createProfile(a, "{\"email\":\"" + uniq("surv") + "@example.com\"}");
        K.send("POST", "/api/profile-merge", "{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + survivor
                + "\",\"relationships\":{\"profiles\":{\"data\":[{\"type\":\"profile\",\"id\":\"" + loser + "\"}]}}}}",
                server(a.secretKey()));
        List<String> after = eventually(() -> members(a, seg), m -> m.contains(survivor) && !m.contains(loser));
        assertThat(after).contains(survivor).doesNotContain(loser);
    }

    @Test
    void anotherCompanysSegmentIsNotFoundAndBadDefinitionsAre400() throws Exception {
        TestCompany a = F.createCompany("SegTenancy");
        String p = createProfile(a, "{\"email\":\"" + uniq("t") + "@example.com\",\"properties\":{\"x\":\"1\"}}");
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-property\",\"property\":\"properties['x']\","
                + "\"filter\":{\"type\":\"existence\",\"operator\":\"is-set\"}}]}]");
        eventually(() -> members(a, seg), m -> !m.isEmpty());
        String k = B.secretKey();
        assertThat(K.send("GET", "/api/segments/" + seg, null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/segments/" + seg + "/profiles", null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/segments/" + seg + "/relationships/profiles", null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("DELETE", "/api/segments/" + seg, null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("PATCH", "/api/segments/" + seg, "{\"data\":{\"type\":\"segment\",\"id\":\"" + seg
                + "\",\"attributes\":{\"name\":\"x\"}}}", server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/profiles/" + p + "/segments", null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/profiles/" + p + "/relationships/segments", null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/segments", null, server(k)).json().get("data").size()).isZero();
        Res profiles = K.send("GET", "/api/segments/" + seg + "/profiles", null, server(a.secretKey()));
        assertThat(profiles.json().at("/data/0/id").asText()).isEqualTo(p);
        Res badMetric = K.send("POST", "/api/segments", "{\"data\":{\"type\":\"segment\",\"attributes\":{\"name\":\"S\","
                + "\"definition\":{\"condition_groups\":[{\"conditions\":[{\"type\":\"profile-metric\",\"metric_id\":\"nope\","
                + "\"measurement\":\"count\",\"measurement_filter\":{\"type\":\"numeric\",\"operator\":\"equals\",\"value\":1.0},"
                + "\"timeframe_filter\":{\"type\":\"date\",\"operator\":\"alltime\"}}]}]}}}}", server(a.secretKey()));
        assertThat(badMetric.status()).isEqualTo(400);
        assertThat(badMetric.json().at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/attributes/definition/condition_groups/0/conditions/0/metric_id");
        Res badOp = K.send("POST", "/api/segments", "{\"data\":{\"type\":\"segment\",\"attributes\":{\"name\":\"S\","
                + "\"definition\":{\"condition_groups\":[{\"conditions\":[{\"type\":\"profile-property\",\"property\":"
                + "\"properties['x']\",\"filter\":{\"type\":\"string\",\"operator\":\"regex\",\"value\":\".*\"}}]}]}}}}",
                server(a.secretKey()));
        assertThat(badOp.json().at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/attributes/definition/condition_groups/0/conditions/0/filter/operator");
        assertThat(K.send("DELETE", "/api/segments/" + seg, null, server(a.secretKey())).status()).isEqualTo(204);
        assertThat(F.count("SELECT count(*) FROM segment_memberships WHERE segment_id = ?", seg)).isZero();
    }
}
