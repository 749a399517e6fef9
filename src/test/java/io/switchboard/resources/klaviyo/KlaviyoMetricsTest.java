package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.client;
import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Metrics (issue 15, step 1): GET /api/metrics, /api/metrics/{id}, an event's metric and relationships,
 * POST /api/metric-aggregates (count, sum_value, unique; intervals; time zones; grouping; filters), merges
 * counted once, cross-tenant denial. Every exchange validated against Klaviyo's OpenAPI document.
 */
class KlaviyoMetricsTest extends KlaviyoTestBase {
    static String orderId;

    @BeforeAll
    static void setUp() {
        // day 1: ann 10 USD at 10:00, bob 5 EUR at 15:00; day 2: ann 20 USD at 09:00; a week later cy 1 USD
        event(A, "ann@example.com", "Placed Order", "2024-03-01T10:00:00Z", "10", "USD", "https://shop/a");
        event(A, "bob@example.com", "Placed Order", "2024-03-01T15:00:00Z", "5", "EUR", "https://shop/b");
        event(A, "ann@example.com", "Placed Order", "2024-03-02T09:00:00Z", "20", "USD", "https://shop/a");
        event(A, "cy@example.com", "Placed Order", "2024-03-09T12:00:00Z", "1", "USD", "https://shop/a");
        event(A, "ann@example.com", "Viewed Product", "2024-03-01T11:00:00Z", null, null, "https://shop/a");
        event(B, "zed@example.com", "Only In B", "2024-03-01T11:00:00Z", null, null, "https://b");
        orderId = metricId(A, "Placed Order");
    }

    static void event(TestCompany c, String email, String metric, String time, String value, String currency,
                      String url) {
        String body = """
                {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"%s"}}},
                 "metric":{"data":{"type":"metric","attributes":{"name":"%s"}}},"properties":{"URL":"%s"},"time":"%s"%s%s}}}"""
                .formatted(email, metric, url, time, value == null ? "" : ",\"value\":" + value,
                        currency == null ? "" : ",\"value_currency\":\"" + currency + "\"");
        Res r = K.send("POST", "/client/events?company_id=" + c.publicId(), body, client());
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
    }

    static String metricId(TestCompany c, String name) {
        return F.db().withHandle(h -> h.createQuery("SELECT id FROM metrics WHERE company_id = ? AND name = ?")
                .bind(0, F.companyId(c.publicId())).bind(1, name).mapTo(String.class).one());
    }

    static List<String> names(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.forEach(m -> out.add(m.at("/attributes/name").asText()));
        return out;
    }

    static Res aggregate(TestCompany c, String attributes) {
        return K.send("POST", "/api/metric-aggregates", "{\"data\":{\"type\":\"metric-aggregate\",\"attributes\":"
                + attributes + "}}", server(c.secretKey()));
    }

    static List<Double> values(JsonNode row, String measurement) {
        List<Double> out = new ArrayList<>();
        row.at("/measurements/" + measurement).forEach(v -> out.add(v.asDouble()));
        return out;
    }

