package io.switchboard.safety;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 11, findings 6, 10, 13 and 16: query values that answered 500 (NUL bytes, out-of-range datetimes,
 * forged cursors) are 400s naming the parameter; page parameters are read by one parser with one message on
 * every list; the bootstrap admin token only creates companies; settings PATCH is a JSON merge patch.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SafeInputIntegrationTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String JSONAPI = "application/vnd.api+json";
    static TestCompany C;
    static String profileId;

    @BeforeAll
    static void setUp() {
        C = F.createCompany("Safe");
        Res p = F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"safe@example.com\"}}}",
                server(C.secretKey()));
        assertThat(p.status()).as(p.toString()).isEqualTo(201);
        profileId = p.json().at("/data/id").asText();
        for (int i = 0; i < 3; i++) {
            F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"safe" + i + "@example.com\"}}}",
                    server(C.secretKey()));
            Res e = F.post("/api/events", "{\"data\":{\"type\":\"event\",\"attributes\":{\"properties\":{},\"unique_id\":\"u" + i + "\",\"metric\":{\"data\":"
                    + "{\"type\":\"metric\",\"attributes\":{\"name\":\"Viewed\"}}},\"profile\":{\"data\":{\"type\":\"profile\","
                    + "\"id\":\"" + profileId + "\"}}}}}", server(C.secretKey()));
            assertThat(e.status()).as(e.toString()).isLessThan(300);
        }
    }

    static Map<String, String> server(String key) {
        return Map.of("Authorization", "Klaviyo-API-Key " + key, "revision", "2026-07-15", "Content-Type", JSONAPI,
                "Accept", JSONAPI);
    }

    static Map<String, String> admin(String token) {
        return Map.of("Authorization", "Bearer " + token, "Content-Type", JSONAPI);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void assert400Naming(Res r, String parameter, String what) {
        assertThat(r.status()).as(what + " -> " + r).isEqualTo(400);
        assertThat(r.json().at("/errors/0/source/parameter").asText()).as(what + " -> " + r).isEqualTo(parameter);
    }

    String adminProfiles() {
        return "/admin/companies/" + C.publicId() + "/profiles";
    }

    String adminEvents() {
        return adminProfiles() + "/" + profileId + "/events";
    }

    // ------------------------------------------------------------------ finding 6: NUL bytes

    @Test
    void nulBytesInFiltersQueryParametersAndPathsAre400NamingThem() {
        assert400Naming(F.get("/api/profiles?filter=" + enc("equals(external_id,\"a\u0000b\")"), server(C.secretKey())),
                "filter", "NUL in a Klaviyo filter value");
        assert400Naming(F.get(adminProfiles() + "?email=a%00b", admin(C.secretKey())), "email", "NUL in ?email");
        assert400Naming(F.get(adminProfiles() + "?external_id=%00", admin(C.secretKey())), "external_id", "NUL in ?external_id");
        assert400Naming(F.get(adminEvents() + "?type=tr%00ack", admin(C.secretKey())), "type", "NUL in ?type");
        // Jetty itself refuses %00 in a path with a 400 (its error page is another finding's subject)
        assertThat(F.get("/api/profiles/a%00b", server(C.secretKey())).status()).isEqualTo(400);
        assertThat(F.get("/admin/companies/" + C.publicId().substring(0, 5) + "%00", admin(C.secretKey())).status())
                .isEqualTo(400);
        assert400Naming(F.get("/api/events?filter=" + enc("equals(profile_id,\"a\u0000\")"), server(C.secretKey())),
                "filter", "NUL in an event filter");
        Res client = F.post("/client/profiles?company_id=" + C.publicId() + "%00", "{}", Map.of("revision", "2026-07-15",
                "Content-Type", JSONAPI));
        assert400Naming(client, "company_id", "NUL in ?company_id");
    }

    @Test
    void nulCharactersInJsonBodiesAre400NamingTheFieldInEveryDialectAndNothingIsWritten() {
        long before = F.count("SELECT count(*) FROM profiles WHERE company_id = (SELECT id FROM companies WHERE public_id = ?)", C.publicId());
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((C.publicKey() + ":").getBytes(StandardCharsets.UTF_8));
        // found by EndpointFuzzTest: a Dittofeed page whose anonymousId held a NUL answered 500 (text cannot store it)
        Res dittofeed = F.post("/api/public/apps/page", "{\"type\":\"page\",\"messageId\":\"m-nul\",\"anonymousId\":\"a\\u0000b\",\"name\":\"Home\"}",
                Map.of("PublicWriteKey", C.publicKey(), "Content-Type", "application/json"));
        assertThat(dittofeed.status()).as(dittofeed.toString()).isEqualTo(400);
        assertThat(dittofeed.body()).contains("/anonymousId").contains("NUL");
        Res segment = F.post("/v1/track", "{\"type\":\"track\",\"messageId\":\"m-nul2\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"k\\u0000\":1}}",
                Map.of("Authorization", basic, "Content-Type", "application/json"));
        assertThat(segment.status()).as(segment.toString()).isEqualTo(400);
        assertThat(segment.body()).contains("/properties/k");
        Res klaviyo = F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"nul@example.com\",\"properties\":{\"plan\":[\"x\\u0000\"]}}}}",
                server(C.secretKey()));
        assertThat(klaviyo.status()).as(klaviyo.toString()).isEqualTo(400);
        assertThat(klaviyo.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/properties/plan/0");
        // an escaped backslash followed by "u0000" is text, not a NUL
        Res text = F.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"backslash@example.com\",\"properties\":{\"p\":\"\\\\u0000\"}}}}",
                server(C.secretKey()));
        assertThat(text.status()).as(text.toString()).isEqualTo(201);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE company_id = (SELECT id FROM companies WHERE public_id = ?)", C.publicId()))
                .isEqualTo(before + 1);
    }

    @Test
    void malformedAcceptHeadersAre400NamingThemAndAbsentOnesAreFine() {
        // ParameterGuard parses Accept / Accept-Language only when they are sent (docs/performance.md)
        Map<String, String> h = new LinkedHashMap<>(server(C.secretKey()));
        h.put("Accept", "*/*;q=abc");
        assert400Naming(F.get("/api/profiles", h), "Accept", "Accept with q=abc");
        h = new LinkedHashMap<>(server(C.secretKey()));
        h.put("Accept-Language", "en;q=abc");
        assert400Naming(F.get("/api/profiles", h), "Accept-Language", "Accept-Language with q=abc");
        h = new LinkedHashMap<>(server(C.secretKey()));
        h.remove("Accept");
        assertThat(F.get("/api/profiles", h).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ finding 6: datetimes out of range

    @Test
    void outOfRangeDatetimesInFiltersAre400NamingTheParameter() {
        for (String t : List.of("0000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
                "+10000-01-01T00:00:00Z")) {
            assert400Naming(F.get("/api/profiles?filter=" + enc("greater-than(created," + t + ")"), server(C.secretKey())),
                    "filter", "profile filter " + t);
            assert400Naming(F.get("/api/profiles?filter=" + enc("less-than(updated," + t + ")"), server(C.secretKey())),
                    "filter", "profile filter " + t);
            assert400Naming(F.get(adminProfiles() + "?created_after=" + enc(t), admin(C.secretKey())), "created_after",
                    "admin created_after " + t);
            assert400Naming(F.get("/api/events?filter=" + enc("greater-than(datetime," + t + ")"), server(C.secretKey())),
                    "filter", "event filter " + t);
        }
        for (String n : List.of("9223372036854775807", "-9223372036854775808", "253402300800")) {
            assert400Naming(F.get("/api/events?filter=" + enc("greater-than(timestamp," + n + ")"), server(C.secretKey())),
                    "filter", "event timestamp " + n);
        }
        // the edges of the range still work
        assertThat(F.get("/api/profiles?filter=" + enc("greater-than(created,0001-01-01T00:00:00Z)"), server(C.secretKey()))
                .status()).isEqualTo(200);
        assertThat(F.get("/api/profiles?filter=" + enc("less-than(created,9999-12-31T23:59:59Z)"), server(C.secretKey()))
                .json().at("/data").size()).isEqualTo(4);
        assertThat(F.get("/api/events?filter=" + enc("greater-than(timestamp,0)"), server(C.secretKey())).status())
                .isEqualTo(200);
    }

    // ------------------------------------------------------------------ finding 6: forged cursors

    @Test
    void forgedCorruptOrForeignCursorsAre400NamingPageCursor() {
        String forgedProfile = b64("{\"b\":false,\"s\":\"created\",\"k\":\"+999999999-12-31T23:59:59Z\",\"i\":\"x\"}");
        String forgedEvent = b64("+999999999-12-31T23:59:59Z|01ARZ3NDEKTSV4RRFFQ69G5FAV");
        String yearZeroEvent = b64("0000-01-01T00:00:00Z|x");
        Map<String, String> lists = new LinkedHashMap<>();
        lists.put("/api/profiles?sort=created&page[size]=1", "klaviyo");
        lists.put(adminProfiles() + "?sort=created&page[size]=1", "admin");
        lists.put(adminEvents() + "?page[size]=1", "admin");
        lists.put("/api/events?page[size]=1", "klaviyo");
        for (var list : lists.entrySet()) {
            Map<String, String> auth = list.getValue().equals("admin") ? admin(C.secretKey()) : server(C.secretKey());
            Res first = F.get(list.getKey(), auth);
            assertThat(first.status()).as(list.getKey() + " " + first).isEqualTo(200);
            String next = first.json().at("/links/next").asText();
            assertThat(next).as(list.getKey()).contains("page%5Bcursor%5D=");
            String valid = java.net.URLDecoder.decode(next.substring(next.indexOf("page%5Bcursor%5D=") + 17).split("&")[0],
                    StandardCharsets.UTF_8);
            // the issued cursor works
            assertThat(F.get(list.getKey() + "&page[cursor]=" + enc(valid), auth).status()).isEqualTo(200);
            String tampered = valid.charAt(0) == 'A' ? "B" + valid.substring(1) : "A" + valid.substring(1);
            for (String bad : List.of(forgedProfile, forgedEvent, yearZeroEvent, "%%%", "not-a-cursor", tampered,
                    valid.substring(0, valid.length() - 2), "b." + forgedEvent, "x".repeat(5000))) {
                assert400Naming(F.get(list.getKey() + "&page[cursor]=" + enc(bad), auth), "page[cursor]",
                        list.getKey() + " cursor " + bad);
            }
        }
        // a cursor of one list is not a cursor of another
        Res profiles = F.get("/api/profiles?sort=created&page[size]=1", server(C.secretKey()));
        String next = profiles.json().at("/links/next").asText();
        String profileCursor = java.net.URLDecoder.decode(next.substring(next.indexOf("page%5Bcursor%5D=") + 17),
                StandardCharsets.UTF_8);
        assert400Naming(F.get(adminEvents() + "?page[cursor]=" + enc(profileCursor), admin(C.secretKey())), "page[cursor]",
                "profile cursor on the events list");
        assert400Naming(F.get("/api/profiles?sort=-created&page[cursor]=" + enc(profileCursor), server(C.secretKey())),
                "page[cursor]", "cursor of another sort");
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ finding 16: one page-parameter parser

    @Test
    void badPageSizeIs400NamingItWithTheSameMessageOnEveryList() {
        List<String> lists = List.of("/api/profiles", adminProfiles(), adminEvents(), "/api/events");
        for (String bad : List.of("abc", "0", "-1", "1.5", "99999999999", "1e3", " ")) {
            for (String list : lists) {
                if (bad.isBlank()) continue;
                Map<String, String> auth = list.startsWith("/admin") ? admin(C.secretKey()) : server(C.secretKey());
                Res r = F.get(list + "?page[size]=" + enc(bad), auth);
                assert400Naming(r, "page[size]", list + " page[size]=" + bad);
                assertThat(r.json().at("/errors/0/detail").asText()).as(list)
                        .matches("`page\\[size\\]` must be an integer from 1 to \\d+ \\(default \\d+\\)\\.");
            }
        }
        Res events = F.get(adminEvents() + "?page[size]=2", admin(C.secretKey()));
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.json().at("/data").size()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ finding 10: the admin token

    @Test
    void adminTokenOnlyCreatesCompanies() {
        Res created = F.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"Boot\"}}}",
                admin(AppFixture.ADMIN_TOKEN));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().at("/meta/secret_key").asText()).startsWith("sk_");
        String co = created.json().at("/data/id").asText();
        long keys = F.count("SELECT count(*) FROM api_keys WHERE company_id = ?", F.companyId(co));
        String keyId = F.get("/admin/companies/" + co + "/keys", admin(created.json().at("/meta/secret_key").asText()))
                .json().at("/data/0/id").asText();
        Map<String, String> token = admin(AppFixture.ADMIN_TOKEN);
        List<Res> refused = List.of(
                F.get("/admin/companies/" + co, token),
                F.post("/admin/companies/" + co + "/keys", "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"secret\"}}}", token),
                F.get("/admin/companies/" + co + "/keys", token),
                F.request("DELETE", "/admin/companies/" + co + "/keys/" + keyId, null, token),
                F.request("PATCH", "/admin/companies/" + co, "{\"data\":{\"type\":\"company\",\"attributes\":{\"settings\":{}}}}", token),
                F.get("/admin/companies/" + co + "/profiles", token),
                // a company that does not exist: the same 403, no existence oracle
                F.get("/admin/companies/ZZZZZ9", token),
                F.post("/admin/companies/ZZZZZ9/keys", "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"secret\"}}}", token));
        for (Res r : refused) {
            assertThat(r.status()).as(r.toString()).isEqualTo(403);
            assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("permission_denied");
            assertThat(r.json().at("/errors/0/detail").asText()).contains("key create");
        }
        assertThat(F.count("SELECT count(*) FROM api_keys WHERE company_id = ? AND revoked_at IS NULL", F.companyId(co)))
                .isEqualTo(keys);
    }

    // ------------------------------------------------------------------ finding 13: settings merge patch

    Res patchSettings(String co, String key, String settings) {
        return F.request("PATCH", "/admin/companies/" + co, "{\"data\":{\"type\":\"company\",\"id\":\"" + co
                + "\",\"attributes\":{\"settings\":" + settings + "}}}", admin(key));
    }

    @Test
    void settingsPatchIsAJsonMergePatch() {
        TestCompany c = F.createCompany("Merge");
        Res first = patchSettings(c.publicId(), c.secretKey(),
                "{\"default_region\":\"GB\",\"cors_origins\":[\"https://shop.example.com\"],\"identifier_block_list\":[\"n/a\"]}");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        // the README's rate-limit example keeps everything else
        Res rl = patchSettings(c.publicId(), c.secretKey(),
                "{\"rate_limits\":{\"client\":{\"burst_per_second\":100,\"steady_per_minute\":3000}}}");
        assertThat(rl.status()).as(rl.toString()).isEqualTo(200);
        JsonNode s = rl.json().at("/data/attributes/settings");
        assertThat(s.at("/default_region").asText()).isEqualTo("GB");
        assertThat(s.at("/cors_origins/0").asText()).isEqualTo("https://shop.example.com");
        assertThat(s.at("/identifier_block_list/0").asText()).isEqualTo("n/a");
        assertThat(s.at("/rate_limits/client/burst_per_second").asInt()).isEqualTo(100);
        // objects merge key by key; null removes a key
        Res more = patchSettings(c.publicId(), c.secretKey(),
                "{\"rate_limits\":{\"bulk\":{\"steady_per_minute\":10},\"client\":{\"burst_per_second\":null}},\"cors_origins\":null}");
        assertThat(more.status()).as(more.toString()).isEqualTo(200);
        JsonNode stored = F.db().withHandle(h -> h.createQuery("SELECT settings::text FROM companies WHERE public_id = :p")
                .bind("p", c.publicId()).mapTo(String.class).map(t -> {
                    try {
                        return AppFixture.JSON.readTree(t);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).one());
        assertThat(stored.at("/default_region").asText()).isEqualTo("GB");
        assertThat(stored.path("cors_origins").size()).isZero();
        assertThat(stored.at("/rate_limits/client/steady_per_minute").asInt()).isEqualTo(3000);
        assertThat(stored.at("/rate_limits/client/burst_per_second").isMissingNode()
                || stored.at("/rate_limits/client/burst_per_second").isNull()).isTrue();
        assertThat(stored.at("/rate_limits/bulk/steady_per_minute").asInt()).isEqualTo(10);
        // validated as a whole; nothing written on a 400
        String before = F.db().withHandle(h -> h.createQuery("SELECT settings::text FROM companies WHERE public_id = :p")
                .bind("p", c.publicId()).mapTo(String.class).one());
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"default_region\":\"XX\"}", "/data/attributes/settings/default_region");
        bad.put("{\"default_region\":7}", "/data/attributes/settings/default_region");
        bad.put("{\"cors_origins\":\"https://a.example\"}", "/data/attributes/settings/cors_origins");
        bad.put("{\"cors_origins\":[\"https://a.example/path\"]}", "/data/attributes/settings/cors_origins/0");
        bad.put("{\"cors_origins\":[\"javascript:alert(1)\"]}", "/data/attributes/settings/cors_origins/0");
        bad.put("{\"rate_limits\":{\"nope\":{\"burst_per_second\":1}}}", "/data/attributes/settings/rate_limits/nope");
        bad.put("{\"rate_limits\":{\"client\":{\"burst_per_second\":-1}}}", "/data/attributes/settings/rate_limits/client/burst_per_second");
        bad.put("{\"rate_limits\":{\"client\":{\"burst_per_second\":\"10\"}}}", "/data/attributes/settings/rate_limits/client/burst_per_second");
        bad.put("{\"rate_limits\":{\"client\":{\"burst\":10}}}", "/data/attributes/settings/rate_limits/client/burst");
        bad.put("{\"rate_limits\":{\"client\":{\"burst_per_second\":1000}}}", "/data/attributes/settings/rate_limits/client/burst_per_second");
        bad.put("{\"rate_limits\":{\"client\":{\"steady_per_minute\":0}}}", "/data/attributes/settings/rate_limits/client/steady_per_minute");
        bad.put("{\"corsOrigins\":[]}", "/data/attributes/settings/corsOrigins");
        bad.put("[]", "/data/attributes/settings");
        for (var b : bad.entrySet()) {
            Res r = patchSettings(c.publicId(), c.secretKey(), b.getKey());
            assertThat(r.status()).as(b.getKey() + " -> " + r).isEqualTo(400);
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(b.getKey()).isEqualTo(b.getValue());
        }
        String after = F.db().withHandle(h -> h.createQuery("SELECT settings::text FROM companies WHERE public_id = :p")
                .bind("p", c.publicId()).mapTo(String.class).one());
        assertThat(after).isEqualTo(before);
        // wrong type or id → 409
        Res wrongId = F.request("PATCH", "/admin/companies/" + c.publicId(), "{\"data\":{\"type\":\"company\",\"id\":\"ZZZZZZ\","
                + "\"attributes\":{\"settings\":{}}}}", admin(c.secretKey()));
        assertThat(wrongId.status()).isEqualTo(409);
        // settings: null resets to the defaults
        Res reset = patchSettings(c.publicId(), c.secretKey(), "null");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().at("/data/attributes/settings/default_region").asText()).isEqualTo("US");
    }
}
