package io.switchboard.resources.klaviyo.events;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.resources.klaviyo.KlaviyoTestBase;
import io.switchboard.testing.AppFixture.Res;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Klaviyo client /client/{events,event-bulk-create,subscriptions,push-tokens,…} and server /api/events. */
class KlaviyoEventsTest extends KlaviyoTestBase {
    static final String NEW = "2026-07-15";
    static final String OLD = "2023-02-22";
    static Res client(String path, String body, String revision) {
        return F.post("/client/" + path + "?company_id=" + A.publicId(), body, klaviyo(revision));
    }

    static void assert400(Res r, String pointer) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        JsonNode e = r.json().at("/errors/0");
        assertThat(e.get("code").asText()).isEqualTo("invalid");
        assertThat(e.get("id").asText()).isNotEmpty();
        if (pointer != null) assertThat(e.at("/source/pointer").asText()).isEqualTo(pointer);
    }

    static String event(String email, String metric, String extra) {
        return """
                {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"%s"}}},
                 "metric":{"data":{"type":"metric","attributes":{"name":"%s"}}},"properties":{"sku":"A1"}%s}}}"""
                .formatted(email, metric, extra);
    }

    static long eventsOf(String email) {
        String p = owner(F, A, "email", email);
        return p == null ? 0 : F.count("SELECT count(*) FROM events WHERE company_id = ? AND profile_id = ?",
                F.companyId(A.publicId()), p);
    }

    @Nested
    class ClientEvents {
        @Test
        void jsonApiShape202AndRevisionEcho() {
            Res r = client("events/", event("k1@example.com", "Viewed Product", ",\"value\":9.99,\"value_currency\":\"USD\""), NEW);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.body()).isEmpty();
            assertThat(r.header("revision")).isEqualTo(NEW);
            assertThat(eventsOf("k1@example.com")).isEqualTo(1);
            JsonNode e = adminEvents(F, A, owner(F, A, "email", "k1@example.com")).get(0).get("attributes");
            assertThat(e.get("name").asText()).isEqualTo("Viewed Product");
            assertThat(e.get("value").decimalValue()).isEqualByComparingTo("9.99");
            assertThat(e.get("source").asText()).isEqualTo("klaviyo_client");
            // time defaults to now, truncated to seconds
            Instant t = Instant.parse(e.get("occurred_at").asText());
            assertThat(t.getNano()).isZero();
            assertThat(t).isBetween(Instant.now().minusSeconds(30), Instant.now());
        }

        @Test
        void flatPre20230715Shape() {
            Res r = client("events", """
                    {"data":{"type":"event","attributes":{"profile":{"$email":"flat@example.com","$first_name":"Flo","$city":"Lyon","plan":"gold"},
                     "metric":{"name":"Placed Order"},"properties":{"total":3},"time":"2024-03-01T10:00:00.750Z","value":3}}}""", OLD);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            String p = owner(F, A, "email", "flat@example.com");
            JsonNode prof = F.get("/admin/companies/" + A.publicId() + "/profiles/" + p, bearer(A.secretKey())).json()
                    .at("/data/attributes");
            assertThat(prof.at("/attributes/first_name").asText()).isEqualTo("Flo");
            assertThat(prof.at("/attributes/location/city").asText()).isEqualTo("Lyon");
            assertThat(prof.at("/properties/plan").asText()).isEqualTo("gold");
            JsonNode e = adminEvents(F, A, p).get(0).get("attributes");
            assertThat(e.get("name").asText()).isEqualTo("Placed Order");
            assertThat(e.get("occurred_at").asText()).isEqualTo("2024-03-01T10:00:00Z");
        }

        @Test
        void timeBounds() {
            assert400(client("events", event("tb@example.com", "M", ",\"time\":\"1989-12-31T23:59:59Z\""), NEW), "/data/attributes/time");
            String far = Instant.now().plus(800, ChronoUnit.DAYS).toString();
            assert400(client("events", event("tb@example.com", "M", ",\"time\":\"" + far + "\""), NEW), "/data/attributes/time");
            assert400(client("events", event("tb@example.com", "M", ",\"time\":\"not a time\""), NEW), "/data/attributes/time");
            String near = Instant.now().plus(300, ChronoUnit.DAYS).toString();
            assertThat(client("events", event("tb@example.com", "M", ",\"time\":\"" + near + "\""), NEW).status()).isEqualTo(202);
            assertThat(client("events", event("tb@example.com", "M", ",\"time\":\"1990-01-02T00:00:00Z\""), NEW).status()).isEqualTo(202);
            assertThat(eventsOf("tb@example.com")).isEqualTo(2);
        }

        @Test
        void dedupOnUniqueIdThenOnSecond() {
            assertThat(client("events", event("dd@example.com", "M", ",\"unique_id\":\"u-1\""), NEW).status()).isEqualTo(202);
            assertThat(client("events", event("dd@example.com", "M", ",\"unique_id\":\"u-1\",\"time\":\"2024-01-01T00:00:00Z\""), NEW).status()).isEqualTo(202);
            assertThat(eventsOf("dd@example.com")).isEqualTo(1);
            // another metric with the same unique_id is another event
            assertThat(client("events", event("dd@example.com", "N", ",\"unique_id\":\"u-1\""), NEW).status()).isEqualTo(202);
            assertThat(eventsOf("dd@example.com")).isEqualTo(2);
            // no unique_id: (profile, metric, second)
            assertThat(client("events", event("dd@example.com", "S", ",\"time\":\"2024-02-02T00:00:00.100Z\""), NEW).status()).isEqualTo(202);
            assertThat(client("events", event("dd@example.com", "S", ",\"time\":\"2024-02-02T00:00:00.900Z\""), NEW).status()).isEqualTo(202);
            assertThat(eventsOf("dd@example.com")).isEqualTo(3);
            assertThat(client("events", event("dd@example.com", "S", ",\"time\":\"2024-02-02T00:00:01Z\""), NEW).status()).isEqualTo(202);
            assertThat(eventsOf("dd@example.com")).isEqualTo(4);
        }

        @Test
        void validationErrors() {
            assert400(client("events", "{\"data\":{\"type\":\"event\",\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"v@example.com\"}}}}}}", NEW),
                    "/data/attributes/metric");
            assert400(client("events", "{\"data\":{\"type\":\"event\",\"attributes\":{\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"M\"}}}}}}", NEW),
                    "/data/attributes/profile");
            assert400(client("events", event("v@example.com", "M", ",\"value\":\"nine\""), NEW), "/data/attributes/value");
            assert400(client("events", event("v@example.com", "M", ",\"properties\":[1]").replace(",\"properties\":{\"sku\":\"A1\"}", ""), NEW),
                    "/data/attributes/properties");
            assert400(client("events", "{\"data\":{\"type\":\"event\",\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{}}},"
                    + "\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"M\"}}}}}}", NEW), "/data/attributes/profile/data/attributes");
            Res wrongType = client("events", event("v@example.com", "M", "").replace("\"type\":\"event\"", "\"type\":\"profile\""), NEW);
            assertThat(wrongType.status()).isEqualTo(409);
            assertThat(wrongType.header("revision")).isEqualTo(NEW);
            assertThat(client("events", "{nope", NEW).status()).isEqualTo(400);
            Res textPlain = F.post("/client/events?company_id=" + A.publicId(), event("v@example.com", "M", ""),
                    Map.of("revision", NEW, "Content-Type", "text/plain"));
            assertThat(textPlain.status()).isEqualTo(415);
            assertThat(owner(F, A, "email", "v@example.com")).isNull();
        }

        @Test
        void revisionAndCompanyId() {
            String body = event("rev@example.com", "M", "");
            Res missing = F.post("/client/events?company_id=" + A.publicId(), body, Map.of("Content-Type", "application/json"));
            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.json().at("/errors/0/source/parameter").asText()).isEqualTo("revision");
            assertThat(client("events", body, "2024-13-45").json().at("/errors/0/source/parameter").asText()).isEqualTo("revision");
            assertThat(client("events", body, "2099-01-01").status()).isEqualTo(400);
            Res old = client("events", body, "2022-01-01");
            assertThat(old.status()).isEqualTo(202);
            assertThat(old.header("revision")).isEqualTo(OLD);
            Map<String, String> h = new HashMap<>(klaviyo("2022-01-01"));
            h.put("X-Klaviyo-Revision-Fall-Forward-Opt-Out", "1");
            assertThat(F.post("/client/events?company_id=" + A.publicId(), body, h).status()).isEqualTo(410);
            assertThat(client("events", body, "2024-10-15.pre").status()).isEqualTo(202);
            // klaviyo-api 3.x sends Accept: application/json
            Map<String, String> json = new HashMap<>(klaviyo(OLD));
            json.put("Accept", "application/json");
            assertThat(F.post("/client/events?company_id=" + A.publicId(), body, json).status()).isEqualTo(202);
            Res unknown = F.post("/client/events?company_id=ZZZZZZ", body, klaviyo(NEW));
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.json().at("/errors/0/source/parameter").asText()).isEqualTo("company_id");
            // the other company's id writes to the other company
            assertThat(F.post("/client/events?company_id=" + B.publicId(), body, klaviyo(NEW)).status()).isEqualTo(202);
            assertThat(owner(F, B, "email", "rev@example.com")).isNotNull();
        }

        @Test
        void clientRulesNeverReplaceAnExistingEmail() {
            assertThat(client("events", """
                    {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"external_id":"cr-x","email":"cr1@example.com"}}},
                     "metric":{"data":{"type":"metric","attributes":{"name":"M"}}}}}}""", NEW).status()).isEqualTo(202);
            assertThat(client("events", """
                    {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"external_id":"cr-x","email":"cr2@example.com"}}},
                     "metric":{"data":{"type":"metric","attributes":{"name":"M"}}}}}}""", NEW).status()).isEqualTo(202);
            assertThat(owner(F, A, "email", "cr1@example.com")).isEqualTo(owner(F, A, "external_id", "cr-x"));
            assertThat(owner(F, A, "email", "cr2@example.com")).isNull();
        }
    }

    @Nested
    class Bulk {
        static String bulk(String email, String... events) {
            return """
                    {"data":{"type":"event-bulk-create","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"%s"}}},
                     "events":{"data":[%s]}}}}""".formatted(email, String.join(",", events));
        }

        static String ev(String metric, String uniqueId) {
            return "{\"type\":\"event\",\"attributes\":{\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"" + metric
                    + "\"}}},\"properties\":{}" + (uniqueId == null ? "" : ",\"unique_id\":\"" + uniqueId + "\"") + "}}";
        }

        @Test
        void onePofileManyEvents() {
            Res r = client("event-bulk-create", bulk("bulk@example.com", ev("A", "b-1"), ev("B", "b-2"), ev("C", "b-3")), NEW);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(eventsOf("bulk@example.com")).isEqualTo(3);
            // a retry is accepted and dropped
            assertThat(client("event-bulk-create/", bulk("bulk@example.com", ev("A", "b-1"), ev("B", "b-2")), NEW).status()).isEqualTo(202);
            assertThat(eventsOf("bulk@example.com")).isEqualTo(3);
        }

        @Test
        void repeatedUniqueIdOrBadItemFailsTheWholeRequest() {
            long before = events(F, A);
            assert400(client("event-bulk-create", bulk("bulk2@example.com", ev("A", "r-1"), ev("B", "r-2"), ev("C", "r-1")), NEW),
                    "/data/attributes/events/data/2/attributes/unique_id");
            assert400(client("event-bulk-create", bulk("bulk2@example.com", ev("A", null), ev("B", null),
                    "{\"type\":\"event\",\"attributes\":{\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{}}}}}"), NEW),
                    "/data/attributes/events/data/2/attributes/metric/data/attributes/name");
            assert400(client("event-bulk-create", bulk("bulk2@example.com"), NEW), "/data/attributes/events/data");
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 1001; i++) many.append(i == 0 ? "" : ",").append(ev("A", "m" + i));
            assert400(client("event-bulk-create", bulk("bulk2@example.com", many.toString()), NEW), "/data/attributes/events/data");
            assertThat(events(F, A)).isEqualTo(before);
            assertThat(owner(F, A, "email", "bulk2@example.com")).isNull();
        }
    }

    @Nested
    class ConsentAndPush {
        @Test
        void subscriptionStoresConsentAndListMembership() {
            Res r = client("subscriptions/", """
                    {"data":{"type":"subscription","attributes":{"custom_source":"Footer","profile":{"data":{"type":"profile","attributes":{
                      "email":"sub@example.com","phone_number":"+14155550111",
                      "subscriptions":{"email":{"marketing":{"consent":"SUBSCRIBED"}},"sms":{"marketing":{"consent":"SUBSCRIBED"},"transactional":{"consent":"SUBSCRIBED"}}}}}}},
                     "relationships":{"list":{"data":{"type":"list","id":"Y6nRLr"}}}}}""", NEW);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            String p = owner(F, A, "email", "sub@example.com");
            JsonNode s = admin(F, A, p, "subscriptions");
            assertThat(s.get("data")).hasSize(3);
            assertThat(s.at("/data/0/attributes/custom_source").asText()).isEqualTo("Footer");
            assertThat(s.at("/meta/memberships/0/kind").asText()).isEqualTo("list");
            assertThat(s.at("/meta/memberships/0/id").asText()).isEqualTo("Y6nRLr");
            // old (2023-02-22) flat shape
            assertThat(client("subscriptions", "{\"data\":{\"type\":\"subscription\",\"attributes\":{\"list_id\":\"L2\",\"email\":\"sub@example.com\"}}}", OLD)
                    .status()).isEqualTo(202);
            assertThat(admin(F, A, p, "subscriptions").at("/meta/memberships")).hasSize(2);
        }

        @Test
        void subscriptionValidation() {
            assert400(client("subscriptions", "{\"data\":{\"type\":\"subscription\",\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"sv@example.com\"}}}}}}", NEW),
                    "/data/relationships/list/data/id");
            assert400(client("subscriptions", "{\"data\":{\"type\":\"subscription\",\"attributes\":{\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"sv@example.com\","
                    + "\"subscriptions\":{\"email\":{\"marketing\":{\"consent\":\"MAYBE\"}}}}}}},\"relationships\":{\"list\":{\"data\":{\"type\":\"list\",\"id\":\"L\"}}}}}", NEW),
                    "/data/attributes/profile/data/attributes/subscriptions/email/marketing/consent");
            assertThat(owner(F, A, "email", "sv@example.com")).isNull();
        }

        static String token(String type, String email, String token, String extra) {
            return """
                    {"data":{"type":"%s","attributes":{"token":"%s","platform":"ios","vendor":"apns"%s,
                     "profile":{"data":{"type":"profile","attributes":{"email":"%s"}}}}}}""".formatted(type, token, extra, email);
        }

        @Test
        void pushTokensRegisterMoveAndUnregister() {
            assertThat(client("push-tokens", token("push-token", "pt1@example.com", "apns-1",
                    ",\"enablement_status\":\"AUTHORIZED\",\"background\":\"AVAILABLE\",\"device_metadata\":{\"device_id\":\"kd-1\",\"os_name\":\"ios\",\"app_version\":\"2.0\"}"), NEW)
                    .status()).isEqualTo(202);
            String p1 = owner(F, A, "email", "pt1@example.com");
            JsonNode d = admin(F, A, p1, "devices").get("data");
            assertThat(d).hasSize(1);
            assertThat(d.at("/0/attributes/token").asText()).isEqualTo("apns-1");
            assertThat(d.at("/0/attributes/app_version").asText()).isEqualTo("2.0");
            // the same token for another person moves (never duplicated)
            assertThat(client("push-tokens", token("push-token", "pt2@example.com", "apns-1", ",\"device_metadata\":{\"device_id\":\"kd-1\"}"), NEW).status()).isEqualTo(202);
            String p2 = owner(F, A, "email", "pt2@example.com");
            assertThat(admin(F, A, p1, "devices").get("data")).isEmpty();
            assertThat(admin(F, A, p2, "devices").get("data")).hasSize(1);
            // token without device id
            assertThat(client("push-tokens", token("push-token", "pt2@example.com", "fcm-2", ""), NEW).status()).isEqualTo(202);
            assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token IN ('apns-1','fcm-2')", F.companyId(A.publicId()))).isEqualTo(2);
            assertThat(client("push-token-unregister", token("push-token-unregister", "pt2@example.com", "fcm-2", ""), NEW).status()).isEqualTo(202);
            assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token = 'fcm-2' AND NOT enabled", F.companyId(A.publicId()))).isEqualTo(1);
            assert400(client("push-tokens", token("push-token", "pt3@example.com", "x", "").replace("\"ios\"", "\"windows\""), NEW), "/data/attributes/platform");
            assert400(client("push-tokens", token("push-token", "pt3@example.com", "x", "").replace("\"token\":\"x\",", ""), NEW), "/data/attributes/token");
            assertThat(owner(F, A, "email", "pt3@example.com")).isNull();
        }

        @Test
        void backInStock() {
            String body = """
                    {"data":{"type":"back-in-stock-subscription","attributes":{"channels":["EMAIL","SMS"],
                     "profile":{"data":{"type":"profile","attributes":{"email":"bis@example.com"}}}},
                     "relationships":{"variant":{"data":{"type":"catalog-variant","id":"$custom:::$default:::SKU-1"}}}}}""";
            assertThat(client("back-in-stock-subscriptions", body, NEW).status()).isEqualTo(202);
            assertThat(client("back-in-stock-subscriptions", body, NEW).status()).isEqualTo(202);
            JsonNode m = admin(F, A, owner(F, A, "email", "bis@example.com"), "subscriptions").at("/meta/memberships");
            assertThat(m).hasSize(1);
            assertThat(m.at("/0/kind").asText()).isEqualTo("back_in_stock");
            assertThat(m.at("/0/channels").asText()).isEqualTo("EMAIL,SMS");
            assert400(client("back-in-stock-subscriptions", body.replace("\"EMAIL\",\"SMS\"", "\"FAX\""), NEW), "/data/attributes/channels/0");
            assert400(client("back-in-stock-subscriptions", body.replace(",\n \"relationships\":{\"variant\":{\"data\":{\"type\":\"catalog-variant\",\"id\":\"$custom:::$default:::SKU-1\"}}}", "")
                    .replace("\"$custom:::$default:::SKU-1\"", "\"\""), NEW), "/data/relationships/variant/data/id");
        }
    }

    @Nested
    class Server {
        static Res server(String method, String path, String body, String key) {
            return F.request(method, path, body, klaviyoServer(key, NEW));
        }

        @Test
        void listHasPrevLinksAndSparseFieldsets() throws Exception {
            for (int d = 1; d <= 3; d++) {
                assertThat(server("POST", "/api/events", event("pages@example.com", "Paged", ",\"time\":\"2024-07-0" + d
                        + "T12:00:00Z\""), A.secretKey()).status()).isEqualTo(202);
            }
            String p = owner(F, A, "email", "pages@example.com");
            String filter = URLEncoder.encode("equals(profile_id,\"" + p + "\")", StandardCharsets.UTF_8);
            JsonNode page1 = server("GET", "/api/events?filter=" + filter + "&page[size]=2", null, A.secretKey()).json();
            assertThat(page1.at("/links/prev").isMissingNode()).isTrue();
            String next = page1.at("/links/next").asText();
            JsonNode page2 = server("GET", next.substring(next.indexOf("/api/")), null, A.secretKey()).json();
            assertThat(page2.get("data")).hasSize(1);
            assertThat(page2.at("/data/0/attributes/datetime").asText()).isEqualTo("2024-07-03T12:00:00+00:00");
            String prev = page2.at("/links/prev").asText();
            assertThat(prev).startsWith("http://localhost:");
            JsonNode back = server("GET", prev.substring(prev.indexOf("/api/")), null, A.secretKey()).json();
            assertThat(back.get("data")).hasSize(2);
            assertThat(back.at("/data/0/id").asText()).isEqualTo(page1.at("/data/0/id").asText());
            assertThat(back.at("/data/1/id").asText()).isEqualTo(page1.at("/data/1/id").asText());
            assertThat(back.at("/links/prev").isMissingNode()).isTrue();
            assertThat(back.at("/links/next").asText()).isNotEmpty();
            // descending order pages back the same way
            JsonNode d1 = server("GET", "/api/events?filter=" + filter + "&sort=-datetime&page[size]=1", null, A.secretKey()).json();
            String dn = d1.at("/links/next").asText();
            JsonNode d2 = server("GET", dn.substring(dn.indexOf("/api/")), null, A.secretKey()).json();
            assertThat(d2.at("/data/0/attributes/datetime").asText()).isEqualTo("2024-07-02T12:00:00+00:00");
            String dp = d2.at("/links/prev").asText();
            JsonNode dBack = server("GET", dp.substring(dp.indexOf("/api/")), null, A.secretKey()).json();
            assertThat(dBack.at("/data/0/id").asText()).isEqualTo(d1.at("/data/0/id").asText());
            // fields[event]: only the named attributes
            JsonNode sparse = server("GET", "/api/events?filter=" + filter + "&fields[event]=datetime,uuid", null,
                    A.secretKey()).json();
            assertThat(sparse.get("data")).hasSize(3);
            java.util.List<String> names = new java.util.ArrayList<>();
            sparse.at("/data/0/attributes").fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactlyInAnyOrder("datetime", "uuid");
            assertThat(sparse.at("/data/0/relationships/profile/data/id").asText()).isEqualTo(p);
            Res bad = server("GET", "/api/events?fields[event]=colour", null, A.secretKey());
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().at("/errors/0/source/parameter").asText()).isEqualTo("fields[event]");
        }

        @Test
        void createAndReadBack() throws Exception {
            Res r = server("POST", "/api/events/", event("srv@example.com", "Server Metric", ",\"time\":\"2024-06-01T12:00:00Z\",\"unique_id\":\"s-1\",\"value\":5"), A.secretKey());
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(server("POST", "/api/events", event("srv@example.com", "Server Metric", ",\"time\":\"2024-06-02T12:00:00Z\""), A.secretKey()).status()).isEqualTo(202);
            assertThat(server("POST", "/api/events", event("srv@example.com", "Other Metric", ",\"time\":\"2024-06-03T12:00:00Z\""), A.secretKey()).status()).isEqualTo(202);
            String p = owner(F, A, "email", "srv@example.com");
            String filter = URLEncoder.encode("equals(profile_id,\"" + p + "\")", StandardCharsets.UTF_8);
            Res list = server("GET", "/api/events?filter=" + filter + "&page[size]=2", null, A.secretKey());
            assertThat(list.status()).as(list.toString()).isEqualTo(200);
            assertThat(list.header("Content-Type")).startsWith("application/vnd.api+json");
            JsonNode doc = list.json();
            assertThat(doc.get("data")).hasSize(2);
            JsonNode first = doc.at("/data/0");
            assertThat(first.get("type").asText()).isEqualTo("event");
            assertThat(first.at("/attributes/datetime").asText()).isEqualTo("2024-06-01T12:00:00+00:00");
            assertThat(first.at("/attributes/timestamp").asLong()).isEqualTo(Instant.parse("2024-06-01T12:00:00Z").getEpochSecond());
            assertThat(first.at("/attributes/event_properties/sku").asText()).isEqualTo("A1");
            assertThat(first.at("/attributes/event_properties/$value").asInt()).isEqualTo(5);
            assertThat(first.at("/relationships/profile/data/id").asText()).isEqualTo(p);
            assertThat(first.at("/links/self").asText()).startsWith("http://localhost:").endsWith("/api/events/" + first.get("id").asText() + "/");
            String metricId = first.at("/relationships/metric/data/id").asText();
            String next = doc.at("/links/next").asText();
            assertThat(next).startsWith("http://localhost:");
            Res page2 = server("GET", next.substring(next.indexOf("/api/")), null, A.secretKey());
            assertThat(page2.json().get("data")).hasSize(1);
            assertThat(page2.json().at("/links/next").isMissingNode()).isTrue();
            // metric filter + datetime filter + descending sort
            String f2 = URLEncoder.encode("and(equals(metric_id,\"" + metricId + "\"),greater-than(datetime,2024-06-01T12:00:00Z))", StandardCharsets.UTF_8);
            JsonNode byMetric = server("GET", "/api/events?filter=" + f2 + "&sort=-datetime", null, A.secretKey()).json();
            assertThat(byMetric.get("data")).hasSize(1);
            assertThat(byMetric.at("/data/0/attributes/datetime").asText()).isEqualTo("2024-06-02T12:00:00+00:00");
            // by id
            Res one = server("GET", "/api/events/" + first.get("id").asText(), null, A.secretKey());
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json().at("/data/id").asText()).isEqualTo(first.get("id").asText());
            assertThat(server("GET", "/api/events/01ARZ3NDEKTSV4RRFFQ69G5FAV", null, A.secretKey()).status()).isEqualTo(404);
            // another company cannot see it
            assertThat(server("GET", "/api/events/" + first.get("id").asText(), null, B.secretKey()).status()).isEqualTo(404);
            assertThat(server("GET", "/api/events?filter=" + filter, null, B.secretKey()).json().get("data")).isEmpty();
            // bad filter
            Res bad = server("GET", "/api/events?filter=" + URLEncoder.encode("equals(email,\"x\")", StandardCharsets.UTF_8), null, A.secretKey());
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().at("/errors/0/source/parameter").asText()).isEqualTo("filter");
        }

        @Test
        void credentialsAndStrictEmail() {
            String body = event("srvcred@example.com", "M", "");
            assertThat(server("POST", "/api/events", body, A.publicKey()).status()).isEqualTo(403);
            assertThat(server("POST", "/api/events", body, "sk_" + "z".repeat(32)).status()).isEqualTo(401);
            assertThat(F.post("/api/events", body, Map.of("revision", NEW)).status()).isEqualTo(401);
            assertThat(F.post("/api/events", body, Map.of("revision", NEW, "Authorization", "Bearer " + A.secretKey())).status()).isEqualTo(202);
            assert400(server("POST", "/api/events", event("not-an-email", "M", ""), A.secretKey()), "/data/attributes/profile/data/attributes/email");
            // flat shape on the server endpoint too (klaviyo-api 3.x with revision 2023-02-22)
            Res flat = F.post("/api/events/", "{\"data\":{\"type\":\"event\",\"attributes\":{\"profile\":{\"$email\":\"srvflat@example.com\"},"
                    + "\"metric\":{\"name\":\"Flat\"},\"properties\":{}}}}", klaviyoServer(A.secretKey(), OLD));
            assertThat(flat.status()).as(flat.toString()).isEqualTo(202);
            assertThat(eventsOf("srvflat@example.com")).isEqualTo(1);
        }
    }
}
