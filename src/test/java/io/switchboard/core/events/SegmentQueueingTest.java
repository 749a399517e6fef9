package io.switchboard.core.events;

import static io.switchboard.testing.IngestionTestSupport.basic;
import static io.switchboard.testing.IngestionTestSupport.bearer;
import static io.switchboard.testing.IngestionTestSupport.klaviyo;
import static io.switchboard.testing.IngestionTestSupport.klaviyoServer;
import static io.switchboard.testing.IngestionTestSupport.owner;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Segment membership follows writes made through every ingestion path (issue 15): there are no database
 * triggers, so each core write path must queue the profiles it touched (core.ChangedProfiles →
 * SegmentQueue). Each profile here exists BEFORE the segment is computed and the write under test writes
 * nothing else about it, so a path that forgets to queue leaves its profile out (or in) for good — the
 * segment is not relative, nothing else would re-evaluate it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SegmentQueueingTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String REV = "2026-07-15";

    static String uniq(String p) {
        return p + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A profile with this email and external id, created through Klaviyo's server API. */
    static String profile(TestCompany c, String email, String externalId, String properties) {
        Res r = F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email
                + "\",\"external_id\":\"" + externalId + "\",\"properties\":" + properties + "}}}",
                klaviyoServer(c.secretKey(), REV));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    static String segment(TestCompany c, String conditionGroups) {
        Res r = F.post("/api/segments", "{\"data\":{\"type\":\"segment\",\"attributes\":{\"name\":\"Q\","
                + "\"definition\":{\"condition_groups\":" + conditionGroups + "}}}}", klaviyoServer(c.secretKey(), REV));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    static List<String> members(TestCompany c, String segment) {
        Res r = F.get("/api/segments/" + segment + "/relationships/profiles?page[size]=100",
                klaviyoServer(c.secretKey(), REV));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
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

    /** Waits until the segment has been computed and nothing of the company is queued any more. */
    static void settled(TestCompany c, String segment) throws InterruptedException {
        long cid = F.companyId(c.publicId());
        eventually(() -> F.count("SELECT count(*) FROM segments WHERE company_id = ? AND id = ? "
                + "AND computed_version = version", cid, segment) == 1
                && F.count("SELECT count(*) FROM segment_dirty_profiles WHERE company_id = ?", cid) == 0, ok -> ok);
    }

    static void klaviyoEvent(String path, TestCompany c, String email, String metric, Map<String, String> headers) {
        Res r = F.post(path, """
                {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"%s"}}},
                 "metric":{"data":{"type":"metric","attributes":{"name":"%s"}}},"properties":{}}}}"""
                .formatted(email, metric), headers);
        assertThat(r.status()).as(path + " " + r).isEqualTo(202);
    }

    @Test
    void anEventThroughEveryIngestionPathBringsItsProfileIntoADidMetricSegment() throws Exception {
        TestCompany a = F.createCompany("QueueEvents");
        long cid = F.companyId(a.publicId());
        String metric = "Did It";
        // the metric exists before the segment names it (a seed profile's event)
        assertThat(F.post("/v1/track", "{\"userId\":\"" + uniq("seed") + "\",\"event\":\"" + metric + "\"}",
                basic(a.publicKey())).status()).isEqualTo(200);
        String metricId = F.db().withHandle(h -> h.createQuery("SELECT id FROM metrics WHERE company_id = ? AND name = ?")
                .bind(0, cid).bind(1, metric).mapTo(String.class).one());
        List<String> paths = List.of("klaviyo-client", "klaviyo-server", "klaviyo-bulk-job", "segment-track",
                "segment-batch", "dittofeed-track", "dittofeed-batch", "parcelvoy-events", "parcelvoy-track");
        Map<String, String[]> who = new LinkedHashMap<>(); // path → {profile id, email, external id}
        for (String p : paths) {
            String email = uniq(p) + "@example.com";
            String ext = uniq(p);
            who.put(p, new String[] {profile(a, email, ext, "{}"), email, ext});
        }
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-metric\",\"metric_id\":\"" + metricId + "\","
                + "\"measurement\":\"count\",\"measurement_filter\":{\"type\":\"numeric\",\"operator\":"
                + "\"greater-than-or-equal\",\"value\":1.0},\"timeframe_filter\":{\"type\":\"date\",\"operator\":\"alltime\"}}]}]");
        assertThat(eventually(() -> members(a, seg), m -> m.size() == 1)).hasSize(1); // the seed
        settled(a, seg);
        assertThat(members(a, seg)).doesNotContainAnyElementsOf(who.values().stream().map(w -> w[0]).toList());

        klaviyoEvent("/client/events?company_id=" + a.publicId(), a, who.get("klaviyo-client")[1], metric, klaviyo(REV));
        klaviyoEvent("/api/events", a, who.get("klaviyo-server")[1], metric, klaviyoServer(a.secretKey(), REV));
        Res job = F.post("/api/event-bulk-create-jobs", "{\"data\":{\"type\":\"event-bulk-create-job\",\"attributes\":"
                + "{\"events-bulk-create\":{\"data\":[{\"type\":\"event-bulk-create\",\"attributes\":{\"profile\":{\"data\":"
                + "{\"type\":\"profile\",\"attributes\":{\"email\":\"" + who.get("klaviyo-bulk-job")[1] + "\"}}},"
                + "\"events\":{\"data\":[{\"type\":\"event\",\"attributes\":{\"properties\":{},\"metric\":{\"data\":"
                + "{\"type\":\"metric\",\"attributes\":{\"name\":\"" + metric + "\"}}}}}]}}}]}}}}",
                klaviyoServer(a.secretKey(), REV));
        assertThat(job.status()).as(job.toString()).isEqualTo(202);
        assertThat(F.post("/v1/track", "{\"userId\":\"" + who.get("segment-track")[2] + "\",\"event\":\"" + metric + "\"}",
                basic(a.publicKey())).status()).isEqualTo(200);
        assertThat(F.post("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"" + who.get("segment-batch")[2]
                + "\",\"event\":\"" + metric + "\"}]}", basic(a.publicKey())).status()).isEqualTo(200);
        assertThat(F.post("/api/public/apps/track", "{\"userId\":\"" + who.get("dittofeed-track")[2] + "\",\"event\":\""
                + metric + "\",\"messageId\":\"" + uniq("m") + "\"}", Map.of("authorization", a.publicKey())).status())
                .isEqualTo(204);
        assertThat(F.post("/api/public/apps/batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\""
                + who.get("dittofeed-batch")[2] + "\",\"event\":\"" + metric + "\",\"messageId\":\"" + uniq("m") + "\"}]}",
                Map.of("authorization", a.publicKey())).status()).isEqualTo(204);
        assertThat(F.post("/api/client/events", "[{\"external_id\":\"" + who.get("parcelvoy-events")[2] + "\",\"name\":\""
                + metric + "\"}]", bearer(a.publicKey())).status()).isEqualTo(204);
        Res pt = F.post("/api/client/track", "{\"external_id\":\"" + who.get("parcelvoy-track")[2] + "\",\"event\":\""
                + metric + "\"}", bearer(a.publicKey()));
        assertThat(pt.status()).as(pt.toString()).isIn(200, 202, 204);

        // the writes did not create new profiles: each path's event landed on the existing one
        who.forEach((p, w) -> assertThat(owner(F, a, "email", w[1])).as(p).isEqualTo(w[0]));
        List<String> expected = who.values().stream().map(w -> w[0]).toList();
        List<String> got = eventually(() -> members(a, seg), m -> m.containsAll(expected));
        Map<String, Boolean> entered = new LinkedHashMap<>();
        who.forEach((p, w) -> entered.put(p, got.contains(w[0])));
        assertThat(entered).as("profile entered the segment, by ingestion path").doesNotContainValue(false);
        who.forEach((p, w) -> assertThat(F.count("SELECT count(*) FROM events WHERE profile_id = ? "
                + "AND name = 'Entered Segment' AND source = 'segments'", w[0])).as(p).isEqualTo(1));
    }

    @Test
    void aProfilePropertyUpdateThroughEachDialectMovesItOutOfAPropertySegment() throws Exception {
        TestCompany a = F.createCompany("QueueProps");
        List<String> paths = List.of("klaviyo-patch", "klaviyo-client-profiles", "segment-identify",
                "dittofeed-identify", "parcelvoy-identify", "klaviyo-import-job");
        Map<String, String[]> who = new LinkedHashMap<>();
        for (String p : paths) {
            String email = uniq(p) + "@example.com";
            String ext = uniq(p);
            who.put(p, new String[] {profile(a, email, ext, "{\"plan\":\"pro\"}"), email, ext});
        }
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-property\",\"property\":\"properties['plan']\","
                + "\"filter\":{\"type\":\"string\",\"operator\":\"equals\",\"value\":\"pro\"}}]}]");
        List<String> all = who.values().stream().map(w -> w[0]).toList();
        assertThat(eventually(() -> members(a, seg), m -> m.size() == all.size())).containsExactlyInAnyOrderElementsOf(all);
        settled(a, seg);

        String[] k = who.get("klaviyo-patch");
        Res patch = F.request("PATCH", "/api/profiles/" + k[0], "{\"data\":{\"type\":\"profile\",\"id\":\"" + k[0]
                + "\",\"attributes\":{\"properties\":{\"plan\":\"free\"}}}}", klaviyoServer(a.secretKey(), REV));
        assertThat(patch.status()).as(patch.toString()).isEqualTo(200);
        Res cp = F.post("/client/profiles?company_id=" + a.publicId(), "{\"data\":{\"type\":\"profile\",\"attributes\":"
                + "{\"email\":\"" + who.get("klaviyo-client-profiles")[1] + "\",\"properties\":{\"plan\":\"free\"}}}}",
                klaviyo(REV));
        assertThat(cp.status()).as(cp.toString()).isEqualTo(202);
        assertThat(F.post("/v1/identify", "{\"userId\":\"" + who.get("segment-identify")[2]
                + "\",\"traits\":{\"plan\":\"free\"}}", basic(a.publicKey())).status()).isEqualTo(200);
        assertThat(F.post("/api/public/apps/identify", "{\"userId\":\"" + who.get("dittofeed-identify")[2]
                + "\",\"traits\":{\"plan\":\"free\"},\"messageId\":\"" + uniq("m") + "\"}",
                Map.of("authorization", a.publicKey())).status()).isEqualTo(204);
        Res pi = F.post("/api/client/identify", "{\"external_id\":\"" + who.get("parcelvoy-identify")[2]
                + "\",\"data\":{\"plan\":\"free\"}}", bearer(a.publicKey()));
        assertThat(pi.status()).as(pi.toString()).isIn(200, 202, 204);
        Res imp = F.post("/api/profile-bulk-import-jobs", "{\"data\":{\"type\":\"profile-bulk-import-job\",\"attributes\":"
                + "{\"profiles\":{\"data\":[{\"type\":\"profile\",\"attributes\":{\"email\":\"" + who.get("klaviyo-import-job")[1]
                + "\",\"properties\":{\"plan\":\"free\"}}}]}}}}", klaviyoServer(a.secretKey(), REV));
        assertThat(imp.status()).as(imp.toString()).isEqualTo(202);

        List<String> got = eventually(() -> members(a, seg), List::isEmpty);
        Map<String, Boolean> stillIn = new LinkedHashMap<>();
        who.forEach((p, w) -> stillIn.put(p, got.contains(w[0])));
        assertThat(stillIn).as("profile still in the segment after its plan changed, by path").doesNotContainValue(true);
    }

    @Test
    void aCompanyWithoutSegmentsQueuesNothingAndItsFirstSegmentStartsQueueing() throws Exception {
        TestCompany a = F.createCompany("QueueNone");
        long cid = F.companyId(a.publicId());
        for (int i = 0; i < 5; i++) {
            assertThat(F.post("/v1/track", "{\"userId\":\"none-" + i + "\",\"event\":\"Seen\"}", basic(a.publicKey())).status())
                    .isEqualTo(200);
            assertThat(F.post("/v1/identify", "{\"userId\":\"none-" + i + "\",\"traits\":{\"n\":" + i + "}}",
                    basic(a.publicKey())).status()).isEqualTo(200);
        }
        assertThat(F.count("SELECT count(*) FROM segment_dirty_profiles WHERE company_id = ?", cid)).isZero();
        String metricId = F.db().withHandle(h -> h.createQuery("SELECT id FROM metrics WHERE company_id = ? AND name = 'Seen'")
                .bind(0, cid).mapTo(String.class).one());
        String seg = segment(a, "[{\"conditions\":[{\"type\":\"profile-metric\",\"metric_id\":\"" + metricId + "\","
                + "\"measurement\":\"count\",\"measurement_filter\":{\"type\":\"numeric\",\"operator\":"
                + "\"greater-than-or-equal\",\"value\":2.0},\"timeframe_filter\":{\"type\":\"date\",\"operator\":\"alltime\"}}]}]");
        settled(a, seg);
        assertThat(members(a, seg)).isEmpty();
        // right after the segment exists (this node's "has segments" cache was dropped): a second event counts
        assertThat(F.post("/v1/track", "{\"userId\":\"none-3\",\"event\":\"Seen\"}", basic(a.publicKey())).status())
                .isEqualTo(200);
        String p3 = owner(F, a, "external_id", "none-3");
        assertThat(eventually(() -> members(a, seg), m -> !m.isEmpty())).containsExactly(p3);
    }
}
