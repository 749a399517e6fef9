package io.switchboard.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.SwitchboardApplication;
import io.switchboard.auth.Caller;
import io.switchboard.core.GroupCommit;
import io.switchboard.core.Tx;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.ProfileRef;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group-commit read-ahead of identifier owners ({@code IdentityService.readAhead}, the {@code OwnerSnapshot}
 * of the ingestion handler's batch context):
 * an event of a known person resolves without the full identity path, and that must never give a
 * different answer from the full path — not when an earlier unit of the same batch merged or released
 * identifiers, and not when another transaction merges or deletes the person meanwhile.
 *
 * <p>Units are put into one batch deliberately: one committer, held by a blocking unit while the units
 * under test queue up behind it.
 */
class BatchReadAheadTest {
    static final WriteContext CTX = new WriteContext(new Caller(0, "TEST00", Caller.Kind.SECRET, "1", "sk_test0").credentialLabel(), "test");
    static final AtomicLong SEQ = new AtomicLong();
    static Jdbi jdbi;
    /** Sees the raw SQL of every statement while set (see setUp). */
    static volatile java.util.function.Consumer<String> STATEMENTS;
    static IdentityService identity;
    static GroupCommit groupCommit;
    static IngestService ingest;
    long company;

    @BeforeAll
    static void setUp() {
        jdbi = SwitchboardApplication.newJdbi(Jdbi.create(TestDatabase.newDatabase(), "postgres", ""),
                new com.fasterxml.jackson.databind.ObjectMapper());
        // installed before the committer opens its handle (which it keeps across batches: a logger set later
        // would not reach it); tests count statements through STATEMENTS
        jdbi.setSqlLogger(new org.jdbi.v3.core.statement.SqlLogger() {
            @Override
            public void logBeforeExecution(org.jdbi.v3.core.statement.StatementContext ctx) {
                java.util.function.Consumer<String> c = STATEMENTS;
                if (c != null) c.accept(ctx.getRawSql());
            }
        });
        Tx tx = new Tx(jdbi);
        groupCommit = new GroupCommit(jdbi, tx, new GroupCommit.Options(1, 64, 200, Duration.ZERO, 1000));
        identity = new IdentityService(tx, id -> CompanySettings.DEFAULTS, groupCommit); // client upserts batch too
        identity.addListener(new ProfileDataListener());
        ingest = new IngestService(tx, identity, Duration.ofDays(7), Duration.ofDays(1)).withGroupCommit(groupCommit);
    }

    @AfterAll
    static void tearDown() {
        groupCommit.close();
    }

    @BeforeEach
    void newCompany() {
        String pid = String.format("R%05d", SEQ.incrementAndGet());
        company = jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES (:p, 'test') RETURNING id")
                .bind("p", pid).mapTo(Long.class).one());
    }

    // ---- helpers

    static IngestOp event(Identifiers ids, String name) {
        return IngestOp.resolving(ids, ProfileWrite.NONE, WriteMode.NORMAL, List.of(new IngestOp.Event("track", name,
                null, null, null, Instant.now(), "test", null, null, false)));
    }

    static IngestOp identify(Identifiers ids) {
        return IngestOp.resolving(ids, ProfileWrite.NONE, WriteMode.NORMAL, List.of());
    }

    String identifyNow(Identifiers ids) {
        return identity.identify(company, ids, ProfileWrite.NONE, WriteMode.NORMAL, CTX).profileId();
    }

    /** Runs the requests (one op list each) as units of ONE group-commit batch, in this order. */
    List<IngestService.Result> oneBatch(List<List<IngestOp>> requests) throws Exception {
        List<IngestService.Result> out = new ArrayList<>();
        for (var f : oneBatchAnswers(requests)) out.add(f.get(10, TimeUnit.SECONDS));
        return out;
    }

    /** As {@link #oneBatch}, answering with each request's future, completed (a unit may have failed). */
    List<CompletableFuture<IngestService.Result>> oneBatchAnswers(List<List<IngestOp>> requests) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> blocker = groupCommit.submit(h -> {
            running.countDown();
            await(release);
            return null;
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<IngestService.Result>> futures = new ArrayList<>();
        for (List<IngestOp> ops : requests) {
            futures.add(ingest.ingestAsync(company, CTX, null, ops, Instant.now()));
        }
        long batchesBefore = groupCommit.stats().batches();
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        for (var f : futures) {
            try {
                f.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // that unit's own failure: the caller looks at it
            }
        }
        assertThat(groupCommit.stats().batches() - batchesBefore).as("the requests shared one batch").isEqualTo(1);
        return futures;
    }

    static void await(CountDownLatch l) {
        try {
            if (!l.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("latch timed out");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    String eventOwner(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT profile_id FROM events WHERE company_id = :c AND name = :n")
                .bind("c", company).bind("n", name).mapTo(String.class).one());
    }

    String liveOwnerOf(String kind, String value) {
        return jdbi.withHandle(h -> h.createQuery("SELECT i.profile_id FROM profile_identifiers i JOIN profiles p "
                        + "ON p.company_id = i.company_id AND p.id = i.profile_id WHERE i.company_id = :c AND i.kind = :k "
                        + "AND i.value = :v AND p.merged_into IS NULL")
                .bind("c", company).bind("k", kind).bind("v", value).mapTo(String.class).findOne().orElse(null));
    }

    // ---- tests

    @Test
    void eventsOfKnownAndNewPeopleInOneBatchLandOnTheRightProfiles() throws Exception {
        String ada = identifyNow(Identifiers.of("ada", "ada@example.com", null, null));
        List<IngestService.Result> r = oneBatch(List.of(
                List.of(event(Identifiers.of("ada", null, null, null), "E1")),
                List.of(event(Identifiers.of(null, "ada@example.com", null, null), "E2")),
                List.of(event(Identifiers.of("bob", null, null, null), "E3")),
                List.of(event(Identifiers.of("bob", null, null, null), "E4"))));
        assertThat(eventOwner("E1")).isEqualTo(ada);
        assertThat(eventOwner("E2")).isEqualTo(ada);
        String bob = liveOwnerOf("external_id", "bob");
        assertThat(bob).isNotNull().isNotEqualTo(ada);
        assertThat(eventOwner("E3")).isEqualTo(bob);
        assertThat(eventOwner("E4")).isEqualTo(bob);
        assertThat(r.get(0).profileIds()).containsExactly(ada);
        assertThat(r.get(2).profileIds()).containsExactly(bob);
        // an identifier known to two different people is not a known person: the full path decides
        oneBatch(List.of(List.of(event(Identifiers.of("bob", "ada@example.com", null, null), "E5"))));
        assertThat(eventOwner("E5")).isEqualTo(bob);
    }

    @Test
    void aMergeEarlierInTheSameBatchIsSeenByALaterEventOfTheMergedPerson() throws Exception {
        String named = identifyNow(Identifiers.of("u1", null, null, null));
        String anonymous = identifyNow(Identifiers.of(null, null, null, "a1"));
        assertThat(named).isNotEqualTo(anonymous);
        oneBatch(List.of(
                List.of(identify(Identifiers.of("u1", null, null, "a1"))),   // merges the anonymous profile into u1's
                List.of(event(Identifiers.of(null, null, null, "a1"), "After"))));
        assertThat(liveOwnerOf("anonymous_id", "a1")).isEqualTo(named);
        assertThat(eventOwner("After")).as("the survivor, not the tombstone read ahead").isEqualTo(named);
    }

    @Test
    void twoIdentifiesInOneBatchNamingTheSameEmailEndInOneProfile() throws Exception {
        String named = identifyNow(Identifiers.of("u1", null, null, null));
        String byEmail = identifyNow(Identifiers.of(null, "e@example.com", null, null));
        assertThat(named).isNotEqualTo(byEmail);
        List<IngestService.Result> r = oneBatch(List.of(
                List.of(identify(Identifiers.of("u1", "e@example.com", null, null))), // merges e@'s profile into u1's
                List.of(identify(Identifiers.of(null, "e@example.com", null, null)))));
        assertThat(liveOwnerOf("email", "e@example.com")).isEqualTo(named);
        assertThat(r.get(0).profileIds()).containsExactly(named);
        assertThat(r.get(1).profileIds()).as("the survivor, not the tombstone read ahead").containsExactly(named);
        long live = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM profiles WHERE company_id = :c "
                + "AND merged_into IS NULL").bind("c", company).mapTo(Long.class).one());
        assertThat(live).as("one person").isEqualTo(1);
    }

    @Test
    void aMergeByAnotherKindOfUnitEarlierInTheSameBatchIsSeenByALaterEvent() throws Exception {
        String named = identifyNow(Identifiers.of("u1", null, null, null));
        String anonymous = identifyNow(Identifiers.of(null, null, null, "a1"));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> blocker = groupCommit.submit(h -> {
            running.countDown();
            await(release);
            return null;
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        // a client profile upsert (a unit of another handler) merges a1's profile into u1's, then an event of a1
        var upsert = identity.clientUpsertAsync(company, CTX, new io.switchboard.core.identity.ClientProfileWrite(
                Identifiers.of("u1", null, null, "a1"), ProfileWrite.NONE, null, null));
        var ev = ingest.ingestAsync(company, CTX, null, List.of(event(Identifiers.of(null, null, null, "a1"), "After")),
                Instant.now());
        long batchesBefore = groupCommit.stats().batches();
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        assertThat(upsert.get(10, TimeUnit.SECONDS).profileId()).isEqualTo(named);
        ev.get(10, TimeUnit.SECONDS);
        assertThat(groupCommit.stats().batches() - batchesBefore).as("one batch").isEqualTo(1);
        assertThat(liveOwnerOf("anonymous_id", "a1")).isEqualTo(named);
        assertThat(eventOwner("After")).as("the survivor, not the tombstone").isEqualTo(named).isNotEqualTo(anonymous);
    }

    static IngestOp identifyWith(Identifiers ids, String firstName) {
        return IngestOp.resolving(ids, ProfileWrite.builder()
                .attribute("first_name", com.fasterxml.jackson.databind.node.TextNode.valueOf(firstName)).build(),
                WriteMode.NORMAL, List.of());
    }

    String attribute(String profileId, String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT attributes->>:k FROM profiles WHERE company_id = :c AND id = :id")
                .bind("k", key).bind("c", company).bind("id", profileId).mapTo(String.class).one());
    }

    @Test
    void identifiesThatWriteAttributesAreReadAheadTooAndSkipTheirOwnFirstLookUp() throws Exception {
        String known1 = identifyNow(Identifiers.of("k1", "k1@example.com", null, null));
        String known2 = identifyNow(Identifiers.of("k2", null, null, null));
        String known3 = identifyNow(Identifiers.of(null, "k3@example.com", null, null));
        List<List<IngestService.Result>> batch = new ArrayList<>();
        int ownerLookups = countingStatements(
                sql -> sql.startsWith("SELECT i.kind, i.value, i.profile_id FROM unnest("), // ProfileDao.owners
                () -> batch.add(oneBatch(List.of(
                    List.of(identifyWith(Identifiers.of("k1", null, null, null), "Ada")),          // known, attributes
                    List.of(identifyWith(Identifiers.of(null, "new@example.com", null, null), "Bo")), // new person
                    List.of(identifyWith(Identifiers.of("k2", "k2@example.com", null, null), "Cy")),  // known + new email
                    List.of(event(Identifiers.of(null, "k3@example.com", null, null), "Seen"))))));
        List<IngestService.Result> r = batch.get(0);
        // the batch looks its owners up twice (the second time under its FOR UPDATE lock) and no unit needs
        // a look-up of its own; before, every identify looked its owners up, then again under its own lock (6)
        assertThat(ownerLookups).isEqualTo(2);
        assertThat(r.get(0).profileIds()).containsExactly(known1);
        assertThat(r.get(2).profileIds()).containsExactly(known2);
        String created = r.get(1).profileIds().get(0);
        assertThat(created).isNotIn(known1, known2);
        assertThat(attribute(known1, "first_name")).isEqualTo("Ada");
        assertThat(attribute(created, "first_name")).isEqualTo("Bo");
        assertThat(attribute(known2, "first_name")).isEqualTo("Cy");
        assertThat(liveOwnerOf("email", "new@example.com")).isEqualTo(created);
        assertThat(liveOwnerOf("email", "k2@example.com")).isEqualTo(known2);
        assertThat(eventOwner("Seen")).isEqualTo(known3);
    }

    static IngestOp identifyWithAttribute(Identifiers ids, String key, String value) {
        return IngestOp.resolving(ids, ProfileWrite.builder()
                .attribute(key, com.fasterxml.jackson.databind.node.TextNode.valueOf(value)).build(),
                WriteMode.NORMAL, List.of());
    }

    /** Runs {@code body}, counting the statements whose raw SQL {@code which} accepts. */
    int countingStatements(java.util.function.Predicate<String> which, java.util.concurrent.Callable<?> body)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        STATEMENTS = sql -> {
            if (which.test(sql)) n.incrementAndGet();
        };
        try {
            body.call();
        } finally {
            STATEMENTS = null;
        }
        return n.get();
    }

    @Test
    void knownPeopleAreLockedOnceForTheBatchAndASecondWriteOfOnePersonSeesTheFirst() throws Exception {
        String k1 = identifyNow(Identifiers.of("k1", null, null, null));
        String k2 = identifyNow(Identifiers.of("k2", null, null, null));
        List<List<IngestService.Result>> r = new ArrayList<>();
        int locks = countingStatements(sql -> sql.contains("FOR UPDATE OF p"), () -> r.add(oneBatch(List.of(
                List.of(identifyWithAttribute(Identifiers.of("k1", null, null, null), "first_name", "Ada")),
                List.of(identifyWithAttribute(Identifiers.of("k2", null, null, null), "first_name", "Cy")),
                List.of(identifyWithAttribute(Identifiers.of("k1", null, null, null), "last_name", "Lovelace"))))));
        // the batch locks k1 and k2 once and their first units take those rows; k1's second unit must not take
        // the row as read before its first unit wrote it: it locks and reads it again. Before, every unit
        // locked its person again (4 in all)
        assertThat(locks).isEqualTo(2);
        assertThat(r.get(0).get(0).profileIds()).containsExactly(k1);
        assertThat(r.get(0).get(2).profileIds()).containsExactly(k1);
        assertThat(attribute(k1, "first_name")).as("the first unit's write, kept by the second").isEqualTo("Ada");
        assertThat(attribute(k1, "last_name")).isEqualTo("Lovelace");
        assertThat(attribute(k2, "first_name")).isEqualTo("Cy");
    }

    @Test
    void aNewPersonIsOneStatementWithItsClaimsAndItsHistoryRecord() throws Exception {
        List<List<IngestService.Result>> r = new ArrayList<>();
        int writes = countingStatements(sql -> sql.contains("INSERT INTO profiles")
                        || sql.contains("INSERT INTO profile_identifiers") || sql.contains("INSERT INTO identity_history"),
                () -> r.add(oneBatch(List.of(List.of(
                        identifyWith(Identifiers.of("n1", "n1@example.com", null, null), "Nia"))))));
        assertThat(writes).as("profile, claims and history in one statement (before: three)").isEqualTo(1);
        String p = r.get(0).get(0).profileIds().get(0);
        assertThat(liveOwnerOf("external_id", "n1")).isEqualTo(p);
        assertThat(liveOwnerOf("email", "n1@example.com")).isEqualTo(p);
        assertThat(attribute(p, "first_name")).isEqualTo("Nia");
        String history = jdbi.withHandle(h -> h.createQuery("SELECT operation || ' ' || rule || ' ' || identifiers::text "
                + "FROM identity_history WHERE company_id = :c AND survivor_id = :p").bind("c", company).bind("p", p)
                .mapTo(String.class).one());
        assertThat(history).startsWith("create new_identifiers ").contains("n1@example.com").contains("\"n1\"");
    }

    @Test
    void aUnitThatFailsAfterWritingAPersonLeavesTheNextUnitTheRowAsCommittedBefore() throws Exception {
        String k1 = identifyNow(Identifiers.of("k1", null, null, null));
        // the first request writes k1's first name, then fails on its second item (no usable identifier): its
        // write is rolled back; the second request writes k1's last name in the same batch
        var answers = oneBatchAnswers(List.of(
                List.of(identifyWithAttribute(Identifiers.of("k1", null, null, null), "first_name", "Rolled back"),
                        identify(Identifiers.of(null, null, null, null))),
                List.of(identifyWithAttribute(Identifiers.of("k1", null, null, null), "last_name", "Kept"))));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> answers.get(0).get())
                .hasCauseInstanceOf(io.switchboard.errors.ApiException.class);
        assertThat(answers.get(1).get().profileIds()).containsExactly(k1);
        assertThat(attribute(k1, "first_name")).as("the failed request wrote nothing").isNull();
        assertThat(attribute(k1, "last_name")).isEqualTo("Kept");
    }

    @Test
    void aMergeCommittedWhileTheBatchWaitsSendsAnIdentifyWithAttributesToTheSurvivor() throws Exception {
        // the batch's first look sees a1 owned by the anonymous profile; its lock waits for the merge
        MergeRace r = mergeCommittedWhileTheBatchWaits(identifyWith(Identifiers.of(null, null, null, "a1"), "Merged"));
        assertThat(r.result().profileIds()).containsExactly(r.named());
        assertThat(attribute(r.named(), "first_name")).isEqualTo("Merged");
        assertThat(attribute(r.anonymous(), "first_name")).isNull();
    }

    @Test
    void twoBatchesIdentifyingTheSamePeopleAtOnceDoNotDeadlock() throws Exception {
        // two committers (as two servers would have), each holding a batch of identifies that write
        // attributes of the same five people, in opposite orders, released at the same moment. Settled owners
        // locked FOR KEY SHARE and upgraded by the units deadlocked here (PostgreSQL aborts one after
        // deadlock_timeout and the batch is re-run); locked FOR UPDATE in id order up front, one waits
        Tx tx = new Tx(jdbi);
        GroupCommit second = new GroupCommit(jdbi, tx, new GroupCommit.Options(1, 64, 200, Duration.ZERO, 1000));
        IdentityService identity2 = new IdentityService(tx, id -> CompanySettings.DEFAULTS, second);
        IngestService ingest2 = new IngestService(tx, identity2, Duration.ofDays(7), Duration.ofDays(1)).withGroupCommit(second);
        try {
            List<String> people = new ArrayList<>();
            for (int i = 0; i < 5; i++) people.add(identifyNow(Identifiers.of("d" + i, null, null, null)));
            long rerunsBefore = groupCommit.stats().reruns() + second.stats().reruns();
            CountDownLatch running = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Object>> blockers = new ArrayList<>();
            for (GroupCommit gc : List.of(groupCommit, second)) {
                blockers.add(gc.submit(h -> {
                    running.countDown();
                    await(release);
                    return null;
                }));
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<IngestService.Result>> all = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                all.add(ingest.ingestAsync(company, CTX, null,
                        List.of(identifyWith(Identifiers.of("d" + i, null, null, null), "A" + i)), Instant.now()));
                all.add(ingest2.ingestAsync(company, CTX, null,
                        List.of(identifyWith(Identifiers.of("d" + (4 - i), null, null, null), "B" + (4 - i))), Instant.now()));
            }
            release.countDown();
            for (var b : blockers) b.get(10, TimeUnit.SECONDS);
            for (var f : all) f.get(20, TimeUnit.SECONDS);
            assertThat(groupCommit.stats().reruns() + second.stats().reruns() - rerunsBefore)
                    .as("no batch re-run after a deadlock").isZero();
            for (int i = 0; i < 5; i++) {
                assertThat(attribute(people.get(i), "first_name")).isIn("A" + i, "B" + i);
            }
        } finally {
            second.close();
        }
    }

    @Test
    void anIdentifyAfterAnEarlierUnitClaimedItsEmailInTheSameBatchJoinsThatPerson() throws Exception {
        List<IngestService.Result> r = oneBatch(List.of(
                List.of(identifyWith(Identifiers.of(null, "same@example.com", null, null), "First")),   // creates
                List.of(identifyWith(Identifiers.of(null, "same@example.com", null, null), "Second")))); // read ahead as unowned
        assertThat(r.get(1).profileIds()).as("not a second person: the read-ahead is stale for a touched email")
                .isEqualTo(r.get(0).profileIds());
        String p = r.get(0).profileIds().get(0);
        assertThat(attribute(p, "first_name")).isEqualTo("Second");
        long live = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM profiles WHERE company_id = :c "
                + "AND merged_into IS NULL").bind("c", company).mapTo(Long.class).one());
        assertThat(live).isEqualTo(1);
    }

    @Test
    void anIdentifierReleasedEarlierInTheSameBatchIsNotUsedByALaterEvent() throws Exception {
        String u1 = identifyNow(Identifiers.of("u1", "old@example.com", null, null));
        oneBatch(List.of(
                List.of(identify(Identifiers.of("u1", "new@example.com", null, null))),  // replaces (releases) old@
                List.of(event(Identifiers.of(null, "old@example.com", null, null), "ToOld"))));
        assertThat(liveOwnerOf("email", "new@example.com")).isEqualTo(u1);
        String old = liveOwnerOf("email", "old@example.com");
        assertThat(old).as("old@ now belongs to a new person").isNotNull().isNotEqualTo(u1);
        assertThat(eventOwner("ToOld")).isEqualTo(old);
    }

    @Test
    void aMergeCommittedWhileTheBatchWaitsSendsTheEventToTheSurvivor() throws Exception {
        MergeRace r = mergeCommittedWhileTheBatchWaits(event(Identifiers.of(null, null, null, "a1"), "During"));
        assertThat(eventOwner("During")).isEqualTo(r.named()).isNotEqualTo(r.anonymous());
    }

    record MergeRace(String named, String anonymous, IngestService.Result result) {}

    /**
     * Another transaction merges a1's profile into u1's and holds its locks while {@code op} is submitted
     * (whose read-ahead must wait for it), then commits; returns both profiles and {@code op}'s result.
     */
    MergeRace mergeCommittedWhileTheBatchWaits(IngestOp op) throws Exception {
        String named = identifyNow(Identifiers.of("u1", null, null, null));
        String anonymous = identifyNow(Identifiers.of(null, null, null, "a1"));
        CountDownLatch merged = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<Void> merger = CompletableFuture.runAsync(() -> jdbi.useTransaction(h -> {
            identity.resolve(h, company, Identifiers.of("u1", null, null, "a1"), ProfileWrite.NONE, WriteMode.NORMAL, CTX);
            merged.countDown();
            await(commit);
        }));
        assertThat(merged.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<IngestService.Result> f = ingest.ingestAsync(company, CTX, null, List.of(op), Instant.now());
        Thread.sleep(300);
        assertThat(f).as("the read-ahead waits for the merging transaction").isNotDone();
        commit.countDown();
        merger.get(10, TimeUnit.SECONDS);
        return new MergeRace(named, anonymous, f.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aDeletionWaitsForTheBatchAndThenTakesItsEventsToo() throws Exception {
        String u1 = identifyNow(Identifiers.of("u1", null, null, null));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Object> blocker = groupCommit.submit(h -> {
            running.countDown();
            await(release);
            return null;
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        // the batch: u1's event (read ahead, FOR KEY SHARE), then a unit that pauses before the commit
        CompletableFuture<IngestService.Result> ev = ingest.ingestAsync(company, CTX, null,
                List.of(event(Identifiers.of("u1", null, null, null), "Doomed")), Instant.now());
        CompletableFuture<Object> pause = groupCommit.submit(h -> {
            inBatch.countDown();
            await(finish);
            return null;
        });
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        assertThat(inBatch.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> deletion = CompletableFuture.supplyAsync(() ->
                identity.delete(company, CTX, ProfileRef.byId(u1)).isPresent());
        Thread.sleep(300);
        assertThat(deletion).as("the deletion waits for the batch holding u1").isNotDone();
        finish.countDown();
        pause.get(10, TimeUnit.SECONDS);
        ev.get(10, TimeUnit.SECONDS);
        assertThat(deletion.get(10, TimeUnit.SECONDS)).isTrue();
        long left = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM events WHERE company_id = :c")
                .bind("c", company).mapTo(Long.class).one());
        assertThat(left).as("the acknowledged event was deleted with the person").isZero();
    }

    @Test
    void aDeletionCommittedBeforeTheBatchMakesTheEventANewPerson() throws Exception {
        String u1 = identifyNow(Identifiers.of("u1", null, null, null));
        boolean deleted = identity.delete(company, CTX, ProfileRef.byId(u1)).isPresent();
        assertThat(deleted).isTrue();
        oneBatch(List.of(List.of(event(Identifiers.of("u1", null, null, null), "Reborn"))));
        String now = liveOwnerOf("external_id", "u1");
        assertThat(now).isNotNull().isNotEqualTo(u1);
        assertThat(eventOwner("Reborn")).isEqualTo(now);
    }
}