    @Test
    void metricsAreOnePerEventNamePerCompany() {
        Res list = K.send("GET", "/api/metrics", null, server(A.secretKey()));
        assertThat(list.status()).isEqualTo(200);
        assertThat(names(list.json().get("data"))).containsExactlyInAnyOrder("Placed Order", "Viewed Product");
        Res one = K.send("GET", "/api/metrics/" + orderId, null, server(A.secretKey()));
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().at("/data/attributes/name").asText()).isEqualTo("Placed Order");
        assertThat(one.json().at("/data/attributes/integration/category").asText()).isEqualTo("API");
        Res sparse = K.send("GET", "/api/metrics/" + orderId + "?fields[metric]=name", null, server(A.secretKey()));
        assertThat(sparse.json().at("/data/attributes").size()).isEqualTo(1);
        Res filtered = K.send("GET", "/api/metrics?filter=equals(integration.category,%22Shopify%22)", null,
                server(A.secretKey()));
        assertThat(filtered.json().get("data").size()).isZero();
        Res bad = K.sendInvalid("GET", "/api/metrics?filter=equals(name,%22x%22)", null, server(A.secretKey()));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/errors/0/source/parameter").asText()).isEqualTo("filter");
    }

    @Test
    void anotherCompanysMetricIsNotFound() {
        assertThat(K.send("GET", "/api/metrics/" + orderId, null, server(B.secretKey())).status()).isEqualTo(404);
        assertThat(names(K.send("GET", "/api/metrics", null, server(B.secretKey())).json().get("data")))
                .containsExactly("Only In B");
        Res agg = aggregate(B, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],"
                + "\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\",\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(agg.status()).isEqualTo(404);
        assertThat(K.sendInvalid("GET", "/api/metrics", null, server(A.publicKey())).status()).isEqualTo(403);
    }

    @Test
    void anEventNamesItsMetricAndProfile() {
        String eventId = F.db().withHandle(h -> h.createQuery("SELECT id FROM events WHERE company_id = ? AND name = "
                + "'Viewed Product'").bind(0, F.companyId(A.publicId())).mapTo(String.class).one());
        Res m = K.send("GET", "/api/events/" + eventId + "/metric", null, server(A.secretKey()));
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.json().at("/data/attributes/name").asText()).isEqualTo("Viewed Product");
        Res rel = K.send("GET", "/api/events/" + eventId + "/relationships/metric", null, server(A.secretKey()));
        assertThat(rel.json().at("/data/id").asText()).isEqualTo(metricId(A, "Viewed Product"));
        Res prof = K.send("GET", "/api/events/" + eventId + "/relationships/profile", null, server(A.secretKey()));
        assertThat(prof.status()).isEqualTo(200);
        assertThat(prof.json().at("/data/type").asText()).isEqualTo("profile");
        String ann = F.db().withHandle(h -> h.createQuery("SELECT id FROM profiles WHERE company_id = ? AND email = "
                + "'ann@example.com'").bind(0, F.companyId(A.publicId())).mapTo(String.class).one());
        assertThat(prof.json().at("/data/id").asText()).isEqualTo(ann);
        for (String path : List.of("/metric", "/relationships/metric", "/relationships/profile")) {
            assertThat(K.send("GET", "/api/events/" + eventId + path, null, server(B.secretKey())).status())
                    .as(path).isEqualTo(404);
        }
        assertThat(K.send("GET", "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ/metric", null, server(A.secretKey()))
                .status()).isEqualTo(404);
    }

    @Test
    void countsSumsAndUniquesPerDay() {
        Res r = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\",\"sum_value\",\"unique\"],"
                + "\"interval\":\"day\",\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\","
                + "\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode a = r.json().at("/data/attributes");
        assertThat(a.get("dates").toString()).isEqualTo("[\"2024-03-01T00:00:00+00:00\",\"2024-03-02T00:00:00+00:00\"]");
        assertThat(a.get("data").size()).isEqualTo(1);
        JsonNode row = a.get("data").get(0);
        assertThat(row.get("dimensions").size()).isZero();
        assertThat(values(row, "count")).containsExactly(2.0, 1.0);
        assertThat(values(row, "sum_value")).containsExactly(15.0, 20.0);
        assertThat(values(row, "unique")).containsExactly(2.0, 1.0);
    }

    @Test
    void groupedByCurrencyAndFilteredByProperty() {
        Res r = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"sum_value\",\"count\"],"
                + "\"by\":[\"$value_currency\"],\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\","
                + "\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode data = r.json().at("/data/attributes/data");
        assertThat(data.size()).isEqualTo(2);
        for (JsonNode row : data) {
            String currency = row.get("dimensions").get(0).asText();
            if (currency.equals("USD")) assertThat(values(row, "sum_value")).containsExactly(10.0, 20.0);
            else {
                assertThat(currency).isEqualTo("EUR");
                assertThat(values(row, "sum_value")).containsExactly(5.0, 0.0);
            }
        }
        Res f = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],\"interval\":\"month\","
                + "\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\",\"less-than(datetime,2024-04-01T00:00:00)\","
                + "\"equals(URL,\\\"https://shop/a\\\")\"]}");
        assertThat(f.status()).as(f.toString()).isEqualTo(200);
        assertThat(values(f.json().at("/data/attributes/data/0"), "count")).containsExactly(3.0);
    }

    @Test
    void hoursAndWeeksInATimeZone() {
        Res h = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],\"interval\":\"hour\","
                + "\"timezone\":\"America/New_York\",\"filter\":[\"greater-or-equal(datetime,2024-03-01T05:00:00)\","
                + "\"less-than(datetime,2024-03-02T05:00:00)\"]}");
        assertThat(h.status()).isEqualTo(200);
        JsonNode dates = h.json().at("/data/attributes/dates");
        assertThat(dates.size()).isEqualTo(24);
        assertThat(dates.get(0).asText()).isEqualTo("2024-03-01T00:00:00-05:00");
        List<Double> counts = values(h.json().at("/data/attributes/data/0"), "count");
        assertThat(counts.get(5)).isEqualTo(1.0); // 10:00Z = 05:00 in New York
        assertThat(counts.get(10)).isEqualTo(1.0); // 15:00Z = 10:00
        assertThat(counts.stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(2.0);
        Res w = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],\"interval\":\"week\","
                + "\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\",\"less-than(datetime,2024-03-15T00:00:00)\"]}");
        // weeks start on Monday: 2024-02-26 (holds 1st and 2nd), 03-04, 03-11 (holds nothing: the 9th is in 03-04)
        assertThat(w.json().at("/data/attributes/dates/0").asText()).isEqualTo("2024-02-26T00:00:00+00:00");
        assertThat(values(w.json().at("/data/attributes/data/0"), "count")).containsExactly(3.0, 1.0, 0.0);
    }

    @Test
    void badAggregateQueriesAre400NamingTheField() {
        Res noRange = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],"
                + "\"filter\":[\"equals(URL,\\\"x\\\")\"]}");
        assertThat(noRange.status()).isEqualTo(400);
        assertThat(noRange.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/filter");
        Res badMeasure = K.sendInvalid("POST", "/api/metric-aggregates", "{\"data\":{\"type\":\"metric-aggregate\","
                + "\"attributes\":{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"median\"],\"filter\":[]}}}",
                server(A.secretKey()));
        assertThat(badMeasure.status()).isEqualTo(400);
        assertThat(badMeasure.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/measurements");
        Res badZone = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],\"timezone\":\"Mars/Base\","
                + "\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\",\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(badZone.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/timezone");
        Res tooLong = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],"
                + "\"filter\":[\"greater-or-equal(datetime,2020-01-01T00:00:00)\",\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(tooLong.status()).isEqualTo(400);
        Res badTime = aggregate(A, "{\"metric_id\":\"" + orderId + "\",\"measurements\":[\"count\"],"
                + "\"filter\":[\"greater-or-equal(datetime,yesterday)\",\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(badTime.json().at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/filter/0");
        Res unknown = aggregate(A, "{\"metric_id\":\"nope\",\"measurements\":[\"count\"],"
                + "\"filter\":[\"greater-or-equal(datetime,2024-03-01T00:00:00)\",\"less-than(datetime,2024-03-03T00:00:00)\"]}");
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void aMergedPersonCountsOnceInUnique() {
        TestCompany c = F.createCompany("Merges");
        event(c, "m1@example.com", "Paid", "2024-05-01T10:00:00Z", "1", "USD", "u");
        event(c, "m2@example.com", "Paid", "2024-05-01T11:00:00Z", "1", "USD", "u");
        String q = "{\"metric_id\":\"" + metricId(c, "Paid") + "\",\"measurements\":[\"unique\",\"count\"],"
                + "\"filter\":[\"greater-or-equal(datetime,2024-05-01T00:00:00)\",\"less-than(datetime,2024-05-02T00:00:00)\"]}";
        assertThat(values(aggregate(c, q).json().at("/data/attributes/data/0"), "unique")).containsExactly(2.0);
        long cid = F.companyId(c.publicId());
        String p1 = F.db().withHandle(h -> h.createQuery("SELECT id FROM profiles WHERE company_id = ? AND email = 'm1@example.com'")
                .bind(0, cid).mapTo(String.class).one());
        String p2 = F.db().withHandle(h -> h.createQuery("SELECT id FROM profiles WHERE company_id = ? AND email = 'm2@example.com'")
                .bind(0, cid).mapTo(String.class).one());
        Res merged = K.send("POST", "/api/profile-merge", "{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + p1
                + "\",\"relationships\":{\"profiles\":{\"data\":[{\"type\":\"profile\",\"id\":\"" + p2 + "\"}]}}}}",
                server(c.secretKey()));
        assertThat(merged.status()).isEqualTo(201);
        JsonNode row = aggregate(c, q).json().at("/data/attributes/data/0");
        assertThat(values(row, "unique")).containsExactly(1.0);
        assertThat(values(row, "count")).containsExactly(2.0);
    }
}
