package io.switchboard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.testing.AppFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Throws random JSON, wrong types, huge strings, deep nesting, invalid UTF-8, truncated bodies and junk
 * headers at every write endpoint of every dialect. Whatever the input: never a 5xx, and a rejected
 * request (4xx) leaves every table's row count unchanged.
 */
class EndpointFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static AppFixture fx;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final List<Endpoint> ENDPOINTS = new ArrayList<>();
    static final AtomicInteger CASES = new AtomicInteger();
    static final AtomicInteger REJECTED = new AtomicInteger();

    record Endpoint(String method, String path, Map<String, String> headers, String template) {}

    @BeforeContainer
    static void start() throws Exception {
        fx = new AppFixture();
        fx.app.before();
        AppFixture.TestCompany c = fx.createCompany("Fuzz");
        String co = c.publicId(), pk = c.publicKey(), sk = c.secretKey();
        String rev = "2026-07-15";
        Map<String, String> client = Map.of("revision", rev, "Content-Type", "application/vnd.api+json");
        Map<String, String> server = Map.of("revision", rev, "Content-Type", "application/vnd.api+json",
                "Authorization", "Klaviyo-API-Key " + sk);
        Map<String, String> parcelvoy = Map.of("Authorization", "Bearer " + pk, "Content-Type", "application/json");
        Map<String, String> dittofeed = Map.of("PublicWriteKey", pk, "Content-Type", "application/json");
        Map<String, String> segment = Map.of("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((pk + ":").getBytes(StandardCharsets.UTF_8)), "Content-Type", "application/json");
        Map<String, String> admin = Map.of("Authorization", "Bearer " + sk, "Content-Type", "application/vnd.api+json");
        // a profile to patch
        var created = fx.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"fuzz-target@example.com\"}}}", server);
        String profileId = created.json().at("/data/id").asText();

        String profileAttrs = "{\"email\":\"ann@example.com\",\"phone_number\":\"+14155552671\",\"external_id\":\"u1\",\"first_name\":\"Ann\","
                + "\"location\":{\"city\":\"Oslo\",\"latitude\":59.9},\"properties\":{\"plan\":\"pro\",\"n\":3}}";
        String eventAttrs = "{\"properties\":{\"sku\":\"A1\"},\"value\":9.99,\"unique_id\":\"e1\",\"time\":\"2025-07-15T10:30:00Z\","
                + "\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"Viewed\"}}},"
                + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"ann@example.com\"}}}}";
        add("POST", "/client/profiles?company_id=" + co, client, "{\"data\":{\"type\":\"profile\",\"attributes\":" + profileAttrs
                + ",\"meta\":{\"patch_properties\":{\"append\":{\"tags\":\"x\"}}}}}");
        add("POST", "/client/events?company_id=" + co, client, "{\"data\":{\"type\":\"event\",\"attributes\":" + eventAttrs + "}}");
        add("POST", "/client/event-bulk-create?company_id=" + co, client, "{\"data\":{\"type\":\"event-bulk-create\",\"attributes\":{"
                + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"ann@example.com\"}}},"
                + "\"events\":{\"data\":[{\"type\":\"event\",\"attributes\":{\"properties\":{},\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"Bulk\"}}}}}]}}}}");
        add("POST", "/client/subscriptions?company_id=" + co, client, "{\"data\":{\"type\":\"subscription\",\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\","
                + "\"attributes\":{\"email\":\"ann@example.com\",\"subscriptions\":{\"email\":{\"marketing\":{\"consent\":\"SUBSCRIBED\"}}}}}}},"
                + "\"relationships\":{\"list\":{\"data\":{\"type\":\"list\",\"id\":\"L1\"}}}}}");
        add("POST", "/client/push-tokens?company_id=" + co, client, "{\"data\":{\"type\":\"push-token\",\"attributes\":{\"token\":\"tok1\",\"platform\":\"ios\",\"vendor\":\"apns\","
                + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"ann@example.com\"}}}}}}");
        add("POST", "/client/back-in-stock-subscriptions?company_id=" + co, client, "{\"data\":{\"type\":\"back-in-stock-subscription\",\"attributes\":{\"channels\":[\"EMAIL\"],"
                + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"ann@example.com\"}}}},"
                + "\"relationships\":{\"variant\":{\"data\":{\"type\":\"catalog-variant\",\"id\":\"$custom:::$default:::SKU1\"}}}}}");
        add("POST", "/api/profiles", server, "{\"data\":{\"type\":\"profile\",\"attributes\":" + profileAttrs.replace("u1", "u-server") .replace("ann@", "srv@").replace("+14155552671", "+14155552672") + "}}");
        add("PATCH", "/api/profiles/" + profileId, server, "{\"data\":{\"type\":\"profile\",\"id\":\"" + profileId + "\",\"attributes\":{\"first_name\":\"Z\",\"properties\":{\"a\":1}}}}");
        add("POST", "/api/profile-import", server, "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"imp@example.com\",\"first_name\":\"I\"}}}");
        add("POST", "/api/events", server, "{\"data\":{\"type\":\"event\",\"attributes\":" + eventAttrs + "}}");
        // audiences (docs/audiences.md) and the server push-token endpoint: the synchronous ones (segments and bulk
        // jobs write in the background, which the "nothing written on rejection" count cannot tell apart)
        add("POST", "/api/lists", server, "{\"data\":{\"type\":\"list\",\"attributes\":{\"name\":\"Fuzz list\"}}}");
        add("POST", "/api/push-tokens", server, "{\"data\":{\"type\":\"push-token\",\"attributes\":{\"token\":\"tok-s\",\"platform\":\"android\",\"vendor\":\"fcm\","
                + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"ann@example.com\"}}}}}}");
        add("POST", "/api/metric-aggregates", server, "{\"data\":{\"type\":\"metric-aggregate\",\"attributes\":{\"metric_id\":\"M1\",\"measurements\":[\"count\"],"
                + "\"interval\":\"day\",\"filter\":[\"greater-or-equal(datetime,2025-07-01T00:00:00)\",\"less-than(datetime,2025-08-01T00:00:00)\"]}}}");
        add("POST", "/api/client/identify", parcelvoy, "{\"external_id\":\"p1\",\"anonymous_id\":\"a1\",\"email\":\"p1@example.com\",\"phone\":\"+14155552673\","
                + "\"timezone\":\"America/Chicago\",\"locale\":\"en\",\"data\":{\"x\":1}}");
        add("POST", "/api/client/alias", parcelvoy, "{\"anonymous_id\":\"a9\",\"external_id\":\"p9\"}");
        add("POST", "/api/client/devices", parcelvoy, "{\"external_id\":\"p1\",\"device_id\":\"d1\",\"token\":\"t1\",\"os\":\"iOS\",\"model\":\"X\",\"app_build\":\"1\",\"app_version\":\"1.0\"}");
        add("POST", "/api/client/events", parcelvoy, "[{\"external_id\":\"p1\",\"name\":\"Bought\",\"data\":{\"price\":1.5}},{\"anonymous_id\":\"a2\",\"name\":\"Viewed\"}]");
        for (String t : List.of("identify", "track", "page", "group", "alias")) {
            String msg = message(t);
            add("POST", "/api/public/apps/" + t, dittofeed, msg);
            add("POST", "/v1/" + t, segment, msg);
        }
        String batch = "{\"batch\":[" + message("identify") + "," + message("track") + "," + message("page") + "]}";
        add("POST", "/api/public/apps/batch", dittofeed, batch);
        add("POST", "/v1/batch", segment, batch);
        add("POST", "/admin/companies/" + co + "/keys", admin, "{\"data\":{\"type\":\"key\",\"attributes\":{\"kind\":\"public\",\"name\":\"k\"}}}");
        add("POST", "/admin/companies/" + co + "/providers", admin, "{\"data\":{\"type\":\"provider\",\"attributes\":{\"type\":\"log\",\"name\":\"l\",\"config\":{}}}}");
    }

    static String message(String type) {
        return switch (type) {
            case "identify" -> "{\"type\":\"identify\",\"messageId\":\"m-i\",\"userId\":\"s1\",\"anonymousId\":\"sa1\",\"traits\":{\"email\":\"s1@example.com\",\"firstName\":\"S\",\"company\":{\"name\":\"Acme\"}},\"timestamp\":\"2025-07-15T10:30:00Z\"}";
            case "track" -> "{\"type\":\"track\",\"messageId\":\"m-t\",\"userId\":\"s1\",\"event\":\"Clicked\",\"properties\":{\"x\":1},\"context\":{\"locale\":\"en\"}}";
            case "page" -> "{\"type\":\"page\",\"messageId\":\"m-p\",\"anonymousId\":\"sa1\",\"name\":\"Home\",\"properties\":{}}";
            case "group" -> "{\"type\":\"group\",\"messageId\":\"m-g\",\"userId\":\"s1\",\"groupId\":\"g1\",\"traits\":{\"name\":\"G\"}}";
            default -> "{\"type\":\"alias\",\"messageId\":\"m-a\",\"previousId\":\"sa2\",\"userId\":\"s1\"}";
        };
    }

    static void add(String method, String path, Map<String, String> headers, String template) {
        ENDPOINTS.add(new Endpoint(method, path, headers, template));
    }

    @AfterContainer
    static void stop() {
        System.out.println("fuzz: " + CASES.get() + " cases over " + ENDPOINTS.size() + " endpoints, " + REJECTED.get()
                + " rejected with a 4xx, no 5xx, no partial writes");
        fx.app.after();
    }

    @Property(tries = 1500, seed = "20261123")
    void neverA5xxAndNothingWrittenOnRejection(@ForAll @IntRange(min = 0, max = 10_000) int which, @ForAll long seed) throws Exception {
        Endpoint e = ENDPOINTS.get(which % ENDPOINTS.size());
        Random r = new Random(seed);
        Map<String, String> headers = new LinkedHashMap<>(e.headers());
        byte[] body = mutate(e.template(), r, headers);
        long before = rows();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fx.baseUrl() + e.path())).timeout(Duration.ofSeconds(30))
                .method(e.method(), HttpRequest.BodyPublishers.ofByteArray(body));
        for (var h : headers.entrySet()) {
            try {
                b.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException ignored) {
                // the client refuses some junk header values outright; send the request without them
            }
        }
        HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        CASES.incrementAndGet();
        String what = e.method() + " " + e.path() + " <- " + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        assertThat(res.statusCode()).as(what + " -> " + res.body()).isLessThan(500);
        if (res.statusCode() >= 400) {
            REJECTED.incrementAndGet();
            assertThat(rows()).as("rows changed by a rejected request: " + what + " -> " + res.statusCode() + " " + res.body())
                    .isEqualTo(before);
        }
    }

    /**
     * Every table's row count summed (rate-limit state excepted: a rejected request may spend a token; the segment
     * worker's queue of profiles to re-evaluate is drained in the background, docs/audiences.md).
     */
    static long rows() {
        return fx.count("SELECT COALESCE(sum((xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' "
                + "|| quote_ident(table_name), false, true, '')))[1]::text::bigint), 0) FROM information_schema.tables "
                + "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'databasechangelog%' "
                + "AND table_name NOT IN ('rate_limit_buckets', 'provider_rate_windows', 'segment_dirty_profiles')");
    }

    static byte[] mutate(String template, Random r, Map<String, String> headers) throws Exception {
        JsonNode t = JSON.readTree(template);
        switch (r.nextInt(10)) {
            case 0 -> { return bytes(randomJson(r, 0)); }                        // anything at all
            case 1 -> { replaceRandom(t, r, randomJson(r, 2)); return bytes(t); } // a wrong type somewhere
            case 2 -> { replaceRandom(t, r, F.textNode("x".repeat(100_000 + r.nextInt(60_000)))); return bytes(t); } // huge string
            case 3 -> {                                                               // deep nesting
                JsonNode deep = F.textNode("d");
                for (int i = 0; i < 30 + r.nextInt(40); i++) deep = r.nextBoolean() ? F.arrayNode().add(deep) : F.objectNode().set("k", deep);
                replaceRandom(t, r, deep);
                return bytes(t);
            }
            case 4 -> {                                                               // invalid UTF-8
                byte[] b = bytes(t);
                int at = 1 + r.nextInt(Math.max(1, b.length - 2));
                b[at] = (byte) (0x80 + r.nextInt(0x40));
                if (r.nextBoolean() && at + 1 < b.length) b[at + 1] = (byte) 0xFF;
                return b;
            }
            case 5 -> { byte[] b = bytes(t); return java.util.Arrays.copyOf(b, r.nextInt(b.length)); } // truncated
            case 6 -> {                                                               // junk headers
                String[] names = {"Content-Type", "Authorization", "revision", "Idempotency-Key", "PublicWriteKey", "X-Klaviyo-Revision-Fall-Forward-Opt-Out"};
                String[] values = {"", "text/plain", "application/xml", "Bearer", "Bearer pk_" + "Z".repeat(32), "Basic ###", "1999-01-01",
                        "2999-01-01", "not-a-date", "2024-13-45", "\u00e9\u00e8", "a".repeat(5000), "1", "application/json; charset=latin1"};
                headers.put(names[r.nextInt(names.length)], values[r.nextInt(values.length)]);
                return bytes(t);
            }
            case 7 -> { removeRandom(t, r); return bytes(t); }                     // a missing field
            case 8 -> {                                                               // null / junk values for ids
                String[] junk = {"null", "undefined", "", " ", "0", "-1", "[object Object]", "\u0000", "guest"};
                replaceRandom(t, r, r.nextBoolean() ? F.nullNode() : F.textNode(junk[r.nextInt(junk.length)]));
                return bytes(t);
            }
            default -> {                                                              // many keys
                ObjectNode many = F.objectNode();
                for (int i = 0; i < 380 + r.nextInt(60); i++) many.put("k" + i, i);
                replaceRandom(t, r, many);
                return bytes(t);
            }
        }
    }

    static byte[] bytes(JsonNode n) throws Exception {
        return JSON.writeValueAsBytes(n);
    }

    static JsonNode randomJson(Random r, int depth) {
        int k = depth > 4 ? r.nextInt(6) : r.nextInt(8);
        return switch (k) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.numberNode(r.nextInt(3) == 0 ? r.nextDouble() * 1e300 : r.nextLong());
            case 3 -> F.textNode(randomString(r));
            case 4 -> F.numberNode(r.nextInt(100) - 50);
            case 5 -> F.textNode("");
            case 6 -> {
                ArrayNode a = F.arrayNode();
                for (int i = 0; i < r.nextInt(4); i++) a.add(randomJson(r, depth + 1));
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                String[] keys = {"data", "type", "attributes", "email", "external_id", "userId", "batch", "name", "profile", "meta", "id", "x"};
                for (int i = 0; i < r.nextInt(5); i++) o.set(keys[r.nextInt(keys.length)], randomJson(r, depth + 1));
                yield o;
            }
        };
    }

    static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(20);
        for (int i = 0; i < n; i++) {
            int c = switch (r.nextInt(4)) {
                case 0 -> 'a' + r.nextInt(26);
                case 1 -> r.nextInt(0x20);
                case 2 -> 0x80 + r.nextInt(0x700);
                default -> 0x1F600 + r.nextInt(50);
            };
            sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    /** Replaces a randomly chosen node (not the root) by {@code v}. */
    static void replaceRandom(JsonNode root, Random r, JsonNode v) {
        List<JsonNode[]> slots = new ArrayList<>();
        collect(root, slots);
        if (slots.isEmpty()) return;
        JsonNode[] s = slots.get(r.nextInt(slots.size()));
        if (s[0] instanceof ObjectNode o) o.set(s[1].asText(), v);
        else if (s[0] instanceof ArrayNode a) a.set(s[1].asInt(), v);
    }

    static void removeRandom(JsonNode root, Random r) {
        List<JsonNode[]> slots = new ArrayList<>();
        collect(root, slots);
        if (slots.isEmpty()) return;
        JsonNode[] s = slots.get(r.nextInt(slots.size()));
        if (s[0] instanceof ObjectNode o) o.remove(s[1].asText());
        else if (s[0] instanceof ArrayNode a) a.remove(s[1].asInt());
    }

    static void collect(JsonNode n, List<JsonNode[]> out) {
        if (n instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(f -> {
                out.add(new JsonNode[] {o, F.textNode(f)});
                collect(o.get(f), out);
            });
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                out.add(new JsonNode[] {a, F.numberNode(i)});
                collect(a.get(i), out);
            }
        }
    }
}
