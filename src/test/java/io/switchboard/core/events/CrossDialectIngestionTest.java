package io.switchboard.core.events;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.core.events.EventMaintenance;
import io.switchboard.core.events.EventPartitions;
import io.switchboard.core.events.ProfileDataListener;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One store behind every dialect: cross-dialect identity, merges, partitions, key cleanup, races. */
@ExtendWith(DropwizardExtensionsSupport.class)
class CrossDialectIngestionTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static TestCompany acme;

    @BeforeAll
    static void company() {
        acme = F.createCompany("Acme");
        F.db().installPlugin(new org.jdbi.v3.sqlobject.SqlObjectPlugin()).installPlugin(new org.jdbi.v3.postgres.PostgresPlugin());
    }

    @Test
    void segmentParcelvoyKlaviyoEndOnOneProfile() {
        assertThat(F.post("/v1/identify", "{\"anonymousId\":\"x-anon\",\"traits\":{\"email\":\"x@example.com\",\"firstName\":\"Xe\"}}",
                basic(acme.publicKey())).status()).isEqualTo(200);
        assertThat(F.post("/api/client/events", "[{\"anonymous_id\":\"x-anon\",\"name\":\"Parcelvoy Event\"}]",
                bearer(acme.publicKey())).status()).isEqualTo(204);
        Res k = F.post("/client/events?company_id=" + acme.publicId(), """
                {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"x@example.com","external_id":"x-ext"}}},
                 "metric":{"data":{"type":"metric","attributes":{"name":"Klaviyo Event"}}},"properties":{}}}}""", klaviyo("2026-07-15"));
        assertThat(k.status()).as(k.toString()).isEqualTo(202);
        assertThat(F.post("/api/public/apps/track", "{\"userId\":\"x-ext\",\"event\":\"Dittofeed Event\",\"messageId\":\"x-ext-df-1\"}",
                Map.of("authorization", acme.publicKey())).status()).isEqualTo(204);
        String p = owner(F, acme, "anonymous_id", "x-anon");
        assertThat(owner(F, acme, "email", "x@example.com")).isEqualTo(p);
        assertThat(owner(F, acme, "external_id", "x-ext")).isEqualTo(p);
        assertThat(F.count("SELECT count(DISTINCT profile_id) FROM events WHERE company_id = ? AND name IN "
                + "('Parcelvoy Event', 'Klaviyo Event', 'Dittofeed Event')", F.companyId(acme.publicId()))).isEqualTo(1);
        JsonNode evs = adminEvents(F, acme, p);
        assertThat(evs.findValuesAsText("source")).containsExactlyInAnyOrder("segment", "parcelvoy", "klaviyo_client", "dittofeed");
        assertThat(evs.findValuesAsText("name")).contains("Parcelvoy Event", "Klaviyo Event", "Dittofeed Event");
        // the profile's last event date follows the activity
        assertThat(F.get("/admin/companies/" + acme.publicId() + "/profiles/" + p, bearer(acme.secretKey())).json()
                .at("/data/attributes/last_event_date").isNull()).isFalse();
    }

    @Test
    void mergeMovesDevicesAndConsentAndKeepsEventsReadable() {
        // A: anonymous, with a device, a subscription and an event; B: known user with an event
        assertThat(F.post("/api/client/devices", "{\"anonymous_id\":\"m-anon\",\"device_id\":\"m-dev\",\"token\":\"m-tok\"}",
                bearer(acme.publicKey())).status()).isEqualTo(204);
        assertThat(F.post("/api/client/events", "[{\"anonymous_id\":\"m-anon\",\"name\":\"Before\"}]", bearer(acme.publicKey())).status())
                .isEqualTo(204);
        assertThat(F.post("/client/subscriptions?company_id=" + acme.publicId(), """
                {"data":{"type":"subscription","attributes":{"profile":{"data":{"type":"profile","attributes":{"anonymous_id":"m-anon","phone_number":"+14155550199"}}}},
                 "relationships":{"list":{"data":{"type":"list","id":"ML"}}}}}""", klaviyo("2026-07-15")).status()).isEqualTo(202);
        assertThat(F.post("/v1/track", "{\"userId\":\"m-user\",\"event\":\"Known\"}", basic(acme.publicKey())).status()).isEqualTo(200);
        String a = owner(F, acme, "anonymous_id", "m-anon");
        String b = owner(F, acme, "external_id", "m-user");
        assertThat(a).isNotEqualTo(b);
        // alias: A merges into B (B has the external id)
        assertThat(F.post("/api/client/alias", "{\"anonymous_id\":\"m-anon\",\"external_id\":\"m-user\"}", bearer(acme.publicKey())).status())
                .isEqualTo(204);
        assertThat(owner(F, acme, "anonymous_id", "m-anon")).isEqualTo(b);
        JsonNode devices = admin(F, acme, b, "devices").get("data");
        assertThat(devices).hasSize(1);
        assertThat(devices.at("/0/attributes/profile_id").asText()).isEqualTo(b);
        assertThat(F.count("SELECT count(*) FROM devices WHERE profile_id = ?", a)).isZero();
        JsonNode subs = admin(F, acme, b, "subscriptions");
        assertThat(subs.get("data")).hasSize(1);
        assertThat(subs.at("/meta/memberships/0/id").asText()).isEqualTo("ML");
        // events are not rewritten, yet all of them read under the survivor
        assertThat(F.count("SELECT count(*) FROM events WHERE profile_id = ?", a)).isEqualTo(1);
        JsonNode evs = adminEvents(F, acme, b);
        assertThat(evs.findValuesAsText("name")).contains("Before", "Known");
        assertThat(evs.findValuesAsText("profile_id")).containsOnly(b);
        String filter = URLEncoder.encode("equals(profile_id,\"" + b + "\")", StandardCharsets.UTF_8);
        JsonNode kl = F.get("/api/events?filter=" + filter, klaviyoServer(acme.secretKey(), "2026-07-15")).json();
        assertThat(kl.get("data")).hasSize(2);
        assertThat(kl.findValues("relationships").stream().map(r -> r.at("/profile/data/id").asText())).containsOnly(b);
        // the loser's own id now filters to the survivor's events too
        String filterA = URLEncoder.encode("equals(profile_id,\"" + a + "\")", StandardCharsets.UTF_8);
        assertThat(F.get("/api/events?filter=" + filterA, klaviyoServer(acme.secretKey(), "2026-07-15")).json().get("data")).hasSize(2);
        // reading the loser's admin data: 404 naming the survivor
        Res gone = F.get("/admin/companies/" + acme.publicId() + "/profiles/" + a + "/events", bearer(acme.secretKey()));
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().at("/errors/0/meta/merged_into").asText()).isEqualTo(b);
    }

    @Test
    void deletionRemovesEventsDevicesAndConsent() {
        assertThat(F.post("/api/client/devices", "{\"external_id\":\"del-u\",\"device_id\":\"del-dev\"}", bearer(acme.publicKey())).status())
                .isEqualTo(204);
        assertThat(F.post("/api/client/events", "[{\"external_id\":\"del-u\",\"name\":\"E\"}]", bearer(acme.publicKey())).status()).isEqualTo(204);
        String p = owner(F, acme, "external_id", "del-u");
        long c = F.companyId(acme.publicId());
        F.db().useTransaction(h -> new ProfileDataListener().onDelete(h, c, List.of(p)));
        assertThat(F.count("SELECT count(*) FROM events WHERE company_id = ? AND profile_id = ?", c, p)).isZero();
        assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND profile_id = ?", c, p)).isZero();
    }

    @Test
    void adminViewNeedsTheCompanysSecretKey() {
        assertThat(F.post("/api/client/events", "[{\"external_id\":\"adm-u\",\"name\":\"E\"}]", bearer(acme.publicKey())).status()).isEqualTo(204);
        String p = owner(F, acme, "external_id", "adm-u");
        // an unnamed Parcelvoy event shows in the admin view, not in Klaviyo's API (which has no such event)
        assertThat(F.post("/api/client/events", "[{\"external_id\":\"adm-u\"}]", bearer(acme.publicKey())).status()).isEqualTo(204);
        assertThat(adminEvents(F, acme, p)).hasSize(2);
        String filter = URLEncoder.encode("equals(profile_id,\"" + p + "\")", StandardCharsets.UTF_8);
        assertThat(F.get("/api/events?filter=" + filter, klaviyoServer(acme.secretKey(), "2026-07-15")).json().get("data")).hasSize(1);
        String path = "/admin/companies/" + acme.publicId() + "/profiles/" + p + "/events";
        assertThat(F.get(path, bearer(acme.publicKey())).status()).isEqualTo(403);
        assertThat(F.get(path, Map.of()).status()).isEqualTo(401);
        TestCompany other = F.createCompany("Nosy");
        assertThat(F.get(path, bearer(other.secretKey())).status()).isEqualTo(404);
        assertThat(F.get("/admin/companies/" + acme.publicId() + "/profiles/01ARZ3NDEKTSV4RRFFQ69G5FAV/devices", bearer(acme.secretKey())).status())
                .isEqualTo(404);
        // the existing admin profile routes still answer next to the new ones
        assertThat(F.get("/admin/companies/" + acme.publicId() + "/profiles/" + p, bearer(acme.secretKey())).status()).isEqualTo(200);
        assertThat(F.get("/admin/companies/" + acme.publicId() + "/profiles/" + p + "/history", bearer(acme.secretKey())).status()).isEqualTo(200);
    }

    @Test
    void partitionsAreCreatedAheadAndAbsorbTheDefaultPartition() {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        assertThat(F.count("SELECT count(*) FROM pg_class WHERE relname = ?", EventPartitions.name(now))).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM pg_class WHERE relname = ?", EventPartitions.name(now.plusMonths(3)))).isEqualTo(1);
        // an old event lands in the default partition …
        assertThat(F.post("/v1/track", "{\"userId\":\"old-u\",\"event\":\"Old\",\"timestamp\":\"2019-03-04T05:06:07Z\"}", basic(acme.publicKey()))
                .status()).isEqualTo(200);
        assertThat(F.count("SELECT count(*) FROM events_default WHERE name = 'Old'")).isEqualTo(1);
        // … and moves when its month gets a partition
        EventPartitions partitions = new EventPartitions(F.db());
        assertThat(partitions.ensure(YearMonth.of(2019, 3), 1)).containsExactly("events_p201903");
        assertThat(F.count("SELECT count(*) FROM events_default WHERE name = 'Old'")).isZero();
        assertThat(F.count("SELECT count(*) FROM events_p201903 WHERE name = 'Old'")).isEqualTo(1);
        assertThat(partitions.ensure(YearMonth.of(2019, 3), 1)).isEmpty();
        // lookups by id still work (the id's time part is the event time)
        String p = owner(F, acme, "external_id", "old-u");
        String id = adminEvents(F, acme, p).get(0).get("id").asText();
        assertThat(F.get("/api/events/" + id, klaviyoServer(acme.secretKey(), "2026-07-15")).status()).isEqualTo(200);
        // retention drops whole months
        assertThat(partitions.dropOlderThan(YearMonth.of(2019, 4))).containsExactly("events_p201903");
        assertThat(F.count("SELECT count(*) FROM events WHERE name = 'Old'")).isZero();
    }

    @Test
    void expiredIdempotencyKeysArePurged() {
        long c = F.companyId(acme.publicId());
        F.db().useHandle(h -> h.execute("INSERT INTO idempotency_keys (company_id, scope, key, expires_at) VALUES "
                + "(?, 'segment', 'expired-1', now() - interval '1 minute'), (?, 'segment', 'live-1', now() + interval '7 days')", c, c));
        EventMaintenance m = new EventMaintenance(F.db(), 3, 0, Clock.systemUTC());
        assertThat(m.purgeExpiredKeys()).isGreaterThanOrEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM idempotency_keys WHERE company_id = ? AND key = 'expired-1'", c)).isZero();
        assertThat(F.count("SELECT count(*) FROM idempotency_keys WHERE company_id = ? AND key = 'live-1'", c)).isEqualTo(1);
    }

    @Test
    void concurrentRetriesStoreOnceAndTokensNeverDuplicate() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Res>> fs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                fs.add(pool.submit(() -> F.post("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"race-a\",\"event\":\"R\",\"messageId\":\"race-1\"}]}",
                        basic(acme.publicKey()))));
                int n = i;
                fs.add(pool.submit(() -> F.post("/api/client/devices", "{\"anonymous_id\":\"race-d" + (n % 4) + "\",\"device_id\":\"race-dev" + n
                        + "\",\"token\":\"race-tok\"}", bearer(acme.publicKey()))));
            }
            for (Future<Res> f : fs) assertThat(f.get().status()).as(f.get().toString()).isIn(200, 204);
        } finally {
            pool.shutdown();
        }
        long c = F.companyId(acme.publicId());
        assertThat(F.count("SELECT count(*) FROM events WHERE company_id = ? AND name = 'R'", c)).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM profile_identifiers WHERE company_id = ? AND value = 'race-a'", c)).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token = 'race-tok'", c)).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND device_id LIKE 'race-dev%'", c)).isEqualTo(16);
        assertThat(Instant.now()).isNotNull();
    }
}
