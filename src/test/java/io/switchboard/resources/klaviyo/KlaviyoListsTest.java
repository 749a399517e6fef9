package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.client;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Static lists (issue 15, step 2): CRUD, membership add/remove/get, members as profiles, a profile's
 * lists, the lists /client/subscriptions names, merges and deletions, cross-tenant denial and bad input.
 * Every exchange validated against Klaviyo's OpenAPI document.
 */
class KlaviyoListsTest extends KlaviyoTestBase {

    static String profile(TestCompany c, String email) {
        return createProfile(c, "{\"email\":\"" + email + "\"}");
    }

    static String linkage(String... ids) {
        StringBuilder b = new StringBuilder("{\"data\":[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) b.append(',');
            b.append("{\"type\":\"profile\",\"id\":\"").append(ids[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    static Res add(TestCompany c, String list, String... profiles) {
        return K.send("POST", "/api/lists/" + list + "/relationships/profiles", linkage(profiles), server(c.secretKey()));
    }

    @Test
    void createGetRenameDelete() {
        Res created = K.send("POST", "/api/lists", "{\"data\":{\"type\":\"list\",\"attributes\":{\"name\":\"Newsletter\","
                + "\"opt_in_process\":\"double_opt_in\"}}}", server(A.secretKey()));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().at("/data/id").asText();
        assertThat(id).hasSize(6);
        assertThat(created.json().at("/data/attributes/opt_in_process").asText()).isEqualTo("double_opt_in");
        String p = profile(A, uniq("crud") + "@example.com");
        assertThat(add(A, id, p).status()).isEqualTo(204);
        Res got = K.send("GET", "/api/lists/" + id + "?additional-fields[list]=profile_count", null, server(A.secretKey()));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().at("/data/attributes/name").asText()).isEqualTo("Newsletter");
        assertThat(got.json().at("/data/attributes/profile_count").asInt()).isEqualTo(1);
        Res renamed = K.send("PATCH", "/api/lists/" + id, "{\"data\":{\"type\":\"list\",\"id\":\"" + id
                + "\",\"attributes\":{\"name\":\"Weekly\"}}}", server(A.secretKey()));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().at("/data/attributes/name").asText()).isEqualTo("Weekly");
        assertThat(renamed.json().at("/data/attributes/opt_in_process").asText()).isEqualTo("double_opt_in");
        assertThat(K.send("DELETE", "/api/lists/" + id, null, server(A.secretKey())).status()).isEqualTo(204);
        assertThat(K.send("GET", "/api/lists/" + id, null, server(A.secretKey())).status()).isEqualTo(404);
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id = ?", id)).isZero();
    }

    @Test
    void listingFiltersSortsAndPages() {
        TestCompany c = F.createCompany("Paging");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 13; i++) made.add(createList(c, "L" + (char) ('a' + i)));
        List<String> seen = new ArrayList<>();
        String next = "/api/lists?sort=-name";
        while (next != null) {
            Res r = K.send("GET", next, null, server(c.secretKey()));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            r.json().get("data").forEach(d -> seen.add(d.at("/attributes/name").asText()));
            String n = r.json().at("/links/next").asText(null);
            next = n == null ? null : n.substring(F.baseUrl().length());
        }
        assertThat(seen).hasSize(13).first().isEqualTo("Lm");
        assertThat(seen).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        Res byName = K.send("GET", "/api/lists?filter=equals(name,%22Lc%22)", null, server(c.secretKey()));
        assertThat(ids(byName.json().get("data"))).containsExactly(made.get(2));
        Res any = K.send("GET", "/api/lists?filter=any(id,[%22" + made.get(0) + "%22,%22" + made.get(1) + "%22])", null,
                server(c.secretKey()));
        assertThat(ids(any.json().get("data"))).containsExactlyInAnyOrder(made.get(0), made.get(1));
        Res badSort = K.sendInvalid("GET", "/api/lists?sort=size", null, server(c.secretKey()));
        assertThat(badSort.status()).isEqualTo(400);
        assertThat(badSort.json().at("/errors/0/source/parameter").asText()).isEqualTo("sort");
        Res badFilter = K.send("GET", "/api/lists?filter=equals(owner,%22x%22)", null, server(c.secretKey()));
        assertThat(badFilter.json().at("/errors/0/source/parameter").asText()).isEqualTo("filter");
        Res badCursor = K.send("GET", "/api/lists?page[cursor]=garbage!", null, server(c.secretKey()));
        assertThat(badCursor.json().at("/errors/0/source/parameter").asText()).isEqualTo("page[cursor]");
        assertThat(ids(K.send("GET", "/api/lists", null, server(B.secretKey())).json().get("data")))
                .doesNotContainAnyElementsOf(made);
    }

    @Test
    void membershipAddRemoveAndRead() {
        String list = createList(A, "Members");
        List<String> ps = new ArrayList<>();
        for (int i = 0; i < 5; i++) ps.add(profile(A, uniq("m" + i) + "@example.com"));
        assertThat(add(A, list, ps.toArray(String[]::new)).status()).isEqualTo(204);
        assertThat(add(A, list, ps.get(0)).status()).isEqualTo(204); // idempotent
        List<String> members = new ArrayList<>();
        String next = "/api/lists/" + list + "/relationships/profiles?page[size]=2";
        while (next != null) {
            Res r = K.send("GET", next, null, server(A.secretKey()));
            assertThat(r.status()).isEqualTo(200);
            members.addAll(ids(r.json().get("data")));
            String n = r.json().at("/links/next").asText(null);
            next = n == null ? null : n.substring(F.baseUrl().length());
        }
        assertThat(members).containsExactlyInAnyOrderElementsOf(ps);
        Res removed = K.send("DELETE", "/api/lists/" + list + "/relationships/profiles", linkage(ps.get(1), ps.get(2)),
                server(A.secretKey()));
        assertThat(removed.status()).isEqualTo(204);
        Res profiles = K.send("GET", "/api/lists/" + list + "/profiles?page[size]=100", null, server(A.secretKey()));
        assertThat(profiles.status()).as(profiles.toString()).isEqualTo(200);
        assertThat(ids(profiles.json().get("data"))).containsExactlyInAnyOrder(ps.get(0), ps.get(3), ps.get(4));
        assertThat(profiles.json().at("/data/0/attributes/joined_group_at").asText()).isNotEmpty();
        assertThat(profiles.json().at("/data/0/attributes/email").asText()).endsWith("@example.com");
        String email = profiles.json().at("/data/0/attributes/email").asText();
        Res byEmail = K.send("GET", "/api/lists/" + list + "/profiles?filter=equals(email,%22" + email + "%22)", null,
                server(A.secretKey()));
        assertThat(byEmail.json().get("data").size()).isEqualTo(1);
        Res mine = K.send("GET", "/api/profiles/" + ps.get(0) + "/lists", null, server(A.secretKey()));
        assertThat(mine.status()).isEqualTo(200);
        assertThat(ids(mine.json().get("data"))).contains(list);
        Res rel = K.send("GET", "/api/profiles/" + ps.get(1) + "/relationships/lists", null, server(A.secretKey()));
        assertThat(ids(rel.json().get("data"))).doesNotContain(list);
    }

    @Test
    void anUnknownProfileFailsTheWholeRequest() {
        String list = createList(A, "Strict");
        String p = profile(A, uniq("s") + "@example.com");
        String other = profile(B, uniq("b") + "@example.com");
        Res r = add(A, list, p, other);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/1/id");
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id = ?", list)).isZero();
        Res wrongType = K.sendInvalid("POST", "/api/lists/" + list + "/relationships/profiles",
                "{\"data\":[{\"type\":\"list\",\"id\":\"" + p + "\"}]}", server(A.secretKey()));
        assertThat(wrongType.status()).isEqualTo(409);
        Res empty = K.send("POST", "/api/lists/" + list + "/relationships/profiles", "{\"data\":[]}", server(A.secretKey()));
        assertThat(empty.status()).isEqualTo(400);
        Res noName = K.sendInvalid("POST", "/api/lists", "{\"data\":{\"type\":\"list\",\"attributes\":{}}}",
                server(A.secretKey()));
        assertThat(noName.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/name");
        Res badOptIn = K.sendInvalid("POST", "/api/lists", "{\"data\":{\"type\":\"list\",\"attributes\":{\"name\":\"x\","
                + "\"opt_in_process\":\"triple\"}}}", server(A.secretKey()));
        assertThat(badOptIn.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/opt_in_process");
        Res mismatch = K.send("PATCH", "/api/lists/" + list, "{\"data\":{\"type\":\"list\",\"id\":\"other\","
                + "\"attributes\":{\"name\":\"y\"}}}", server(A.secretKey()));
        assertThat(mismatch.status()).isEqualTo(409);
    }

    @Test
    void anotherCompanysListAndProfileAreNotFound() {
        String list = createList(A, "Private");
        String p = profile(A, uniq("priv") + "@example.com");
        assertThat(add(A, list, p).status()).isEqualTo(204);
        String bp = profile(B, uniq("bp") + "@example.com");
        String k = B.secretKey();
        assertThat(K.send("GET", "/api/lists/" + list, null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("PATCH", "/api/lists/" + list, "{\"data\":{\"type\":\"list\",\"id\":\"" + list
                + "\",\"attributes\":{\"name\":\"x\"}}}", server(k)).status()).isEqualTo(404);
        assertThat(K.send("DELETE", "/api/lists/" + list, null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/lists/" + list + "/profiles", null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/lists/" + list + "/relationships/profiles", null, server(k)).status()).isEqualTo(404);
        assertThat(add(B, list, bp).status()).isEqualTo(404);
        assertThat(K.send("DELETE", "/api/lists/" + list + "/relationships/profiles", linkage(p), server(k)).status())
                .isEqualTo(404);
        assertThat(K.send("GET", "/api/profiles/" + p + "/lists", null, server(k)).status()).isEqualTo(404);
        assertThat(K.send("GET", "/api/profiles/" + p + "/relationships/lists", null, server(k)).status()).isEqualTo(404);
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id = ?", list)).isEqualTo(1);
        assertThat(K.sendInvalid("GET", "/api/lists", null, server(A.publicKey())).status()).isEqualTo(403);
    }

    @Test
    void clientSubscriptionsFillTheSameLists() {
        String list = createList(A, "Subscribers");
        String email = uniq("sub") + "@example.com";
        Res s = K.send("POST", "/client/subscriptions?company_id=" + A.publicId(), """
                {"data":{"type":"subscription","attributes":{"profile":{"data":{"type":"profile","attributes":{
                 "email":"%s","subscriptions":{"email":{"marketing":{"consent":"SUBSCRIBED"}}}}}}},
                 "relationships":{"list":{"data":{"type":"list","id":"%s"}}}}}""".formatted(email, list), client());
        assertThat(s.status()).as(s.toString()).isEqualTo(202);
        Res members = K.send("GET", "/api/lists/" + list + "/profiles", null, server(A.secretKey()));
        assertThat(members.json().at("/data/0/attributes/email").asText()).isEqualTo(email);
        assertThat(K.send("GET", "/api/lists/" + list + "?additional-fields[list]=profile_count", null,
                server(A.secretKey())).json().at("/data/attributes/profile_count").asInt()).isEqualTo(1);
    }

    @Test
    void mergesMoveMembershipsAndDeletionsEraseThem() {
        String list = createList(A, "Merge");
        String keepEmail = uniq("keep") + "@example.com";
        String keep = profile(A, keepEmail);
        String gone = profile(A, uniq("gone") + "@example.com");
        assertThat(add(A, list, gone).status()).isEqualTo(204);
        Res merged = K.send("POST", "/api/profile-merge", "{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + keep
                + "\",\"relationships\":{\"profiles\":{\"data\":[{\"type\":\"profile\",\"id\":\"" + gone + "\"}]}}}}",
                server(A.secretKey()));
        assertThat(merged.status()).isEqualTo(201);
        Res members = K.send("GET", "/api/lists/" + list + "/relationships/profiles", null, server(A.secretKey()));
        assertThat(ids(members.json().get("data"))).containsExactly(keep);
        // adding the merged-away id adds its survivor
        String list2 = createList(A, "Merge2");
        assertThat(add(A, list2, gone).status()).isEqualTo(204);
        assertThat(ids(K.send("GET", "/api/lists/" + list2 + "/relationships/profiles", null, server(A.secretKey()))
                .json().get("data"))).containsExactly(keep);
        Res del = K.send("POST", "/api/data-privacy-deletion-jobs", "{\"data\":{\"type\":\"data-privacy-deletion-job\","
                + "\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"" + keepEmail
                + "\"}}}}}}",
                server(A.secretKey()));
        assertThat(del.status()).isEqualTo(202);
        assertThat(F.count("SELECT count(*) FROM list_memberships WHERE list_id IN (?, ?)", list, list2)).isZero();
    }
}
