package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bulk jobs (issue 15, step 4): profile-bulk-import-jobs (asynchronous, status, import-errors, lists,
 * profiles), event-bulk-create-jobs, a job left half-done by a dead worker resumed exactly where its last
 * committed chunk ended, cross-tenant denial and bad input. Validated against Klaviyo's OpenAPI.
 */
class KlaviyoBulkJobsTest extends KlaviyoTestBase {

    static String importBody(List<String> profiles, String list) {
        return "{\"data\":{\"type\":\"profile-bulk-import-job\",\"attributes\":{\"profiles\":{\"data\":["
                + String.join(",", profiles) + "]}}" + (list == null ? "" : ",\"relationships\":{\"lists\":{\"data\":"
                + "[{\"type\":\"list\",\"id\":\"" + list + "\"}]}}") + "}}";
    }

    static String profile(String attributes) {
        return "{\"type\":\"profile\",\"attributes\":" + attributes + "}";
    }

    static JsonNode await(TestCompany c, String job) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Res r = K.send("GET", "/api/profile-bulk-import-jobs/" + job, null, server(c.secretKey()));
            assertThat(r.status()).isEqualTo(200);
            if (r.json().at("/data/attributes/status").asText().equals("complete")) return r.json();
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " did not complete");
    }

    @Test
    void importRunsInTheBackgroundWithImportErrors() throws Exception {
        String list = createList(A, "Imported");
        String e1 = uniq("i1") + "@example.com";
        String e2 = uniq("i2") + "@example.com";
        Res r = K.send("POST", "/api/profile-bulk-import-jobs", importBody(List.of(
                profile("{\"email\":\"" + e1 + "\",\"first_name\":\"Ada\"}"),
                profile("{\"first_name\":\"Nobody\"}"),
                profile("{\"email\":\"" + e2 + "\",\"properties\":{\"plan\":\"pro\"}}")), list), server(A.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().at("/data/attributes/status").asText()).isIn("queued", "processing", "complete");
        assertThat(r.json().at("/data/attributes/total_count").asInt()).isEqualTo(3);
        String job = r.json().at("/data/id").asText();
        JsonNode done = await(A, job);
        assertThat(done.at("/data/attributes/completed_count").asInt()).isEqualTo(2);
        assertThat(done.at("/data/attributes/failed_count").asInt()).isEqualTo(1);
        Res errors = K.send("GET", "/api/profile-bulk-import-jobs/" + job + "/import-errors", null, server(A.secretKey()));
        assertThat(errors.status()).isEqualTo(200);
        assertThat(errors.json().get("data").size()).isEqualTo(1);
        assertThat(errors.json().at("/data/0/attributes/source/pointer").asText())
                .isEqualTo("/data/attributes/profiles/data/1/attributes");
        Res rel = K.send("GET", "/api/profile-bulk-import-jobs/" + job + "/relationships/profiles", null,
                server(A.secretKey()));
        assertThat(rel.json().get("data").size()).isEqualTo(2);
        Res profiles = K.send("GET", "/api/profile-bulk-import-jobs/" + job + "/profiles", null, server(A.secretKey()));
        assertThat(profiles.json().get("data").findValuesAsText("email")).containsExactlyInAnyOrder(e1, e2);
        Res lists = K.send("GET", "/api/profile-bulk-import-jobs/" + job + "/lists", null, server(A.secretKey()));
        assertThat(ids(lists.json().get("data"))).containsExactly(list);
        Res listRel = K.send("GET", "/api/profile-bulk-import-jobs/" + job + "/relationships/lists", null,
                server(A.secretKey()));
        assertThat(ids(listRel.json().get("data"))).containsExactly(list);
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id = ?", list)).isEqualTo(2);
        Res all = K.send("GET", "/api/profile-bulk-import-jobs?filter=equals(status,%22complete%22)", null,
                server(A.secretKey()));
        assertThat(ids(all.json().get("data"))).contains(job);
        // a second import of the same email updates the same profile
        Res again = K.send("POST", "/api/profile-bulk-import-jobs", importBody(List.of(
                profile("{\"email\":\"" + e1 + "\",\"last_name\":\"Lovelace\"}")), null), server(A.secretKey()));
        await(A, again.json().at("/data/id").asText());
        assertThat(F.count("SELECT count(*) FROM profiles WHERE email = ? AND attributes->>'first_name' = 'Ada' "
                + "AND attributes->>'last_name' = 'Lovelace'", e1)).isEqualTo(1);
    }

    @Test
    void anItemWhoseIdentifiersSpanTwoProfilesFailsAloneAndTheRestIsImported() throws Exception {
        String ea = uniq("a") + "@example.com";
        String eb = uniq("b") + "@example.com";
        String ec = uniq("c") + "@example.com";
        String first = K.send("POST", "/api/profile-bulk-import-jobs", importBody(List.of(
                profile("{\"email\":\"" + ea + "\"}"), profile("{\"email\":\"" + eb + "\",\"external_id\":\"x-" + eb + "\"}")),
                null), server(A.secretKey())).json().at("/data/id").asText();
        await(A, first);
        Res r = K.send("POST", "/api/profile-bulk-import-jobs", importBody(List.of(
                profile("{\"email\":\"" + ec + "\"}"),
                profile("{\"email\":\"" + ea + "\",\"external_id\":\"x-" + eb + "\"}"),
                profile("{\"email\":\"" + eb + "\",\"first_name\":\"B\"}")), null), server(A.secretKey()));
        JsonNode done = await(A, r.json().at("/data/id").asText());
        assertThat(done.at("/data/attributes/completed_count").asInt()).isEqualTo(2);
        assertThat(done.at("/data/attributes/failed_count").asInt()).isEqualTo(1);
        Res errors = K.send("GET", "/api/profile-bulk-import-jobs/" + r.json().at("/data/id").asText() + "/import-errors",
                null, server(A.secretKey()));
        assertThat(errors.json().at("/data/0/attributes/source/pointer").asText())
                .startsWith("/data/attributes/profiles/data/1");
        assertThat(F.count("SELECT count(*) FROM profiles WHERE email = ?", ec)).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE email = ? AND attributes->>'first_name' = 'B'", eb))
                .isEqualTo(1);
    }

    @Test
    void eventBulkCreateJobsRecordEvents() throws Exception {
        String e = uniq("ev") + "@example.com";
        String body = "{\"data\":{\"type\":\"event-bulk-create-job\",\"attributes\":{\"events-bulk-create\":{\"data\":["
                + "{\"type\":\"event-bulk-create\",\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\","
                + "\"attributes\":{\"email\":\"" + e + "\"}}},\"events\":{\"data\":["
                + "{\"type\":\"event\",\"attributes\":{\"properties\":{\"sku\":\"A\"},\"metric\":{\"data\":{\"type\":"
                + "\"metric\",\"attributes\":{\"name\":\"Bulk Viewed\"}}},\"time\":\"2024-04-01T10:00:00Z\"}},"
                + "{\"type\":\"event\",\"attributes\":{\"properties\":{},\"metric\":{\"data\":{\"type\":\"metric\","
                + "\"attributes\":{\"name\":\"Bulk Viewed\"}}},\"time\":\"2024-04-02T10:00:00Z\",\"value\":3}}]}}}]}}}}";
        Res r = K.send("POST", "/api/event-bulk-create-jobs", body, server(A.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        long cid = F.companyId(A.publicId());
        for (int i = 0; i < 200 && F.count("SELECT count(*) FROM events WHERE company_id = ? AND name = 'Bulk Viewed'",
                cid) < 2; i++) {
            Thread.sleep(100);
        }
        assertThat(F.count("SELECT count(*) FROM events e JOIN profiles p ON p.company_id = e.company_id "
                + "AND p.id = e.profile_id WHERE e.company_id = ? AND e.name = 'Bulk Viewed' AND p.email = ?", cid, e))
                .isEqualTo(2);
        assertThat(F.count("SELECT count(*) FROM metrics WHERE company_id = ? AND name = 'Bulk Viewed'", cid)).isEqualTo(1);
    }

    @Test
    void aJobAbandonedMidwayIsResumedAfterItsLastCommittedChunk() throws Exception {
        // as a worker that died after committing item 0 leaves it: processing, cursor 1, lease expired
        TestCompany c = F.createCompany("Resume");
        long cid = F.companyId(c.publicId());
        String e0 = uniq("r0") + "@example.com";
        String e1 = uniq("r1") + "@example.com";
        String items = "[{\"type\":\"profile\",\"attributes\":{\"email\":\"" + e0 + "\"}},"
                + "{\"type\":\"profile\",\"attributes\":{\"email\":\"" + e1 + "\"}}]";
        String job = "01J0000000000000000000RSME";
        F.db().useHandle(h -> h.createUpdate("INSERT INTO audience_jobs (company_id, id, kind, status, payload, total_count, "
                + "cursor, completed_count, claimed_by, claimed_until, started_at) VALUES (:c, :id, "
                + "'profile-bulk-import-job', 'processing', :p::jsonb, 2, 1, 1, 'dead-worker', now() - interval '1 minute', "
                + "now())").bind("c", cid).bind("id", job).bind("p", items).execute());
        JsonNode done = await(c, job);
        assertThat(done.at("/data/attributes/completed_count").asInt()).isEqualTo(2);
        // item 0 was "already applied" by the dead worker (here: never), so it must not be applied again
        assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ? AND email = ?", cid, e0)).isZero();
        assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = ? AND email = ?", cid, e1)).isEqualTo(1);
        // the payload is dropped once the job is complete
        assertThat(F.count("SELECT jsonb_array_length(payload) FROM audience_jobs WHERE company_id = ? AND id = ?",
                cid, job)).isZero();
    }

    @Test
    void anotherCompanysJobIsNotFoundAndBadInputIs4xx() throws Exception {
        Res r = K.send("POST", "/api/profile-bulk-import-jobs", importBody(List.of(profile("{\"email\":\""
                + uniq("t") + "@example.com\"}")), null), server(A.secretKey()));
        String job = r.json().at("/data/id").asText();
        await(A, job);
        for (String sub : List.of("", "/import-errors", "/profiles", "/relationships/profiles", "/lists",
                "/relationships/lists")) {
            assertThat(K.send("GET", "/api/profile-bulk-import-jobs/" + job + sub, null, server(B.secretKey())).status())
                    .as(sub).isEqualTo(404);
        }
        assertThat(ids(K.send("GET", "/api/profile-bulk-import-jobs", null, server(B.secretKey())).json().get("data")))
                .doesNotContain(job);
        long jobsBefore = F.count("SELECT count(*) FROM audience_jobs");
        String bList = createList(B, "Theirs");
        Res otherList = K.send("POST", "/api/profile-bulk-import-jobs", importBody(List.of(profile("{\"email\":\"x@example.com\"}")),
                bList), server(A.secretKey()));
        assertThat(otherList.status()).isEqualTo(404);
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) many.add("{\"type\":\"profile\",\"attributes\":{\"email\":\"p" + i + "@e.co\"}}");
        // only the answer is validated: checking 10,001 items against the schema costs the test JVM's heap
        Res tooMany = K.sendInvalid("POST", "/api/profile-bulk-import-jobs", importBody(many, null), server(A.secretKey()));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/profiles/data");
        Res wrongType = K.sendInvalid("POST", "/api/profile-bulk-import-jobs", importBody(List.of(
                "{\"type\":\"event\",\"attributes\":{\"email\":\"y@example.com\"}}"), null), server(A.secretKey()));
        assertThat(wrongType.status()).isEqualTo(409);
        assertThat(F.count("SELECT count(*) FROM audience_jobs")).isEqualTo(jobsBefore);
        assertThat(K.sendInvalid("POST", "/api/event-bulk-create-jobs", "{\"data\":{\"type\":\"event-bulk-create-job\","
                + "\"attributes\":{}}}", server(A.secretKey())).status()).isEqualTo(400);
        assertThat(K.sendInvalid("GET", "/api/profile-bulk-import-jobs", null, server(A.publicKey())).status())
                .isEqualTo(403);
    }
}
