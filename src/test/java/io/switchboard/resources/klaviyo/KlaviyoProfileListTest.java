package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /api/profiles} (filter, sort, cursor paging, links, sparse fields) and the admin list. */
class KlaviyoProfileListTest extends KlaviyoTestBase {
    static final List<String> IDS = new ArrayList<>();
    static String middleCreated;

    @BeforeAll
    static void setUp() throws Exception {
        // 7 profiles in A, emails in reverse order of creation; one in B with a shared email
        for (int i = 0; i < 7; i++) {
            Res r = K.send("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"user"
                    + (9 - i) + "@list.example\",\"external_id\":\"ext-" + i + "\",\"phone_number\":\"+1415555010" + i
                    + "\"}}}", server(A.secretKey()));
            IDS.add(r.json().at("/data/id").asText());
            if (i == 3) middleCreated = r.json().at("/data/attributes/created").asText();
            Thread.sleep(2);
        }
        K.send("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"user9@list.example\"}}}",
                server(B.secretKey()));
    }

    static Res list(String key, String query) {
        return K.send("GET", "/api/profiles" + query, null, server(key));
    }

    static String q(String filter) {
        return "?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8);
    }

    static List<String> ids(Res r) {
        List<String> out = new ArrayList<>();
        r.json().path("data").forEach(d -> out.add(d.path("id").asText()));
        return out;
    }

    @Test
    void defaultListIsAllOfTheCompanysProfilesById() {
        Res r = list(A.secretKey(), "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r)).containsExactlyElementsOf(IDS.stream().sorted().toList());
        assertThat(r.json().at("/links/self").asText()).isEqualTo(F.baseUrl() + "/api/profiles");
        assertThat(r.json().at("/links").has("next")).isFalse();
        r.json().path("data").forEach(d -> assertThat(d.at("/links/self").asText()).startsWith(F.baseUrl() + "/api/profiles/"));
    }

    @Test
    void equalsAndAnyFilterOnIdentifiersNormalisedLikeWrites() {
        assertThat(ids(list(A.secretKey(), q("equals(email,\"USER9@list.example\")")))).containsExactly(IDS.get(0));
        assertThat(ids(list(A.secretKey(), q("equals(email,'user8@list.example')")))).containsExactly(IDS.get(1));
        assertThat(ids(list(A.secretKey(), q("any(external_id,[\"ext-2\",\"ext-4\",\"nope\"])"))))
                .containsExactlyInAnyOrder(IDS.get(2), IDS.get(4));
        assertThat(ids(list(A.secretKey(), q("equals(phone_number,\"+14155550105\")")))).containsExactly(IDS.get(5));
        assertThat(ids(list(A.secretKey(), q("equals(id,\"" + IDS.get(6) + "\")")))).containsExactly(IDS.get(6));
        assertThat(ids(list(A.secretKey(), q("and(equals(email,\"user9@list.example\"),equals(external_id,\"ext-1\"))"))))
                .isEmpty();
        assertThat(ids(list(A.secretKey(), q("equals(email,\"user9@list.example\"),equals(external_id,\"ext-0\")"))))
                .containsExactly(IDS.get(0));
    }

    @Test
    void createdAndUpdatedRangesWithUnquotedDatetimes() {
        Res after = list(A.secretKey(), q("greater-than(created," + middleCreated + ")"));
        assertThat(ids(after)).containsExactlyInAnyOrderElementsOf(IDS.subList(4, 7));
        Res before = list(A.secretKey(), q("and(less-than(created," + middleCreated + "),greater-than(updated,2020-01-01T00:00:00Z))"));
        assertThat(ids(before)).containsExactlyInAnyOrderElementsOf(IDS.subList(0, 3));
    }

    @Test
    void sortAndCursorPagingWalkForwardAndBack() {
        Res p1 = list(A.secretKey(), "?sort=-email&page%5Bsize%5D=3");
        assertThat(p1.json().at("/data/0/attributes/email").asText()).isEqualTo("user9@list.example");
        String next = p1.json().at("/links/next").asText();
        assertThat(next).startsWith(F.baseUrl() + "/api/profiles?");
        assertThat(p1.json().at("/links").has("prev")).isFalse();
        Res p2 = K.send("GET", URI.create(next).getRawPath() + "?" + URI.create(next).getRawQuery(), null,
                server(A.secretKey()));
        Res p3 = K.send("GET", pathOf(p2.json().at("/links/next").asText()), null, server(A.secretKey()));
        List<String> all = new ArrayList<>(ids(p1));
        all.addAll(ids(p2));
        all.addAll(ids(p3));
        assertThat(all).containsExactlyElementsOf(IDS);
        assertThat(p3.json().at("/links").has("next")).isFalse();
        Res back = K.send("GET", pathOf(p3.json().at("/links/prev").asText()), null, server(A.secretKey()));
        assertThat(ids(back)).containsExactlyElementsOf(ids(p2));
        Res first = K.send("GET", pathOf(back.json().at("/links/prev").asText()), null, server(A.secretKey()));
        assertThat(ids(first)).containsExactlyElementsOf(ids(p1));
        assertThat(first.json().at("/links").has("prev")).isFalse();

        Res byCreated = list(A.secretKey(), "?sort=created&page%5Bsize%5D=100");
        assertThat(ids(byCreated)).containsExactlyElementsOf(IDS);
        Res byUpdatedDesc = list(A.secretKey(), "?sort=-updated&page%5Bsize%5D=4");
        assertThat(ids(byUpdatedDesc)).containsExactlyElementsOf(List.of(IDS.get(6), IDS.get(5), IDS.get(4), IDS.get(3)));
    }

    @Test
    void aWholeNextUrlPassedAsTheCursorWorks() {
        Res p1 = list(A.secretKey(), "?page%5Bsize%5D=2");
        String next = p1.json().at("/links/next").asText();
        Res p2 = K.send("GET", "/api/profiles?page%5Bsize%5D=2&page%5Bcursor%5D=" + URLEncoder.encode(next,
                StandardCharsets.UTF_8), null, server(A.secretKey()));
        assertThat(p2.status()).isEqualTo(200);
        assertThat(ids(p2)).containsExactlyElementsOf(IDS.stream().sorted().toList().subList(2, 4));
    }

    @Test
    void sparseFieldsOnTheList() {
        Res r = list(A.secretKey(), "?fields%5Bprofile%5D=email,external_id&page%5Bsize%5D=1");
        JsonNode a = r.json().at("/data/0/attributes");
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.has("email")).isTrue();
        assertThat(a.has("external_id")).isTrue();
    }

