package io.switchboard.resources.segment;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.resources.segment.SegmentMessages;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Segment /v1/* and Dittofeed /api/public/apps/*: one message model, two wire dialects. */
@ExtendWith(DropwizardExtensionsSupport.class)
class SegmentIngestionTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static TestCompany acme;
    static TestCompany other;

    @BeforeAll
    static void companies() {
        acme = F.createCompany("Acme");
        other = F.createCompany("Other");
    }

    static Res segment(String path, String body) {
        return F.post("/v1/" + path, body, basic(acme.publicKey()));
    }

    static Res ditto(String path, String body) {
        return F.post("/api/public/apps/" + path, body, Map.of("Authorization", "Basic " + acme.publicKey()));
    }

    static void assert400(Res r, String... fragments) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        for (String f : fragments) assertThat(r.json().get("message").asText()).contains(f);
    }

    @Nested
    class Segment {
        @Test
        void identifyMapsTraitsAndAnswersSuccess() {
            Res r = segment("identify", """
                    {"userId":"seg-u1","messageId":"s-m1","timestamp":"2025-07-15T10:30:00.000Z",
                     "traits":{"email":"Seg1@Example.com","firstName":"Jane","lastName":"Doe","company":{"name":"Acme Corp","industry":"Tech"},
                               "avatar":"http://img","address":{"city":"Paris","postalCode":"75001","state":"IDF"},"plan":"premium"},
                     "context":{"locale":"en-GB"},"integrations":{"All":true},"_metadata":{"x":1}}""");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().get("success").asBoolean()).isTrue();
            String p = owner(F, acme, "external_id", "seg-u1");
            assertThat(owner(F, acme, "email", "seg1@example.com")).isEqualTo(p);
            JsonNode a = F.get("/admin/companies/" + acme.publicId() + "/profiles/" + p, bearer(acme.secretKey())).json()
                    .at("/data/attributes");
            assertThat(a.at("/attributes/first_name").asText()).isEqualTo("Jane");
            assertThat(a.at("/attributes/last_name").asText()).isEqualTo("Doe");
            assertThat(a.at("/attributes/organization").asText()).isEqualTo("Acme Corp");
            assertThat(a.at("/attributes/image").asText()).isEqualTo("http://img");
            assertThat(a.at("/attributes/location/city").asText()).isEqualTo("Paris");
            assertThat(a.at("/attributes/location/zip").asText()).isEqualTo("75001");
            assertThat(a.at("/properties/plan").asText()).isEqualTo("premium");
            assertThat(a.at("/properties/company/industry").asText()).isEqualTo("Tech");
            // the raw message is kept, unknown fields included, receivedAt is the server's
            JsonNode ev = adminEvents(F, acme, p).get(0).get("attributes");
            assertThat(ev.get("event_type").asText()).isEqualTo("identify");
            assertThat(ev.at("/raw/integrations/All").asBoolean()).isTrue();
            assertThat(ev.at("/raw/_metadata/x").asInt()).isEqualTo(1);
            assertThat(ev.at("/raw/receivedAt").asText()).isNotEmpty();
            assertThat(ev.get("occurred_at").asText()).isEqualTo("2025-07-15T10:30:00Z");
        }

        @Test
        void trackPageScreenGroupAlias() {
            assertThat(segment("track", "{\"anonymousId\":\"seg-a2\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":12.5,\"currency\":\"EUR\"}}").status()).isEqualTo(200);
            assertThat(segment("page", "{\"anonymousId\":\"seg-a2\",\"name\":\"Home\",\"properties\":{\"path\":\"/\"}}").status()).isEqualTo(200);
            assertThat(segment("screen", "{\"anonymousId\":\"seg-a2\",\"name\":\"Settings\"}").status()).isEqualTo(200);
            assertThat(segment("group", "{\"anonymousId\":\"seg-a2\",\"groupId\":\"g-1\",\"traits\":{\"name\":\"Team\"}}").status()).isEqualTo(200);
            assertThat(segment("alias", "{\"previousId\":\"seg-a2\",\"userId\":\"seg-u2\"}").status()).isEqualTo(200);
            String p = owner(F, acme, "external_id", "seg-u2");
            assertThat(owner(F, acme, "anonymous_id", "seg-a2")).isEqualTo(p);
            JsonNode evs = adminEvents(F, acme, p);
            assertThat(evs).hasSize(5);
            assertThat(evs.findValuesAsText("name")).contains("Order Completed", "Page Viewed", "Screen Viewed");
            JsonNode page = null;
            for (JsonNode e : evs) if ("page".equals(e.at("/attributes/event_type").asText())) page = e;
            assertThat(page.at("/attributes/properties/name").asText()).isEqualTo("Home");
            JsonNode order = null;
            for (JsonNode e : evs) if ("Order Completed".equals(e.at("/attributes/name").asText())) order = e;
            assertThat(order.at("/attributes/value").decimalValue()).isEqualByComparingTo("12.5");
            assertThat(order.at("/attributes/value_currency").asText()).isEqualTo("EUR");
            JsonNode subs = admin(F, acme, p, "subscriptions");
            assertThat(subs.at("/meta/memberships/0/kind").asText()).isEqualTo("group");
            assertThat(subs.at("/meta/memberships/0/id").asText()).isEqualTo("g-1");
            assertThat(F.count("SELECT count(*) FROM groups WHERE company_id = ? AND group_id = 'g-1' AND traits->>'name' = 'Team'",
                    F.companyId(acme.publicId()))).isEqualTo(1);
        }

        @Test
        void messageIdIsIdempotentAcrossDialects() {
            long before = events(F, acme);
            String msg = "{\"userId\":\"seg-idem\",\"event\":\"E\",\"messageId\":\"dup-1\"}";
            assertThat(segment("track", msg).status()).isEqualTo(200);
            assertThat(segment("track", msg).status()).isEqualTo(200);
            assertThat(ditto("track", msg).status()).isEqualTo(204);
            assertThat(segment("batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"seg-idem\",\"event\":\"E\",\"messageId\":\"dup-1\"},"
                    + "{\"type\":\"track\",\"userId\":\"seg-idem\",\"event\":\"E\",\"messageId\":\"dup-2\"},"
                    + "{\"type\":\"track\",\"userId\":\"seg-idem\",\"event\":\"E\",\"messageId\":\"dup-2\"}]}").status()).isEqualTo(200);
            assertThat(events(F, acme)).isEqualTo(before + 2);
            // the keys are durable rows (survive restarts), kept ≥ 7 days
            assertThat(F.count("SELECT count(*) FROM idempotency_keys WHERE company_id = ? AND scope = 'segment' "
                    + "AND key IN ('dup-1','dup-2') AND expires_at > now() + interval '7 days'", F.companyId(acme.publicId()))).isEqualTo(2);
        }

        @Test
        void clockSkewCorrection() {
            // the client clock is 1 hour ahead: sentAt − originalTimestamp = 10 s of queueing
            Instant before = Instant.now();
            Res r = segment("batch", """
                    {"sentAt":"2030-01-01T01:00:10Z","batch":[
                      {"type":"track","userId":"skew-u","event":"Skewed","originalTimestamp":"2030-01-01T01:00:00Z"},
                      {"type":"track","userId":"skew-u","event":"Stamped","timestamp":"2024-05-05T05:05:05Z","originalTimestamp":"2030-01-01T01:00:00Z"},
                      {"type":"track","userId":"skew-u","event":"Plain"}]}""");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            Instant after = Instant.now();
            JsonNode evs = adminEvents(F, acme, owner(F, acme, "external_id", "skew-u"));
            for (JsonNode e : evs) {
                Instant t = Instant.parse(e.at("/attributes/occurred_at").asText());
                Instant received = Instant.parse(e.at("/attributes/received_at").asText());
                switch (e.at("/attributes/name").asText()) {
                    case "Skewed" -> assertThat(Duration.between(t, received)).isEqualTo(Duration.ofSeconds(10));
                    case "Stamped" -> assertThat(t).isEqualTo(Instant.parse("2024-05-05T05:05:05Z"));
                    case "Plain" -> assertThat(t).isEqualTo(received).isBetween(before.minusSeconds(1), after.plusSeconds(1));
                    default -> throw new AssertionError(e.toString());
                }
            }
            assertThat(evs).hasSize(3);
            assertThat(SegmentMessages.eventTime(null, Instant.parse("2030-01-01T00:00:10Z"), Instant.parse("2030-01-01T00:00:00Z"),
                    Instant.parse("2020-01-01T00:00:10Z"))).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        }

        @Test
        void batchOfOneUserAndAMergeInTheMiddle() {
            StringBuilder sb = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 100; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"many-u\",\"event\":\"E").append(i % 5).append("\"}");
            }
            assertThat(segment("batch", sb.append("]}").toString()).status()).isEqualTo(200);
            assertThat(adminEvents(F, acme, owner(F, acme, "external_id", "many-u"))).hasSize(100);
            // the memo of resolved profiles is dropped after an item that can merge
            assertThat(segment("batch", """
                    {"batch":[{"type":"track","userId":"memo-x","event":"A"},{"type":"track","anonymousId":"memo-a","event":"B"},
                              {"type":"alias","previousId":"memo-a","userId":"memo-x"},{"type":"track","anonymousId":"memo-a","event":"C"}]}""")
                    .status()).isEqualTo(200);
            String x = owner(F, acme, "external_id", "memo-x");
            assertThat(owner(F, acme, "anonymous_id", "memo-a")).isEqualTo(x);
            assertThat(F.count("SELECT count(*) FROM events WHERE company_id = ? AND name = 'C' AND profile_id = ?",
                    F.companyId(acme.publicId()), x)).isEqualTo(1);
            assertThat(adminEvents(F, acme, x).findValuesAsText("name")).contains("A", "B", "C");
        }

        @Test
        void batchContextMergedUnderItemContext() {
            assertThat(segment("batch", """
                    {"context":{"app":"web","locale":"fr"},"batch":[{"type":"track","userId":"ctx-u","event":"C","context":{"locale":"de"}}]}""")
                    .status()).isEqualTo(200);
            JsonNode raw = adminEvents(F, acme, owner(F, acme, "external_id", "ctx-u")).get(0).at("/attributes/raw/context");
            assertThat(raw.get("app").asText()).isEqualTo("web");
            assertThat(raw.get("locale").asText()).isEqualTo("de");
        }

        @Test
        void batchIsAllOrNothingNamingIndexAndField() {
            long events = events(F, acme);
            long profiles = profiles(F, acme);
            assert400(segment("batch", """
                    {"batch":[{"type":"track","userId":"bad-1","event":"A"},{"type":"identify","userId":"bad-2"},
                              {"type":"track","userId":"bad-3"}]}"""), "batch[2].event");
            assert400(segment("batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"bad-1\",\"event\":\"A\"},{\"type\":\"track\",\"event\":\"B\"}]}"),
                    "batch[1].userId", "anonymousId");
            assert400(segment("batch", "{\"batch\":[{\"type\":\"shout\",\"userId\":\"bad-1\"}]}"), "batch[0].type");
            assert400(segment("batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"bad-1\",\"event\":\"A\",\"timestamp\":\"yesterday\"}]}"),
                    "batch[0].timestamp");
            assert400(segment("batch", "{\"batch\":[{\"type\":\"alias\",\"userId\":\"bad-1\"}]}"), "batch[0].previousId");
            assert400(segment("batch", "{\"batch\":[{\"type\":\"group\",\"userId\":\"bad-1\"}]}"), "batch[0].groupId");
            assert400(segment("batch", "{\"batch\":{}}"), "batch");
            assert400(segment("batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"bad-1\",\"event\":\"A\",\"properties\":[]}]}"),
                    "batch[0].properties");
            assert400(segment("track", "{\"userId\":\"bad-1\"}"), "event");
            assert400(segment("track", "{not json"), "Malformed JSON");
            // junk ids: the identity core refuses; the item is named
            assert400(segment("batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"bad-1\",\"event\":\"A\"},"
                    + "{\"type\":\"track\",\"userId\":\"null\",\"event\":\"A\"}]}"), "batch[1]");
            assertThat(events(F, acme)).isEqualTo(events);
            assertThat(profiles(F, acme)).isEqualTo(profiles);
            assertThat(owner(F, acme, "external_id", "bad-1")).isNull();
        }

        @Test
        void limits() {
            String big = "x".repeat(33 * 1024);
            assert400(segment("track", "{\"userId\":\"lim\",\"event\":\"A\",\"properties\":{\"s\":\"" + big + "\"}}"), "32 KB");
            StringBuilder sb = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 2501; i++) sb.append(i == 0 ? "" : ",").append("{}");
            assert400(segment("batch", sb.append("]}").toString()), "2500");
            Res ditto413 = ditto("track", "{\"userId\":\"lim\",\"event\":\"A\",\"properties\":{\"s\":\"" + big + "\"}}");
            assertThat(ditto413.status()).isEqualTo(413);
            assertThat(owner(F, acme, "external_id", "lim")).isNull();
        }

        @Test
        void credentials() {
            String body = "{\"userId\":\"seg-cred\",\"event\":\"A\"}";
            Res none = F.post("/v1/track", body, Map.of());
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.json().get("message").asText()).contains("write key");
            assertThat(F.post("/v1/track", body, basic("pk_" + "y".repeat(32))).status()).isEqualTo(401);
            assertThat(F.post("/v1/track", body, bearer(acme.publicKey())).status()).isEqualTo(401);
            // writeKey in the body
            assertThat(F.post("/v1/track", "{\"writeKey\":\"" + acme.publicKey() + "\",\"userId\":\"seg-cred\",\"event\":\"A\"}", Map.of())
                    .status()).isEqualTo(200);
            assertThat(F.post("/v1/batch", "{\"writeKey\":\"" + other.publicKey() + "\",\"batch\":[{\"type\":\"track\",\"userId\":\"seg-cred\",\"event\":\"A\"}]}", Map.of())
                    .status()).isEqualTo(200);
            assertThat(F.post("/v1/track", "{\"writeKey\":\"pk_nope\",\"userId\":\"seg-cred\",\"event\":\"A\"}", Map.of()).status())
                    .isEqualTo(401);
            assertThat(owner(F, acme, "external_id", "seg-cred")).isNotNull();
            assertThat(owner(F, other, "external_id", "seg-cred")).isNotNull();
            // the credential is not kept in the stored raw message
            assertThat(F.count("SELECT count(*) FROM events WHERE raw->>'writeKey' IS NOT NULL")).isZero();
        }
    }

    @Nested
    class Dittofeed {
        @Test
        void seedIdentifyWithAllCredentialForms() {
            String body = """
                    {"messageId":"msg_0a1b2c3d","timestamp":"2025-07-15T10:30:00.000Z","context":{"locale":"en-GB"},
                     "traits":{"email":"jane@example.com","firstName":"Jane","lastLogin":"2025-07-14T09:00:00.000Z","plan":"premium"},
                     "userId":"usr_a1b2c3d4e5f6"}""";
            Res r = F.post("/api/public/apps/identify", body, Map.of("PublicWriteKey", acme.publicKey()));
            assertThat(r.status()).as(r.toString()).isEqualTo(204);
            assertThat(r.body()).isEmpty();
            assertThat(owner(F, acme, "email", "jane@example.com")).isEqualTo(owner(F, acme, "external_id", "usr_a1b2c3d4e5f6"));
            String b64 = java.util.Base64.getEncoder().encodeToString((acme.publicKey() + ":").getBytes());
            assertThat(F.post("/api/public/apps/track", "{\"userId\":\"usr_2\",\"event\":\"A\",\"messageId\":\"usr2-a\"}", Map.of("authorization", "Basic " + b64))
                    .status()).isEqualTo(204);
            assertThat(F.post("/api/public/apps/track", "{\"userId\":\"usr_2\",\"event\":\"A\",\"messageId\":\"usr2-b\"}", Map.of("authorization", acme.secretKey()))
                    .status()).isEqualTo(204);
            Res bad = F.post("/api/public/apps/track", "{\"userId\":\"usr_2\",\"event\":\"A\"}", Map.of("authorization", "Basic nope"));
            assertThat(bad.status()).isEqualTo(401);
            assertThat(bad.json().has("message")).isTrue();
        }

        @Test
        void batchAliasAndValidation() {
            assertThat(ditto("batch", """
                    {"batch":[{"type":"identify","anonymousId":"df-a","traits":{"plan":"free"},"messageId":"df-1"},
                              {"type":"track","anonymousId":"df-a","event":"Clicked","messageId":"df-2"},
                              {"type":"alias","previousId":"df-a","userId":"df-u","messageId":"df-3"}]}""").status()).isEqualTo(204);
            assertThat(ditto("alias", "{\"previousId\":\"df-a\",\"userId\":\"df-u\",\"messageId\":\"df-4\"}").status()).isEqualTo(204);
            String p = owner(F, acme, "external_id", "df-u");
            assertThat(owner(F, acme, "anonymous_id", "df-a")).isEqualTo(p);
            assertThat(adminEvents(F, acme, p)).hasSize(4);
            long before = events(F, acme);
            Res r = ditto("batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"df-u\",\"event\":\"A\",\"messageId\":\"df-5\"},{\"type\":\"track\",\"userId\":\"df-u\",\"event\":5,\"messageId\":\"df-6\"}]}");
            assert400(r, "batch[1].event");
            assertThat(events(F, acme)).isEqualTo(before);
            assertThat(ditto("batch", "{\"batch\":[]}").status()).isEqualTo(204);
            // subscribe()/unsubscribe() of the Dittofeed SDKs: a track event that joins / leaves a list
            assertThat(ditto("track", "{\"userId\":\"df-u\",\"event\":\"DFSubscriptionChange\",\"properties\":{\"subscriptionId\":\"sg-1\",\"action\":\"Subscribe\"},\"messageId\":\"df-7\"}")
                    .status()).isEqualTo(204);
            assertThat(admin(F, acme, p, "subscriptions").at("/meta/memberships/0/id").asText()).isEqualTo("sg-1");
            assertThat(ditto("track", "{\"userId\":\"df-u\",\"event\":\"DFSubscriptionChange\",\"properties\":{\"subscriptionId\":\"sg-1\",\"action\":\"Unsubscribe\"},\"messageId\":\"df-8\"}")
                    .status()).isEqualTo(204);
            assertThat(admin(F, acme, p, "subscriptions").at("/meta/memberships")).isEmpty();
        }
    }
}
