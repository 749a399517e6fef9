package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.switchboard.SwitchboardApplication;
import io.switchboard.core.campaigns.Send;
import io.switchboard.db.Ids;
import io.switchboard.db.SendDao;
import io.switchboard.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The queue table itself: concurrent claims, lease expiry and lease ownership, graceful release. */
class SendQueueTest {
    static Jdbi jdbi;
    static long company;
    static String campaign;

    @BeforeAll
    static void db() {
        String url = TestDatabase.newDatabase();
        jdbi = SwitchboardApplication.newJdbi(Jdbi.create(url, "postgres", ""), Jackson.newObjectMapper());
        company = jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES ('QUEUE1', 'q') RETURNING id")
                .mapTo(Long.class).one());
        campaign = jdbi.withHandle(h -> h.createQuery("INSERT INTO campaigns (company_id, id, name, channel) "
                + "VALUES (:c, :id, 'c', 'webhook') RETURNING id").bind("c", company).bind("id", Ids.newId()).mapTo(String.class).one());
    }

    static List<String> enqueue(int n, String tag) {
        List<String> ids = new ArrayList<>();
        jdbi.useHandle(h -> {
            for (int i = 0; i < n; i++) {
                ids.add(h.createQuery("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, context) "
                        + "VALUES (:c, :id, :cid, :p, 'webhook', '{}') RETURNING id").bind("c", company).bind("cid", campaign)
                        .bind("id", Ids.newId()).bind("p", tag + i).mapTo(String.class).one());
            }
        });
        return ids;
    }

    @Test
    void concurrentWorkersNeverClaimTheSameSend() throws Exception {
        List<String> ids = enqueue(300, "conc-");
        int workers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Send>>> results = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String worker = "worker-" + w;
            results.add(pool.submit(() -> {
                start.await();
                List<Send> mine = new ArrayList<>();
                while (true) {
                    List<Send> batch = jdbi.withExtension(SendDao.class, d -> d.claim(worker, 60, 7, 500));
                    if (batch.isEmpty()) return mine;
                    mine.addAll(batch);
                }
            }));
        }
        start.countDown();
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (Future<List<Send>> f : results) {
            for (Send s : f.get()) {
                total++;
                assertThat(seen.add(s.id())).as("send %d claimed twice", s.id()).isTrue();
                assertThat(s.state()).isEqualTo("sending");
                assertThat(s.attempts()).isEqualTo(1);
            }
        }
        pool.shutdown();
        assertThat(total).isEqualTo(ids.size());
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
        // each row records exactly the worker that got it
        long mismatched = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM sends WHERE company_id = :c AND "
                + "profile_id LIKE 'conc-%' AND (state <> 'sending' OR claimed_by IS NULL)").bind("c", company)
                .mapTo(Long.class).one());
        assertThat(mismatched).isZero();
    }

    @Test
    void anExpiredLeaseIsReclaimedAndTheOldOwnerCanNoLongerWrite() {
        String id = enqueue(1, "lease-").get(0);
        List<Send> first = jdbi.withExtension(SendDao.class, d -> d.claim("slow", 0.2, 100, 500)).stream()
                .filter(s -> s.id().equals(id)).toList();
        assertThat(first).hasSize(1);
        assertThat(jdbi.withExtension(SendDao.class, d -> d.claim("other", 60, 100, 500)).stream().anyMatch(s -> s.id().equals(id)))
                .as("still leased").isFalse();
        DeliveryKitSleep.sleep(400);
        List<Send> second = jdbi.withExtension(SendDao.class, d -> d.claim("rescuer", 60, 100, 500)).stream()
                .filter(s -> s.id().equals(id)).toList();
        assertThat(second).hasSize(1);
        assertThat(second.get(0).attempts()).isEqualTo(2);
        // the slow worker finally answers: its outcome is not recorded over the rescuer's lease
        int late = jdbi.withExtension(SendDao.class, d -> d.markSent(company, id, "slow", null, "late"));
        int rescued = jdbi.withExtension(SendDao.class, d -> d.markSent(company, id, "rescuer", null, "ok"));
        assertThat(late).isZero();
        assertThat(rescued).isEqualTo(1);
        Send done = jdbi.withExtension(SendDao.class, d -> d.find(company, id)).orElseThrow();
        assertThat(done.state()).isEqualTo("sent");
        assertThat(done.providerMessageId()).isEqualTo("ok");
    }

    @Test
    void stoppingWorkersReturnsUnprocessedClaimsToTheQueue() throws Exception {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sends SET state = 'aborted' WHERE company_id = :c AND state IN "
                + "('pending', 'sending')").bind("c", company).execute());
        List<String> ids = enqueue(5, "stop-");
        CountDownLatch inFlight = new CountDownLatch(1);
        Set<String> processed = ConcurrentHashMap.newKeySet();
        SendProcessor slow = new SendProcessor(jdbi, null, null, null, null, null, 1, null, null, null) {
            @Override
            public void process(Send s, String worker) {
                processed.add(s.id());
                inFlight.countDown();
                DeliveryKitSleep.sleep(300);
                jdbi.useExtension(SendDao.class, d -> d.markSent(s.companyId(), s.id(), worker, null, "x"));
            }
        };
        DeliveryConfig cfg = new DeliveryConfig();
        cfg.setWorkers(1);
        cfg.setBatchSize(5);
        cfg.setPollInterval(Duration.milliseconds(20));
        cfg.setShutdownGrace(Duration.seconds(5));
        DeliveryWorkers workers = new DeliveryWorkers(jdbi, slow, cfg, List.of());
        workers.start();
        inFlight.await();
        workers.stop();
        assertThat(processed).hasSize(1);
        String sent = processed.iterator().next();
        for (String id : ids) {
            Send s = jdbi.withExtension(SendDao.class, d -> d.find(company, id)).orElseThrow();
            if (id.equals(sent)) {
                assertThat(s.state()).as("the send in hand finishes").isEqualTo("sent");
            } else {
                assertThat(s.state()).isEqualTo("pending");
                assertThat(s.claimedBy()).isNull();
                assertThat(s.attempts()).isZero();
                assertThat(s.nextAttemptAt()).isBeforeOrEqualTo(Instant.now());
            }
        }
    }

    /** Issue #11 finding 3: a claim is fair across companies and caps one company's sends in flight. */
    @Test
    void claimsAreRoundRobinAcrossCompaniesAndCapOneCompanysInFlight() {
        Object[] flood = newCompany("FLOOD1");
        Object[] quiet = newCompany("QUIET1");
        Object[] third = newCompany("THIRD1");
        jdbi.useHandle(h -> {
            for (int i = 0; i < 50; i++) {
                h.execute("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, next_attempt_at) "
                        + "VALUES (?, ?, ?, ?, 'webhook', now() - interval '1 minute')", flood[0], Ids.newId(), flood[1], "f" + i);
            }
            h.execute("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel) VALUES (?, ?, ?, 'q', 'webhook')",
                    quiet[0], Ids.newId(), quiet[1]);
            h.execute("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel) VALUES (?, ?, ?, 't', 'webhook')",
                    third[0], Ids.newId(), third[1]);
        });
        // one claim of 5 with a cap of 4: the quiet companies' sends are in it although 50 older ones wait
        List<Send> first = DeliveryWorkers.roundRobin(jdbi.withExtension(SendDao.class, d -> d.claim("w1", 60, 5, 4)))
                .stream().filter(x -> x.companyId() == (long) flood[0] || x.companyId() == (long) quiet[0] || x.companyId() == (long) third[0]).toList();
        assertThat(first.stream().filter(x -> x.companyId() == (long) quiet[0])).hasSize(1);
        assertThat(first.stream().filter(x -> x.companyId() == (long) third[0])).hasSize(1);
        assertThat(first.stream().filter(x -> x.companyId() == (long) flood[0]).count()).isBetween(1L, 3L);
        // round-robin order: the flooding company does not take the first two turns
        assertThat(first.get(0).companyId() == (long) flood[0] && first.get(1).companyId() == (long) flood[0]).isFalse();
        // the flood's in-flight sends count against the cap across workers: a second worker gets at most the rest
        long floodInFlight = first.stream().filter(x -> x.companyId() == (long) flood[0]).count();
        List<Send> second = jdbi.withExtension(SendDao.class, d -> d.claim("w2", 60, 100, 4)).stream()
                .filter(x -> x.companyId() == (long) flood[0]).toList();
        assertThat(second).hasSize((int) (4 - floodInFlight));
        assertThat(jdbi.withExtension(SendDao.class, d -> d.claim("w3", 60, 100, 4)).stream()
                .filter(x -> x.companyId() == (long) flood[0])).isEmpty();
        // a finished send frees a place
        Send done = second.get(0);
        jdbi.useExtension(SendDao.class, d -> d.markSent(done.companyId(), done.id(), "w2", null, "x"));
        assertThat(jdbi.withExtension(SendDao.class, d -> d.claim("w3", 60, 100, 4)).stream()
                .filter(x -> x.companyId() == (long) flood[0])).hasSize(1);
    }

    /** A company and a campaign of it: {company id, campaign id}. */
    static Object[] newCompany(String publicId) {
        long c = jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES (:p, 'q') RETURNING id")
                .bind("p", publicId).mapTo(Long.class).one());
        String cid = Ids.newId();
        jdbi.useHandle(h -> h.execute("INSERT INTO campaigns (company_id, id, name, channel) VALUES (?, ?, 'c', 'webhook')", c, cid));
        return new Object[] {c, cid};
    }

    /** Tiny sleep helper (no app fixture in this class). */
    static final class DeliveryKitSleep {
        static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