    @Test
    void badQueriesAre400NamingTheParameter() {
        Map<String, String> cases = Map.of(
                q("equals(shoe_size,\"9\")"), "filter",
                q("greater-than(email,\"a\")"), "filter",
                q("equals(email,\"a@b.co\""), "filter",
                q("greater-than(created,yesterday)"), "filter",
                q("or(equals(id,\"a\"),equals(id,\"b\"))"), "filter",
                "?page%5Bsize%5D=0", "page[size]",
                "?page%5Bsize%5D=101", "page[size]",
                "?page%5Bcursor%5D=garbage", "page[cursor]",
                "?sort=shoe_size", "sort");
        cases.forEach((query, param) -> {
            Res r = K.sendInvalid("GET", "/api/profiles" + query, null, server(A.secretKey()));
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("invalid");
            assertThat(r.json().at("/errors/0/source/parameter").asText()).as(query).isEqualTo(param);
        });
        // a cursor made for another sort order is refused too
        String next = list(A.secretKey(), "?page%5Bsize%5D=2").json().at("/links/next").asText();
        String cursor = next.substring(next.indexOf("cursor%5D=") + 10);
        Res r = K.sendInvalid("GET", "/api/profiles?sort=-created&page%5Bcursor%5D=" + cursor, null, server(A.secretKey()));
        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    void listsNeverCrossCompanies() {
        assertThat(ids(list(B.secretKey(), ""))).hasSize(1).doesNotContainAnyElementsOf(IDS);
        assertThat(ids(list(B.secretKey(), q("any(id,[\"" + String.join("\",\"", IDS) + "\"])")))).isEmpty();
    }

    @Test
    void adminListIsTheSameQueryDialectNeutrally() {
        Map<String, String> h = Map.of("Authorization", "Bearer " + A.secretKey());
        Res all = F.get("/admin/companies/" + A.publicId() + "/profiles?page%5Bsize%5D=4&sort=created", h);
        assertThat(all.status()).isEqualTo(200);
        assertThat(ids(all)).containsExactlyElementsOf(IDS.subList(0, 4));
        Res next = F.get(pathOf(all.json().at("/links/next").asText()), h);
        assertThat(ids(next)).containsExactlyElementsOf(IDS.subList(4, 7));
        Res byEmail = F.get("/admin/companies/" + A.publicId() + "/profiles?email=USER8@list.example", h);
        assertThat(ids(byEmail)).containsExactly(IDS.get(1));
        assertThat(byEmail.json().at("/data/0/attributes/external_id").asText()).isEqualTo("ext-1");
        Res range = F.get("/admin/companies/" + A.publicId() + "/profiles?created_after="
                + URLEncoder.encode(middleCreated, StandardCharsets.UTF_8), h);
        assertThat(ids(range)).hasSize(3);
        Res bad = F.get("/admin/companies/" + A.publicId() + "/profiles?created_after=soon", h);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/errors/0/source/parameter").asText()).isEqualTo("created_after");
        Res otherCompany = F.get("/admin/companies/" + A.publicId() + "/profiles", Map.of("Authorization", "Bearer "
                + B.secretKey()));
        assertThat(otherCompany.status()).isEqualTo(404);
        Res publicKey = F.get("/admin/companies/" + A.publicId() + "/profiles", Map.of("Authorization", "Bearer "
                + A.publicKey()));
        assertThat(publicKey.status()).isEqualTo(403);
    }

    static String pathOf(String url) {
        URI u = URI.create(url);
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }
}
