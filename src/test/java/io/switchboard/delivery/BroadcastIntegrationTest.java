package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import io.switchboard.testing.BroadcastKit;
import io.switchboard.testing.DeliveryKit;
import io.switchboard.testing.FakeSmtpServer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Broadcasts end to end (docs/audiences.md, "Broadcasts") against real PostgreSQL and a local SMTP server:
 * consent and suppression skipped per recipient, scheduling (an instant, and a wall-clock time in each
 * recipient's zone), cancel, replay of pages without duplicates, cross-tenant denial, bad input. The
 * restart in the middle is {@link BroadcastRestartTest}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class BroadcastIntegrationTest {
    static final FakeSmtpServer SMTP = newSmtp();
    static final AppFixture F = new AppFixture(ConfigOverride.config("delivery.broadcastPageSize", "50"));
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final DeliveryKit K = new DeliveryKit(F);
    static final BroadcastKit B = new BroadcastKit(F);

    static FakeSmtpServer newSmtp() {
        try {
            return new FakeSmtpServer();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        SMTP.close();
    }

    static String emailCampaign(TestCompany c, Integer rate) {
        String pid = K.provider(c, "smtp", Map.of("host", "127.0.0.1", "port", SMTP.port(), "tls", "none",
                "from", "news@acme.test"), rate, rate == null ? null : "second");
        return K.campaign(c, "email", pid, Map.of("subject", "Hi {{user.external_id}}", "text", "Hello"));
    }

    static long sentTo(String prefix) {
        return SMTP.recipients.stream().filter(r -> r.startsWith(prefix)).count();
    }

    @Test
    void consentSuppressionAndMissingAddressesAreSkippedPerRecipient() {
        TestCompany c = F.createCompany("BcConsent");
        long cid = F.companyId(c.publicId());
        String campaign = emailCampaign(c, null);
        B.seedList(c, "L1", "bcc", 120);
        F.db().useHandle(h -> {
            // the shared consent store: a marketing opt-out, a suppression, a delivery opt-out, no address
            h.execute("INSERT INTO subscriptions (company_id, profile_id, channel, purpose, state, source) "
                    + "VALUES (?, ?, 'email', 'marketing', 'unsubscribed', 'test')", cid, BroadcastKit.profileId("bcc", 1));
            h.execute("INSERT INTO suppressions (company_id, profile_id, channel, reason) VALUES (?, ?, 'email', "
                    + "'HARD_BOUNCE')", cid, BroadcastKit.profileId("bcc", 2));
            h.execute("INSERT INTO channel_unsubscribes (company_id, profile_id, channel, subscription, source) "
                    + "VALUES (?, ?, 'email', 'marketing', 'link')", cid, BroadcastKit.profileId("bcc", 3));
            h.execute("UPDATE profiles SET email = NULL WHERE company_id = ? AND id = ?", cid, BroadcastKit.profileId("bcc", 4));
            // a subscribed profile is sent to
            h.execute("INSERT INTO subscriptions (company_id, profile_id, channel, purpose, state, source) "
                    + "VALUES (?, ?, 'email', 'marketing', 'subscribed', 'test')", cid, BroadcastKit.profileId("bcc", 5));
        });
        String id = B.toList(c, campaign, "L1", Map.of());
        JsonNode done = B.await(c, campaign, id, Duration.ofSeconds(60), BroadcastKit::completed);
        JsonNode p = done.get("progress");
        assertThat(p.get("enqueued").asLong()).isEqualTo(120);
        assertThat(p.get("sent").asLong()).isEqualTo(116);
        assertThat(p.get("skipped_consent").asLong()).isEqualTo(3);
        assertThat(p.get("skipped_no_address").asLong()).isEqualTo(1);
        assertThat(p.get("pending").asLong()).isZero();
        assertThat(sentTo("bcc")).isEqualTo(116);
        assertThat(SMTP.recipients).doesNotContain("bcc1@example.com", "bcc2@example.com", "bcc3@example.com")
                .contains("bcc5@example.com", "bcc0@example.com");
        // the skipped ones are on record as sends, with their reason
        assertThat(F.count("SELECT count(*) FROM sends WHERE company_id = ? AND broadcast_id = ? AND state = 'aborted' "
                + "AND reason = 'unsubscribed'", cid, id)).isEqualTo(3);
    }

    @Test
    void aBroadcastScheduledInTheFutureIsNotSentEarly() {
        TestCompany c = F.createCompany("BcLater");
        String campaign = emailCampaign(c, null);
        B.seedList(c, "L2", "bcl", 10);
        Instant at = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        String id = B.toList(c, campaign, "L2", Map.of("send_at", at.toString()));
        DeliveryKit.sleep(1500);
        JsonNode early = B.get(c, campaign, id);
        assertThat(early.get("state").asText()).isEqualTo("scheduled");
        assertThat(early.at("/progress/enqueued").asLong()).isZero();
        assertThat(sentTo("bcl")).isZero();
        B.await(c, campaign, id, Duration.ofSeconds(30), BroadcastKit::completed);
        assertThat(sentTo("bcl")).isEqualTo(10);
        Instant firstSent = F.db().withHandle(h -> h.createQuery("SELECT min(sent_at) FROM sends WHERE company_id = ? "
                + "AND broadcast_id = ?").bind(0, F.companyId(c.publicId())).bind(1, id).mapTo(Instant.class).one());
        assertThat(firstSent).isAfterOrEqualTo(at);
    }

    @Test
    void localSendAtIsTheWallClockTimeInEachRecipientsZoneWithTheCompanyDefaultAsFallback() {
        TestCompany c = F.createCompany("BcLocal");
        long cid = F.companyId(c.publicId());
        Res patched = F.request("PATCH", "/admin/companies/" + c.publicId(), DeliveryKit.json(Map.of("data", Map.of(
                "type", "company", "id", c.publicId(), "attributes", Map.of("settings",
                        Map.of("default_timezone", "America/New_York"))))), DeliveryKit.admin(c.secretKey()));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        String campaign = emailCampaign(c, null);
        B.seedList(c, "L3", "bct", 4);
        F.db().useHandle(h -> {
            h.execute("UPDATE profiles SET attributes = '{\"location\":{\"timezone\":\"Pacific/Kiritimati\"}}' "
                    + "WHERE company_id = ? AND id = ?", cid, BroadcastKit.profileId("bct", 0));
            h.execute("UPDATE profiles SET properties = '{\"timezone\":\"Europe/Berlin\"}' "
                    + "WHERE company_id = ? AND id = ?", cid, BroadcastKit.profileId("bct", 1));
            h.execute("UPDATE profiles SET attributes = '{\"location\":{\"timezone\":\"Not/AZone\"}}' "
                    + "WHERE company_id = ? AND id = ?", cid, BroadcastKit.profileId("bct", 2));
        });
        // two hours from now on a UTC wall clock: already past in Kiritimati (UTC+14), still ahead elsewhere
        LocalDateTime local = LocalDateTime.now(ZoneOffset.UTC).plusHours(2).truncatedTo(ChronoUnit.MINUTES);
        String id = B.toList(c, campaign, "L3", Map.of("local_send_at", local.toString()));
        JsonNode b = B.await(c, campaign, id, Duration.ofSeconds(30), x -> x.at("/progress/sent").asLong() == 1);
        assertThat(b.get("local_send_at").asText()).startsWith(local.toString());
        assertThat(b.get("state").asText()).isEqualTo("enqueued");
        assertThat(b.at("/progress/pending").asLong()).isEqualTo(3);
        assertThat(SMTP.recipients).contains("bct0@example.com");
        Map<String, Instant> due = new LinkedHashMap<>();
        F.db().useHandle(h -> h.createQuery("SELECT profile_id, next_attempt_at FROM sends WHERE company_id = ? "
                + "AND broadcast_id = ? AND state = 'pending'").bind(0, cid).bind(1, id)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getTimestamp(2).toInstant())).list()
                .forEach(e -> due.put(e.getKey(), e.getValue())));
        assertThat(due.get(BroadcastKit.profileId("bct", 1))).isEqualTo(local.atZone(ZoneId.of("Europe/Berlin")).toInstant());
        // an unknown zone name and no zone at all: the company's default
        Instant ny = local.atZone(ZoneId.of("America/New_York")).toInstant();
        assertThat(due.get(BroadcastKit.profileId("bct", 2))).isEqualTo(ny);
        assertThat(due.get(BroadcastKit.profileId("bct", 3))).isEqualTo(ny);
        // a cancel leaves nothing waiting
        Res cancel = F.post("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts/" + id + "/cancel",
                null, DeliveryKit.admin(c.secretKey()));
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
        assertThat(cancel.json().at("/data/attributes/progress/cancelled").asLong()).isEqualTo(3);
        assertThat(cancel.json().at("/data/attributes/state").asText()).isEqualTo("cancelled");
    }

    @Test
    void cancelStopsTheJobAndCancelsEveryPendingSend() {
        TestCompany c = F.createCompany("BcCancel");
        long cid = F.companyId(c.publicId());
        String campaign = emailCampaign(c, 5); // 5 a second: most of the audience is still waiting when cancelled
        B.seedList(c, "L4", "bcx", 400);
        String id = B.toList(c, campaign, "L4", Map.of());
        B.await(c, campaign, id, Duration.ofSeconds(30), x -> x.at("/progress/sent").asLong() >= 3);
        Res r = F.post("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts/" + id + "/cancel",
                null, DeliveryKit.admin(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        DeliveryKit.sleep(2500); // in-flight sends finish; nothing else goes out
        JsonNode after = B.get(c, campaign, id);
        JsonNode p = after.get("progress");
        assertThat(after.get("state").asText()).isEqualTo("cancelled");
        assertThat(p.get("pending").asLong()).isZero();
        // whatever was enqueued when the cancel came (the job may not have finished the audience) is cancelled
        assertThat(p.get("cancelled").asLong()).isGreaterThan(100);
        long sent = p.get("sent").asLong();
        assertThat(sent).isLessThan(60);
        assertThat(sentTo("bcx")).isEqualTo(sent);
        assertThat(p.get("enqueued").asLong()).isEqualTo(p.get("sent").asLong() + p.get("cancelled").asLong()
                + p.get("failed").asLong() + p.get("aborted").asLong());
        // the job stopped: no page is written after the cancel
        long rows = F.count("SELECT count(*) FROM sends WHERE company_id = ? AND broadcast_id = ?", cid, id);
        DeliveryKit.sleep(700);
        assertThat(F.count("SELECT count(*) FROM sends WHERE company_id = ? AND broadcast_id = ?", cid, id)).isEqualTo(rows);
        assertThat(sentTo("bcx")).isEqualTo(sent);
        // cancelling again is harmless
        assertThat(F.post("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts/" + id + "/cancel",
                null, DeliveryKit.admin(c.secretKey())).status()).isEqualTo(200);
    }

    @Test
    void aReplayedAudienceEnqueuesNobodyTwice() {
        TestCompany c = F.createCompany("BcReplay");
        long cid = F.companyId(c.publicId());
        String campaign = emailCampaign(c, null);
        B.seedList(c, "L5", "bcr", 230);
        String id = B.toList(c, campaign, "L5", Map.of());
        B.await(c, campaign, id, Duration.ofSeconds(60), BroadcastKit::completed);
        // as if a worker died having lost its cursor: the job runs the whole audience again
        F.db().useHandle(h -> h.execute("UPDATE broadcasts SET state = 'enqueuing', cursor = NULL, claimed_by = 'dead', "
                + "claimed_until = now() - interval '1 second' WHERE company_id = ? AND id = ?", cid, id));
        B.await(c, campaign, id, Duration.ofSeconds(30), x -> "completed".equals(x.get("state").asText())
                && x.get("enqueued_at") != null);
        DeliveryKit.sleep(500);
        assertThat(F.count("SELECT count(*) FROM sends WHERE company_id = ? AND broadcast_id = ?", cid, id)).isEqualTo(230);
        assertThat(sentTo("bcr")).isEqualTo(230);
        assertThat(new HashSet<>(SMTP.recipients.stream().filter(x -> x.startsWith("bcr")).toList())).hasSize(230);
    }

    @Test
    void oneCompanysHugeAudienceDoesNotHoldAnotherCompanysBroadcast() {
        TestCompany big = F.createCompany("BcFairBig");
        TestCompany small = F.createCompany("BcFairSmall");
        String campaignBig = emailCampaign(big, 1); // 1 a second: the big one's sends wait in the queue
        String campaignSmall = emailCampaign(small, null);
        B.seedList(big, "LF1", "bfb", 6000);   // 120 pages of 50: six turns of 20 pages
        B.seedList(small, "LF2", "bfs", 5);
        String bigId = B.toList(big, campaignBig, "LF1", Map.of());
        String smallId = B.toList(small, campaignSmall, "LF2", Map.of());
        JsonNode smallDone = B.await(small, campaignSmall, smallId, Duration.ofSeconds(30), x -> x.hasNonNull("enqueued_at"));
        JsonNode bigNow = B.get(big, campaignBig, bigId);
        // the small company's broadcast was enqueued while the big one was still being enqueued
        assertThat(bigNow.at("/progress/enqueued").asLong()).as(bigNow.toString()).isLessThan(6000);
        assertThat(smallDone.at("/progress/enqueued").asLong()).isEqualTo(5);
        JsonNode bigDone = B.await(big, campaignBig, bigId, Duration.ofSeconds(60), x -> x.hasNonNull("enqueued_at"));
        assertThat(bigDone.at("/progress/enqueued").asLong()).isEqualTo(6000);
        Res cancel = F.post("/admin/companies/" + big.publicId() + "/campaigns/" + campaignBig + "/broadcasts/" + bigId
                + "/cancel", null, DeliveryKit.admin(big.secretKey()));
        assertThat(cancel.status()).isEqualTo(200);
    }

    @Test
    void segmentAudiencesAreBroadcastToo() {
        TestCompany c = F.createCompany("BcSegment");
        long cid = F.companyId(c.publicId());
        String campaign = emailCampaign(c, null);
        B.seedList(c, "L6", "bcs", 30);
        F.db().useHandle(h -> {
            h.execute("INSERT INTO segments (company_id, id, name, definition, version, computed_version) VALUES "
                    + "(?, 'S1', 'S1', '{\"condition_groups\":[]}', 1, 1)", cid);
            h.execute("INSERT INTO segment_memberships (company_id, segment_id, profile_id) SELECT ?, 'S1', profile_id "
                    + "FROM list_memberships WHERE company_id = ? AND list_id = 'L6' AND profile_id <= ?", cid, cid,
                    BroadcastKit.profileId("bcs", 9));
        });
        Res r = B.create(c, campaign, Map.of("audience", Map.of("type", "segment", "id", "S1")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().at("/data/id").asText();
        JsonNode done = B.await(c, campaign, id, Duration.ofSeconds(30), BroadcastKit::completed);
        assertThat(done.at("/progress/sent").asLong()).isEqualTo(10);
        assertThat(sentTo("bcs")).isEqualTo(10);
        Res list = F.get("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts",
                DeliveryKit.admin(c.secretKey()));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().at("/data/0/id").asText()).isEqualTo(id);
        assertThat(list.json().at("/data/0/attributes/audience/type").asText()).isEqualTo("segment");
    }

    @Test
    void anotherCompanysCampaignsListsAndBroadcastsAreNotFound() {
        TestCompany a = F.createCompany("BcTenantA");
        TestCompany other = F.createCompany("BcTenantB");
        String campaignA = emailCampaign(a, null);
        String campaignB = emailCampaign(other, null);
        B.seedList(a, "LA", "bca", 2);
        String id = B.toList(a, campaignA, "LA", Map.of("send_at", Instant.now().plusSeconds(3600).toString()));
        Map<String, String> asB = DeliveryKit.admin(other.secretKey());
        String pathA = "/admin/companies/" + a.publicId() + "/campaigns/" + campaignA + "/broadcasts";
        String body = DeliveryKit.json(Map.of("data", Map.of("type", "broadcast", "attributes",
                Map.of("audience", Map.of("type", "list", "id", "LA")))));
        // B's key on A's paths
        assertThat(F.post(pathA, body, asB).status()).isEqualTo(404);
        assertThat(F.get(pathA, asB).status()).isEqualTo(404);
        assertThat(F.get(pathA + "/" + id, asB).status()).isEqualTo(404);
        assertThat(F.post(pathA + "/" + id + "/cancel", null, asB).status()).isEqualTo(404);
        // B's own company path with A's campaign or broadcast
        String pathB = "/admin/companies/" + other.publicId() + "/campaigns/";
        assertThat(F.post(pathB + campaignA + "/broadcasts", body, asB).status()).isEqualTo(404);
        assertThat(F.get(pathB + campaignA + "/broadcasts", asB).status()).isEqualTo(404);
        assertThat(F.get(pathB + campaignB + "/broadcasts/" + id, asB).status()).isEqualTo(404);
        assertThat(F.post(pathB + campaignB + "/broadcasts/" + id + "/cancel", null, asB).status()).isEqualTo(404);
        // B's campaign to A's list: no such list for B
        Res r = F.post(pathB + campaignB + "/broadcasts", body, asB);
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.body()).contains("/data/attributes/audience/id");
        // A's broadcast is untouched
        assertThat(B.get(a, campaignA, id).get("state").asText()).isEqualTo("scheduled");
        assertThat(F.count("SELECT count(*) FROM broadcasts WHERE company_id = ?", F.companyId(other.publicId()))).isZero();
    }

    @Test
    void badInputIsA4xxNamingTheField() {
        TestCompany c = F.createCompany("BcBad");
        String campaign = emailCampaign(c, null);
        B.seedList(c, "LB", "bcb", 1);
        Map<String, Object> list = Map.of("type", "list", "id", "LB");
        record Case(Map<String, Object> attrs, int status, String pointer) {}
        List<Case> cases = List.of(
                new Case(Map.of(), 400, "/data/attributes/audience"),
                new Case(Map.of("audience", "LB"), 400, "/data/attributes/audience"),
                new Case(Map.of("audience", Map.of("type", "people", "id", "LB")), 400, "/data/attributes/audience/type"),
                new Case(Map.of("audience", Map.of("type", "list", "id", 7)), 400, "/data/attributes/audience/id"),
                new Case(Map.of("audience", Map.of("type", "list", "id", "L B")), 400, "/data/attributes/audience/id"),
                new Case(Map.of("audience", Map.of("type", "list", "id", "LB", "x", 1)), 400, "/data/attributes/audience/x"),
                new Case(Map.of("audience", Map.of("type", "list", "id", "NOPE")), 422, "/data/attributes/audience/id"),
                new Case(Map.of("audience", list, "send_at", "tomorrow"), 400, "/data/attributes/send_at"),
                new Case(Map.of("audience", list, "send_at", 5), 400, "/data/attributes/send_at"),
                new Case(Map.of("audience", list, "send_at", "2099-01-01T00:00:00Z"), 400, "/data/attributes/send_at"),
                new Case(Map.of("audience", list, "local_send_at", "09:00"), 400, "/data/attributes/local_send_at"),
                new Case(Map.of("audience", list, "local_send_at", "2026-12-01T09:00+01:00"), 400, "/data/attributes/local_send_at"),
                new Case(Map.of("audience", list, "local_send_at", "2026-12-01T09:00", "send_at", "2026-12-01T09:00:00Z"),
                        400, "/data/attributes/local_send_at"));
        for (Case k : cases) {
            Res r = B.create(c, campaign, k.attrs());
            assertThat(r.status()).as(k + " → " + r).isEqualTo(k.status());
            assertThat(r.body()).as(k + " → " + r).contains(k.pointer());
        }
        // not a JSON:API document, an empty body
        Res junk = F.post("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts", "{\"data\":",
                DeliveryKit.admin(c.secretKey()));
        assertThat(junk.status()).isEqualTo(400);
        Res empty = F.post("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts", "",
                DeliveryKit.admin(c.secretKey()));
        assertThat(empty.status()).isEqualTo(400);
        // unknown campaign, unknown broadcast: 404; a draft campaign: 409; nothing was written
        assertThat(B.create(c, "01JDQ3V6B7X2M5N8P9R4S1T0VW", Map.of("audience", list)).status()).isEqualTo(404);
        assertThat(F.get("/admin/companies/" + c.publicId() + "/campaigns/" + campaign + "/broadcasts/nope",
                DeliveryKit.admin(c.secretKey())).status()).isEqualTo(404);
        Res patched = F.request("PATCH", "/admin/companies/" + c.publicId() + "/campaigns/" + campaign,
                DeliveryKit.json(Map.of("data", Map.of("type", "campaign", "id", campaign, "attributes", Map.of("state", "draft")))),
                DeliveryKit.admin(c.secretKey()));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(B.create(c, campaign, Map.of("audience", list)).status()).isEqualTo(409);
        assertThat(F.count("SELECT count(*) FROM broadcasts WHERE company_id = ?", F.companyId(c.publicId()))).isZero();
        // the company setting is checked too
        Res tz = F.request("PATCH", "/admin/companies/" + c.publicId(), DeliveryKit.json(Map.of("data", Map.of(
                "type", "company", "id", c.publicId(), "attributes", Map.of("settings",
                        Map.of("default_timezone", "Mars/Olympus"))))), DeliveryKit.admin(c.secretKey()));
        assertThat(tz.status()).as(tz.toString()).isEqualTo(400);
        assertThat(tz.body()).contains("default_timezone");
    }
}
