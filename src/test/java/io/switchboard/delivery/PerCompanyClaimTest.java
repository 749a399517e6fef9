package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.switchboard.SwitchboardApplication;
import io.switchboard.core.campaigns.Send;
import io.switchboard.db.SendDao;
import io.switchboard.testing.TestDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Citus claim (docs/scale.md), run here on plain PostgreSQL where its SQL means the same: companies
 * with due sends first, then one single-company {@code FOR UPDATE SKIP LOCKED} claim at a time.
 */
class PerCompanyClaimTest {
    static Jdbi jdbi;
    static final Map<Long, String> campaigns = new HashMap<>();

    @BeforeAll
    static void db() {
        jdbi = SwitchboardApplication.newJdbi(Jdbi.create(TestDatabase.newDatabase(), "postgres", ""),
                Jackson.newObjectMapper());
        for (String name : List.of("PCC001", "PCC002", "PCC003")) {
            long c = jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES (:p, 'c') RETURNING id")
                    .bind("p", name).mapTo(Long.class).one());
            campaigns.put(c, jdbi.withHandle(h -> h.createQuery("INSERT INTO campaigns (company_id, id, name, channel) "
                    + "VALUES (:c, :id, 'c', 'webhook') RETURNING id").bind("c", c).bind("id", io.switchboard.db.Ids.newId())
                    .mapTo(String.class).one()));
        }
    }

    static List<String> enqueue(long company, int n, String tag, String due) {
        List<String> ids = new ArrayList<>();
        jdbi.useHandle(h -> {
            for (int i = 0; i < n; i++) {
                ids.add(h.createQuery("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, context, next_attempt_at) "
                        + "VALUES (:c, :id, :cid, :p, 'webhook', '{}', now() + CAST(:due AS interval)) RETURNING id")
                        .bind("c", company).bind("id", io.switchboard.db.Ids.newId()).bind("cid", campaigns.get(company)).bind("p", tag + i).bind("due", due)
                        .mapTo(String.class).one());
            }
        });
        return ids;
    }

    @Test
    void claimsOnlyTheGivenCompanysDueSends() {
        List<Long> companies = new ArrayList<>(campaigns.keySet());
        long a = companies.get(0), b = companies.get(1);
        List<String> dueA = enqueue(a, 3, "only-a-", "-1 second");
        List<String> laterA = enqueue(a, 2, "later-a-", "1 hour");
        List<String> dueB = enqueue(b, 2, "only-b-", "-1 second");
        List<Long> due = jdbi.withExtension(SendDao.class, d -> d.dueCompanies(10));
        assertThat(due).contains(a, b);
        List<Send> got = jdbi.withExtension(SendDao.class, d -> d.claimForCompany(a, "w", 60, 100));
        assertThat(got).extracting(Send::companyId).containsOnly(a);
        assertThat(got).extracting(Send::id).containsAll(dueA).doesNotContainAnyElementsOf(laterA);
        assertThat(got).allSatisfy(s -> assertThat(s.state()).isEqualTo("sending"));
        // company b's sends are untouched
        long pendingB = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM sends WHERE company_id = :c AND id = ANY(:ids) "
                + "AND state = 'pending'").bind("c", b).bind("ids", dueB.toArray(String[]::new)).mapTo(Long.class).one());
        assertThat(pendingB).isEqualTo(dueB.size());
        jdbi.useHandle(h -> h.execute("UPDATE sends SET state = 'aborted' WHERE state IN ('pending', 'sending')"));
    }

    @Test
    void workersClaimingPerCompanyShareEverySendOnceAcrossCompanies() throws Exception {
        jdbi.useHandle(h -> h.execute("UPDATE sends SET state = 'aborted' WHERE state IN ('pending', 'sending')"));
        List<String> all = new ArrayList<>();
        for (long c : campaigns.keySet()) all.addAll(enqueue(c, 60, "share-", "-1 second"));
        Map<String, String> claimedBy = new ConcurrentHashMap<>();
        List<String> twice = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(all.size());
        SendProcessor recorder = new SendProcessor(jdbi, null, null, null, null, null, 1, null, null, null) {
            @Override
            public void process(Send s, String worker) {
                if (claimedBy.putIfAbsent(s.id(), worker) != null) twice.add(s.id());
                jdbi.useExtension(SendDao.class, d -> d.markSent(s.companyId(), s.id(), worker, null, "x"));
                done.countDown();
            }
        };
        List<DeliveryWorkers> processes = new ArrayList<>();
        for (int p = 0; p < 2; p++) {   // two "server processes" of three workers each
            DeliveryConfig cfg = new DeliveryConfig();
            cfg.setWorkers(3);
            cfg.setBatchSize(7);
            cfg.setPollInterval(Duration.milliseconds(20));
            cfg.setClaimPerCompany(true);
            DeliveryWorkers w = new DeliveryWorkers(jdbi, recorder, cfg, List.of());
            processes.add(w);
            w.start();
        }
        boolean finished = done.await(60, java.util.concurrent.TimeUnit.SECONDS);
        for (DeliveryWorkers w : processes) w.stop();
        assertThat(finished).as("every send processed").isTrue();
        assertThat(twice).isEmpty();
        assertThat(claimedBy.keySet()).containsExactlyInAnyOrderElementsOf(all);
        long sent = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM sends WHERE id = ANY(:ids) AND state = 'sent'")
                .bind("ids", all.toArray(String[]::new)).mapTo(Long.class).one());
        assertThat(sent).isEqualTo(all.size());
    }
}
