package io.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Group commit against a real PostgreSQL: batching, per-caller outcomes, commit-before-ack, races, shutdown. */
class GroupCommitTest {
    static Jdbi jdbi;
    static Tx tx;
    GroupCommit gc;

    @BeforeAll
    static void setUp() {
        // pooled like the server (a new connection per batch would dominate the timings)
        org.apache.tomcat.jdbc.pool.PoolProperties pp = new org.apache.tomcat.jdbc.pool.PoolProperties();
        pp.setUrl(TestDatabase.newDatabase());
        pp.setDriverClassName("org.postgresql.Driver");
        pp.setUsername("postgres");
        pp.setPassword("");
        pp.setMaxActive(40);
        pp.setMaxIdle(40);
        pp.setDefaultAutoCommit(true);
        jdbi = Jdbi.create(new org.apache.tomcat.jdbc.pool.DataSource(pp));
        tx = new Tx(jdbi);
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE gc_rows (id text PRIMARY KEY, caller int NOT NULL)");
            h.execute("CREATE TABLE gc_counters (k text PRIMARY KEY, n int NOT NULL)");
            // fails only at COMMIT: a deferred constraint trigger rejecting the value 'bad-at-commit'
            h.execute("""
                    CREATE FUNCTION gc_reject() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF NEW.id LIKE 'bad-at-commit%' THEN RAISE EXCEPTION 'rejected at commit'; END IF;
                      RETURN NEW;
                    END $$""");
            h.execute("CREATE CONSTRAINT TRIGGER gc_reject AFTER INSERT ON gc_rows "
                    + "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gc_reject()");
        });
    }

    @BeforeEach
    void clean() {
        jdbi.useHandle(h -> h.execute("TRUNCATE gc_rows, gc_counters"));
    }

    @AfterEach
    void close() {
        if (gc != null) gc.close();
    }

    static GroupCommit.Options opts(int committers, int maxBatch) {
        return new GroupCommit.Options(committers, maxBatch, Duration.ZERO, 10_000);
    }

    static String insert(Handle h, String id, int caller) {
        h.execute("INSERT INTO gc_rows (id, caller) VALUES (?, ?)", id, caller);
        return id;
    }

    static long rows(String where) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM gc_rows WHERE " + where).mapTo(Long.class).one());
    }

    static boolean visibleElsewhere(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM gc_rows WHERE id = ?").bind(0, id)
                .mapTo(Long.class).one()) == 1;
    }

    /** Holds the single committer inside a unit until released, so the next submissions form one batch. */
    CountDownLatch block(GroupCommit g) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        g.submit(h -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void manyThreadsEachGetTheirOwnResultOnlyAfterCommit() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(3, 64));
        int threads = 24;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger notVisible = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int caller = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    String id = caller + "-" + i;
                    String got = gc.run(h -> insert(h, id, caller));
                    assertThat(got).isEqualTo(id);
                    // acknowledged means committed: another connection sees the row right away
                    if (!visibleElsewhere(id)) notVisible.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(notVisible.get()).isZero();
        assertThat(rows("true")).isEqualTo((long) threads * perThread);
        GroupCommit.Stats s = gc.stats();
        assertThat(s.units()).isEqualTo((long) threads * perThread);
        assertThat(s.batches()).isLessThan(s.units()); // units did share commits
        assertThat(s.fallbacks()).isZero();
    }

    @Test
    void aFailingUnitDoesNotFailOrLoseTheOthersInItsBatch() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        CountDownLatch release = block(gc);
        List<CompletableFuture<String>> good = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "good-" + i;
            int caller = i;
            good.add(gc.submit(h -> insert(h, id, caller)));
        }
        CompletableFuture<String> bad = gc.submit(h -> {
            insert(h, "bad", 99);
            throw new IllegalArgumentException("unit 99 is invalid");
        });
        for (int i = 10; i < 20; i++) {
            String id = "good-" + i;
            int caller = i;
            good.add(gc.submit(h -> insert(h, id, caller)));
        }
        release.countDown();
        for (int i = 0; i < good.size(); i++) {
            assertThat(good.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("good-" + i);
        }
        assertThatThrownBy(() -> GroupCommit.await(bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unit 99 is invalid");
        assertThat(rows("id LIKE 'good-%'")).isEqualTo(20);
        assertThat(rows("id = 'bad'")).isZero();
        // the blocker, then all 21 in one batch: re-run once without the bad unit, which then ran alone
        assertThat(gc.stats().batches()).isEqualTo(2);
        assertThat(gc.stats().reruns()).isEqualTo(1);
        assertThat(gc.stats().fallbacks()).isZero();
    }

    @Test
    void aUnitWhoseCommitFailsIsReportedAsFailedAndTheOthersCommit() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        CountDownLatch release = block(gc);
        CompletableFuture<String> first = gc.submit(h -> insert(h, "a", 1));
        CompletableFuture<String> failsAtCommit = gc.submit(h -> insert(h, "bad-at-commit", 2));
        CompletableFuture<String> last = gc.submit(h -> insert(h, "b", 3));
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(last.get(10, TimeUnit.SECONDS)).isEqualTo("b");
        assertThatThrownBy(() -> GroupCommit.await(failsAtCommit))
                .hasRootCauseInstanceOf(SQLException.class).hasStackTraceContaining("rejected at commit");
        assertThat(rows("id IN ('a', 'b')")).isEqualTo(2);
        assertThat(rows("id LIKE 'bad%'")).isZero();
        assertThat(gc.stats().fallbacks()).isEqualTo(1);
    }

    @Test
    void unitsOfACommittedBatchAreAcknowledgedOnlyAfterTheCommit() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        CountDownLatch release = block(gc);
        CompletableFuture<String> first = gc.submit(h -> insert(h, "a", 1));
        CompletableFuture<Boolean> probe = gc.submit(h -> first.isDone() || visibleElsewhere("a"));
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(probe.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(gc.stats().fallbacks()).isZero();
    }

    @Test
    void retryableRacesAreRetriedAndEachUnitAppliesExactlyOnce() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(3, 16));
        int threads = 16;
        int perThread = 20;
        String[] keys = {"k0", "k1", "k2", "k3"};
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int caller = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    String k = keys[(caller + i) % keys.length];
                    // read-then-insert: concurrent batches race on the same key (23505 → retry)
                    gc.run(h -> {
                        int n = h.createQuery("SELECT count(*) FROM gc_counters WHERE k = ?").bind(0, k)
                                .mapTo(Integer.class).one();
                        if (n == 0) {
                            h.execute("INSERT INTO gc_counters (k, n) VALUES (?, 1)", k);
                        } else {
                            h.execute("UPDATE gc_counters SET n = n + 1 WHERE k = ?", k);
                        }
                        return null;
                    });
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        long total = jdbi.withHandle(h -> h.createQuery("SELECT coalesce(sum(n), 0) FROM gc_counters")
                .mapTo(Long.class).one());
        assertThat(total).isEqualTo((long) threads * perThread);
    }

    @Test
    void aUnitAskingForARetryRunsAgainAndSucceeds() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        CountDownLatch release = block(gc);
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> flaky = gc.submit(h -> {
            insert(h, "flaky-" + attempts.get(), 1);
            if (attempts.incrementAndGet() < 3) throw new Tx.Retry("saw a concurrent change");
            return "ok";
        });
        CompletableFuture<String> other = gc.submit(h -> insert(h, "other", 2));
        release.countDown();
        assertThat(flaky.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("other");
        // a race re-runs the shared transaction: attempts 1 and 2 roll back, 3 commits; only its row stays
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(rows("id LIKE 'flaky-%'")).isEqualTo(1);
        assertThat(rows("id = 'flaky-2'")).isEqualTo(1);
        assertThat(rows("id = 'other'")).isEqualTo(1);
    }

    @Test
    void shutdownDrainsWhatIsQueuedAndRefusesNewWork() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 8));
        CountDownLatch release = block(gc);
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = "q-" + i;
            int caller = i;
            queued.add(gc.submit(h -> insert(h, id, caller)));
        }
        Thread closer = new Thread(() -> gc.close(Duration.ofSeconds(30)));
        closer.start();
        Thread.sleep(50);
        CompletableFuture<String> late = gc.submit(h -> insert(h, "late", 0));
        release.countDown();
        closer.join(30_000);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("q-" + i);
        }
        assertThatThrownBy(() -> GroupCommit.await(late)).isInstanceOf(GroupCommit.Unavailable.class);
        assertThat(rows("id LIKE 'q-%'")).isEqualTo(100);
        assertThat(rows("id = 'late'")).isZero();
    }

    @Test
    void outcomesReachTheRightCallerUnderConcurrencyWithFailuresMixedIn() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(2, 32));
        int n = 300;
        Map<Integer, CompletableFuture<String>> futures = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int caller = i;
            done.add(pool.submit(() -> futures.put(caller, gc.submit(h -> {
                if (caller % 7 == 0) throw new IllegalStateException("caller " + caller);
                return insert(h, "c-" + caller, caller);
            }))));
        }
        for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        for (int i = 0; i < n; i++) {
            CompletableFuture<String> f = futures.get(i);
            if (i % 7 == 0) {
                int caller = i;
                assertThatThrownBy(() -> GroupCommit.await(f)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("caller " + caller);
            } else {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("c-" + i);
            }
        }
        assertThat(rows("true")).isEqualTo(n - (n + 6) / 7);
        // each row was written once, by its own caller
        assertThat(rows("id <> 'c-' || caller")).isZero();
    }

    @Test
    void afterCommitCallbacksRunOnlyForTheAttemptThatCommitted() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        CountDownLatch release = block(gc);
        List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger attempt = new AtomicInteger();
        CompletableFuture<String> good = gc.submit(h -> {
            int a = attempt.incrementAndGet();
            h.afterCommit(() -> ran.add("good-attempt-" + a));
            return insert(h, "cb-good", 1);
        });
        CompletableFuture<String> bad = gc.submit(h -> {
            h.afterCommit(() -> ran.add("bad"));
            throw new IllegalStateException("no");
        });
        release.countDown();
        assertThat(good.get(10, TimeUnit.SECONDS)).isEqualTo("cb-good");
        assertThatThrownBy(() -> GroupCommit.await(bad)).isInstanceOf(IllegalStateException.class);
        // the shared attempt was rolled back: only the re-run's callback ran
        assertThat(ran).containsExactly("good-attempt-2");
    }

    @Test
    void aCommitterKeepsWorkingAfterItsConnectionIsKilled() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        int pid = gc.run(h -> h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one());
        jdbi.useHandle(h -> h.createQuery("SELECT pg_terminate_backend(?)").bind(0, pid).mapTo(Boolean.class).one());
        // the committer's connection is gone: the unit is re-run on a fresh connection and succeeds
        String first = gc.run(h -> insert(h, "after-kill", 1));
        String second = gc.run(h -> insert(h, "after-kill-2", 1));
        assertThat(first).isEqualTo("after-kill");
        assertThat(second).isEqualTo("after-kill-2");
        assertThat(rows("id LIKE 'after-kill%'")).isEqualTo(2);
    }

    @Test
    void aBatchHoldsAtMostMaxWeightOfWork() throws Exception {
        gc = new GroupCommit(jdbi, tx, new GroupCommit.Options(1, 64, 10, Duration.ZERO, 10_000));
        CountDownLatch release = block(gc);
        List<CompletableFuture<String>> heavy = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "w-" + i;
            heavy.add(gc.submit(6, h -> insert(h, id, 0)));
        }
        release.countDown();
        for (CompletableFuture<String> f : heavy) f.get(10, TimeUnit.SECONDS);
        // 6 units of weight 6 with maxWeight 10: two per transaction (the second one tips it over)
        assertThat(gc.stats().batches()).isEqualTo(1 + 3);
        assertThat(rows("id LIKE 'w-%'")).isEqualTo(6);
    }

    @Test
    void severalFailingUnitsInOneBatchEachGetTheirOwnFailure() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        CountDownLatch release = block(gc);
        List<CompletableFuture<String>> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "m-" + i;
            boolean bad = i % 3 == 0;
            int caller = i;
            all.add(gc.submit(h -> {
                insert(h, id, caller);
                if (bad) throw new IllegalArgumentException("bad " + caller);
                return id;
            }));
        }
        release.countDown();
        for (int i = 0; i < 12; i++) {
            int caller = i;
            if (i % 3 == 0) {
                assertThatThrownBy(() -> GroupCommit.await(all.get(caller))).hasMessage("bad " + caller);
            } else {
                assertThat(all.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("m-" + i);
            }
        }
        assertThat(rows("id LIKE 'm-%'")).isEqualTo(8);
    }

    @Test
    void connectionErrorsAreAnUnknownOutcomeAndConstraintErrorsAreNot() {
        assertThat(GroupCommit.connectionError(new SQLException("gone", "08006"))).isTrue();
        assertThat(GroupCommit.connectionError(new RuntimeException(new java.io.IOException("reset")))).isTrue();
        assertThat(GroupCommit.connectionError(new SQLException("dup", "23505"))).isFalse();
        assertThat(GroupCommit.connectionError(new SQLException("ser", "40001"))).isFalse();
        assertThat(GroupCommit.connectionError(new IllegalStateException("unit bug"))).isFalse();
    }

    @Test
    void lingerOnlyAppliesUnderLoadAndStillBatches() throws Exception {
        gc = new GroupCommit(jdbi, tx, new GroupCommit.Options(2, 64, Duration.ofMillis(2), 10_000));
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            String id = "solo-" + i;
            gc.run(h -> insert(h, id, 0));
        }
        // sequential callers on an idle committer never wait the 2 ms
        assertThat(rows("id LIKE 'solo-%'")).isEqualTo(20);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
    /**
     * A typed handler: its units of one batch share one context (prepared once per attempt with exactly its
     * units, in submission order, right before they run), its deferred work runs once before the COMMIT, a
     * unit that throws is taken out and the others re-run with a fresh context, and the thrower runs alone
     * (its own context from {@code alone}) in its own transaction.
     */
    @Test
    void typedUnitsShareOneContextPerAttemptAndAFailingUnitRunsAloneWithItsOwn() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64));
        List<List<String>> prepared = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> alone = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger flushes = new AtomicInteger();
        BatchHandler<String, List<String>, String> rows = new BatchHandler<>() {
            @Override
            public List<String> prepare(Handle h, List<String> units) {
                prepared.add(List.copyOf(units));
                return new ArrayList<>();
            }

            @Override
            public List<String> alone(Handle h, String unit) {
                alone.add(unit);
                return new ArrayList<>();
            }

            @Override
            public String apply(Handle h, List<String> ctx, String unit) {
                if (unit.startsWith("bad") && !alone.contains(unit)) throw new IllegalArgumentException(unit);
                ctx.add(unit); // deferred: inserted by beforeCommit, all at once
                return unit + "!";
            }

            @Override
            public void beforeCommit(Handle h, List<String> ctx) {
                flushes.incrementAndGet();
                for (String id : ctx) insert(h, id, 0);
            }
        };
        CountDownLatch release = block(gc);
        CompletableFuture<String> a = gc.submit(1, rows, "a");
        CompletableFuture<Object> plain = gc.submit(h -> insert(h, "plain", 1));
        CompletableFuture<String> bad = gc.submit(1, rows, "bad");
        CompletableFuture<String> b = gc.submit(1, rows, "b");
        release.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("a!");
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("b!");
        assertThat(plain.get(10, TimeUnit.SECONDS)).isEqualTo("plain");
        assertThat(bad.get(10, TimeUnit.SECONDS)).as("alone, its own outcome").isEqualTo("bad!");
        assertThat(prepared).containsExactly(List.of("a", "bad", "b"), List.of("a", "b"));
        assertThat(alone).containsExactly("bad");
        assertThat(flushes.get()).as("once for the re-run batch, once for the unit alone").isEqualTo(2);
        assertThat(rows("id IN ('a', 'b', 'bad', 'plain')")).isEqualTo(4);
    }

    // --- answers off the committer: futures of a committed batch are completed by the answer threads ---

    /** Waits (up to 10 s) until another connection sees the row: its unit committed. */
    static boolean awaitCommitted(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (visibleElsewhere(id)) return true;
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * Submits a unit inserting {@code id} whose caller's callback blocks until {@code release}, and waits until
     * that callback is running (on whichever thread completes the futures). The committer must be held by
     * {@link #block} so the callback is attached before the unit commits.
     */
    CompletableFuture<Void> stuckCaller(String id, CountDownLatch release) throws Exception {
        CountDownLatch hold = block(gc);
        CountDownLatch inCallback = new CountDownLatch(1);
        CompletableFuture<Void> stuck = gc.submit(h -> insert(h, id, 0)).thenAccept(r -> {
            inCallback.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        hold.countDown();
        assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
        return stuck;
    }

    @Test
    void aCallerStuckInItsAnswerDoesNotHoldUpTheNextBatch() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64).withAnswerThreads(1)); // the default is 0 (the committer answers)
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> stuck = stuckCaller("first", release);
        // the first caller's callback (for a resource: writing its HTTP answer) is still running; the one
        // committer must commit the next batch regardless (before: it ran that callback itself, and waited)
        CompletableFuture<String> next = gc.submit(h -> insert(h, "next", 1));
        assertThat(awaitCommitted("next")).as("next batch committed while the first answer is stuck").isTrue();
        assertThat(stuck).isNotDone();
        release.countDown();
        assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("next");
        stuck.get(10, TimeUnit.SECONDS);
    }

    @Test
    void withTwoAnswerThreadsTheNextCallerIsAnsweredWhileAnotherIsStuck() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64).withAnswerThreads(2));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> stuck = stuckCaller("first", release);
        CompletableFuture<String> next = gc.submit(h -> insert(h, "next", 1));
        assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(stuck).isNotDone();
        release.countDown();
        stuck.get(10, TimeUnit.SECONDS);
    }

    @Test
    void whenTheAnswerThreadsAreFullTheCommitterAnswersItselfAndDropsNothing() throws Exception {
        // queueCapacity 2 also bounds the answers waiting for the (one, stuck) answer thread to 2 batches
        gc = new GroupCommit(jdbi, tx, new GroupCommit.Options(1, 64, Duration.ZERO, 2).withAnswerThreads(1));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> stuck = stuckCaller("first", release);
        CompletableFuture<String> b1 = gc.submit(h -> insert(h, "b1", 1));
        assertThat(awaitCommitted("b1")).isTrue();
        CompletableFuture<String> b2 = gc.submit(h -> insert(h, "b2", 2));
        assertThat(awaitCommitted("b2")).isTrue();
        // the answer queue is full: the committer completes this one inline, right after its commit
        CompletableFuture<String> b3 = gc.submit(h -> insert(h, "b3", 3));
        assertThat(b3.get(10, TimeUnit.SECONDS)).isEqualTo("b3");
        assertThat(b1).isNotDone();
        assertThat(b2).isNotDone();
        release.countDown();
        assertThat(b1.get(10, TimeUnit.SECONDS)).isEqualTo("b1");
        assertThat(b2.get(10, TimeUnit.SECONDS)).isEqualTo("b2");
        stuck.get(10, TimeUnit.SECONDS);
    }

    @Test
    void closeCompletesEveryHandedOverFutureEvenWhenAnAnswerThreadIsStuck() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64).withAnswerThreads(1));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> stuck = stuckCaller("first", release);
        List<CompletableFuture<String>> later = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "later-" + i;
            later.add(gc.submit(h -> insert(h, id, 1)));
            assertThat(awaitCommitted(id)).isTrue(); // one batch each, all answers queued behind the stuck one
        }
        for (CompletableFuture<String> f : later) assertThat(f).isNotDone();
        long started = System.nanoTime();
        gc.close(Duration.ofMillis(500));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        // the closing thread gave the answers the stuck thread had not begun: committed, so success
        for (int i = 0; i < later.size(); i++) {
            assertThat(later.get(i)).isDone();
            assertThat(later.get(i).get()).isEqualTo("later-" + i);
        }
        assertThat(stuck).isNotDone();
        release.countDown();
        stuck.get(10, TimeUnit.SECONDS);
    }

    @Test
    void afterCloseReturnsEveryFutureIsCompleteAndOnlyCommittedOnesSucceeded() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 8).withAnswerThreads(2));
        List<CompletableFuture<String>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> submitters = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int caller = t;
            submitters.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 50; i++) {
                    String id = "s-" + caller + "-" + i;
                    all.add(gc.submit(h -> insert(h, id, caller)));
                }
                return null;
            }));
        }
        go.countDown();
        Thread.sleep(20);
        gc.close(Duration.ofSeconds(30)); // while submissions are still arriving
        for (Future<?> f : submitters) f.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        long succeeded = 0;
        synchronized (all) {
            for (CompletableFuture<String> f : all) {
                assertThat(f).isDone();
                if (!f.isCompletedExceptionally()) {
                    succeeded++;
                    assertThat(visibleElsewhere(f.get())).isTrue();
                } else {
                    assertThatThrownBy(() -> GroupCommit.await(f)).isInstanceOf(GroupCommit.Unavailable.class);
                }
            }
            assertThat(all).hasSize(400);
        }
        assertThat(rows("id LIKE 's-%'")).isEqualTo(succeeded);
    }

    @Test
    void answersSplitAcrossThreadsStillComeOnlyAfterTheCommit() throws Exception {
        gc = new GroupCommit(jdbi, tx, opts(1, 64).withAnswerThreads(2));
        CountDownLatch hold = block(gc);
        AtomicInteger early = new AtomicInteger();
        Map<String, String> answeredOn = new ConcurrentHashMap<>();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "a-" + i;
            CompletableFuture<String> f = gc.submit(h -> insert(h, id, 0));
            // runs where the future is completed: the row must already be visible to any other connection
            f.thenAccept(r -> {
                answeredOn.put(r, Thread.currentThread().getName());
                if (!visibleElsewhere(r)) early.incrementAndGet();
            });
            futures.add(f);
        }
        hold.countDown();
        for (CompletableFuture<String> f : futures) f.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answeredOn.size() < 40 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(early.get()).isZero();
        assertThat(answeredOn).hasSize(40);
        // one batch of 40, answered in shares by the answer threads, never by the committer (a thread in
        // CompletableFuture.get may also help run the callbacks of a future that completed: main here)
        assertThat(answeredOn.values()).noneMatch(name -> name.startsWith("group-commit-0"))
                .anyMatch(name -> name.startsWith("group-commit-answers-"));
    }
}
