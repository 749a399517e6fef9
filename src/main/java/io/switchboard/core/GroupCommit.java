package io.switchboard.core;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent requests hand in units of work (a typed unit with its {@link BatchHandler}, or a
 * plain {@code Function<Handle, R>}); a few committer threads each take whatever is queued (up to {@code
 * maxBatch} units), run those units in ONE transaction and ONE commit (one WAL flush / fsync), and only then
 * complete each caller's future. A 2xx therefore still means "committed": no future completes normally
 * before the commit of its unit returned.
 *
 * <p>The futures of a batch whose COMMIT returned (or failed with an unknown outcome) are completed by a
 * small pool of answer threads ({@code group-commit-answers-N}, {@code answerThreads} in {@link Options}),
 * not by the committer: completing a future runs the caller's callbacks — for the ingestion resources,
 * Jersey's response processing and Jetty's write of the HTTP answer — and the committer meanwhile starts
 * the next batch. If that pool refuses the work (full, or shut down), the committer completes them itself;
 * units that run alone (failed ones, fallbacks) are completed by the committer as before.
 *
 * <p>Inside an attempt the units are grouped by handler; each group gets the typed context its handler
 * prepares for exactly its units (e.g. identifier owners read ahead for all of them), right before they run,
 * and the handler's deferred work runs once before the COMMIT (see {@link BatchHandler}).
 *
 * <p>If anything in the shared transaction fails, it is rolled back and no caller of it is answered yet:
 * a race (serialization failure, deadlock, unique / foreign-key violation of racing claims, {@link
 * Tx.Retry}, a connection lost before COMMIT) re-runs the same batch after a short pause, at most twice;
 * a unit that threw is taken out of the batch (it runs alone afterwards through {@link Tx}, and its caller
 * gets that outcome) and the others are re-run together, at most three times; beyond that, or when the
 * COMMIT itself was refused, every unit is re-run on its own through {@link Tx} with its usual retries.
 * So one bad unit never fails or loses the others, and each caller sees its own outcome. A COMMIT that
 * fails with a connection error (outcome unknown) is reported as a failure to every caller of the batch
 * and never re-run, so nothing is written twice.
 *
 * <p>A batch holds at most {@code maxBatch} units and {@code maxWeight} of work (a unit's weight is given
 * at {@link #submit(int, Function)}, e.g. the messages of a batch request); batches of weight at least
 * {@code maxWeight / 2} run one at a time. Each committer keeps one connection, replaced after a failure.
 *
 * <p>Units follow the {@link Tx} contract: they may run more than once (rolled back in between), so they
 * must not have effects outside the handle they are given. Validation belongs before {@link #submit}.
 *
 * <p>Batching is opportunistic: a committer never waits when the queue is empty; while one committer
 * is busy committing, the next requests queue up and the next free committer takes them all at once.
 * An optional {@code linger} makes a committer that found fewer than {@code maxBatch} units wait that
 * long for more, but only while at least one other committer is busy (a loaded system), so an idle
 * system never pays it (PostgreSQL's commit_delay/commit_siblings idea).
 */
public final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /**
     * Sizing. Defaults suit 2 cores with PostgreSQL on the same machine. {@code answerThreads}: threads that
     * complete the futures of a committed batch (and so run the callers' callbacks, e.g. writing the HTTP
     * answers), so a committer goes on to the next batch at once; 0 completes them on the committer itself.
     */
    public record Options(int committers, int maxBatch, int maxWeight, Duration linger, int queueCapacity,
                          int answerThreads) {
        /**
         * None: the committer answers its batch itself. On 2 cores one answer thread made batches smaller and
         * single events ~15 % slower (docs/performance.md "Answers off the committer"); try 1 with more cores.
         */
        public static final int DEFAULT_ANSWER_THREADS = 0;
        public static final Options DEFAULTS = new Options(6, 64, 200, Duration.ZERO, 20_000);

        /** Without a weight bound (every unit weighs 1, so maxBatch bounds the batch). */
        public Options(int committers, int maxBatch, Duration linger, int queueCapacity) {
            this(committers, maxBatch, Integer.MAX_VALUE, linger, queueCapacity);
        }

        /** With the default number of answer threads. */
        public Options(int committers, int maxBatch, int maxWeight, Duration linger, int queueCapacity) {
            this(committers, maxBatch, maxWeight, linger, queueCapacity, DEFAULT_ANSWER_THREADS);
        }

        public Options {
            if (committers < 1) throw new IllegalArgumentException("committers must be >= 1");
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1");
            if (maxWeight < 1) throw new IllegalArgumentException("maxWeight must be >= 1");
            if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be >= 1");
            if (answerThreads < 0) throw new IllegalArgumentException("answerThreads must be >= 0");
            linger = linger == null ? Duration.ZERO : linger;
        }

        /** The same sizing with {@code n} answer threads. */
        public Options withAnswerThreads(int n) {
            return new Options(committers, maxBatch, maxWeight, linger, queueCapacity, n);
        }
    }

    private volatile boolean genericPlans = true;

    /**
     * Whether committer connections force generic plans (the default). Off on Citus (docs/scale.md): the
     * coordinator can route a statement with unbound parameters only for simple ones, and refuses the
     * others under {@code force_generic_plan}; with the default plan cache mode it plans them per execution.
     */
    public GroupCommit genericPlans(boolean on) {
        this.genericPlans = on;
        return this;
    }

    /** Thrown to a caller whose unit arrives while the committer is shutting down or overloaded. */
    public static final class Unavailable extends RejectedExecutionException {
        public Unavailable(String why) {
            super(why);
        }
    }

    /** A queued unit: its handler, the unit itself, its weight and its caller's future. */
    private static final class Pending<U, C, R> {
        final BatchHandler<U, C, R> handler;
        final U unit;
        final int weight;
        final CompletableFuture<R> future = new CompletableFuture<>();
        R result;
        /** Set by the committer once this unit's outcome was handed to the answer threads (they own it now). */
        boolean handedOver;

        Pending(BatchHandler<U, C, R> handler, U unit, int weight) {
            this.handler = handler;
            this.unit = unit;
            this.weight = Math.max(1, weight);
        }

        /** Joins the group of its handler in this attempt (created on first use), at this batch position. */
        @SuppressWarnings("unchecked") // the group under a handler key is always built for that handler
        void join(Map<BatchHandler<?, ?, ?>, Group<?, ?, ?>> groups, int position) {
            Group<U, C, R> g = (Group<U, C, R>) groups.computeIfAbsent(handler, k -> new Group<>(handler));
            g.members.add(this);
            g.positions.add(position);
        }

        R runAlone(Tx tx) {
            return tx.run(h -> handler.runAlone(h, unit));
        }

        void succeed() {
            future.complete(result);
        }
    }

    /** The units of one handler in one attempt, and the context its {@code prepare} gave them. */
    private static final class Group<U, C, R> {
        final BatchHandler<U, C, R> handler;
        final List<Pending<U, C, R>> members = new ArrayList<>();
        final List<Integer> positions = new ArrayList<>();
        C context;

        Group(BatchHandler<U, C, R> handler) {
            this.handler = handler;
        }

        void prepare(Handle h) {
            List<U> units = new ArrayList<>(members.size());
            for (Pending<U, C, R> p : members) units.add(p.unit);
            context = handler.prepare(h, units);
        }

        /** Runs the units in order; {@code running[0]} is the batch position of the unit running. */
        void apply(Handle h, int[] running) {
            for (int j = 0; j < members.size(); j++) {
                running[0] = positions.get(j);
                Pending<U, C, R> p = members.get(j);
                p.result = handler.apply(h, context, p.unit);
            }
            running[0] = -1;
        }

        void beforeCommit(Handle h) {
            handler.beforeCommit(h, context);
        }
    }

    /** Plain {@code Function<Handle, R>} units: no shared context, nothing deferred. */
    private static final BatchHandler<Function<Handle, Object>, Void, Object> FUNCTIONS = new BatchHandler<>() {
        @Override
        public Void prepare(Handle h, List<Function<Handle, Object>> units) {
            return null;
        }

        @Override
        public Void alone(Handle h, Function<Handle, Object> unit) {
            return null;
        }

        @Override
        public Object apply(Handle h, Void context, Function<Handle, Object> unit) {
            return unit.apply(h);
        }

        @Override
        public void beforeCommit(Handle h, Void context) {}

        @Override
        public Object runAlone(Handle h, Function<Handle, Object> unit) {
            return unit.apply(h);
        }
    };

    @SuppressWarnings({"unchecked", "rawtypes"}) // one instance serves every result type: it only passes R through
    private static <R> BatchHandler<Function<Handle, R>, Void, R> functions() {
        return (BatchHandler) FUNCTIONS;
    }

    private final Jdbi jdbi;
    private final Tx tx;
    private final Options options;
    private final BlockingQueue<Pending<?, ?, ?>> queue;
    private final List<Thread> committers = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    /**
     * Heavy batches (weight >= maxWeight / 2, e.g. a 100-message Segment batch naming ~95 people) run one
     * at a time: two of them lock a hundred profiles each in request order, so side by side they deadlock
     * (PostgreSQL detects that only after deadlock_timeout, 1 s) and convoy. Light batches go on meanwhile.
     */
    private final java.util.concurrent.Semaphore heavyLane = new java.util.concurrent.Semaphore(1);
    private volatile boolean closed;
    /**
     * Completes the futures of batches whose outcome is known (after their COMMIT), off the committers; null
     * when {@code answerThreads} is 0. Bounded: when it is full (or shut down), the committer completes them
     * itself, so nothing is ever dropped and a stuck caller callback slows the committers instead of piling up.
     */
    private final ThreadPoolExecutor answers;

    // statistics (also exported as metrics when a registry is given)
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong reruns = new AtomicLong();
    private final Histogram batchSizes;
    private final Meter commits;

    public GroupCommit(Jdbi jdbi, Tx tx, Options options) {
        this(jdbi, tx, options, null);
    }

    public GroupCommit(Jdbi jdbi, Tx tx, Options options, MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.tx = tx;
        this.options = options;
        this.queue = new LinkedBlockingQueue<>(options.queueCapacity());
        MetricRegistry m = metrics == null ? new MetricRegistry() : metrics;
        this.batchSizes = m.histogram(MetricRegistry.name(GroupCommit.class, "batch-size"),
                () -> new Histogram(new SlidingTimeWindowArrayReservoir(60, TimeUnit.SECONDS)));
        this.commits = m.meter(MetricRegistry.name(GroupCommit.class, "commits"));
        m.gauge(MetricRegistry.name(GroupCommit.class, "queued"), () -> queue::size);
        m.gauge(MetricRegistry.name(GroupCommit.class, "fallbacks"), () -> fallbacks::get);
        this.answers = options.answerThreads() == 0 ? null : answerExecutor(options);
        ThreadPoolExecutor answering = answers;
        // batches (or shares) committed but not yet answered: grows only when callers' callbacks are slow
        m.gauge(MetricRegistry.name(GroupCommit.class, "answers-queued"),
                () -> () -> answering == null ? 0 : answering.getQueue().size());
        for (int i = 0; i < options.committers(); i++) {
            Thread t = new Thread(this::loop, "group-commit-" + i);
            t.setDaemon(true);
            committers.add(t);
            t.start();
        }
    }

    public Options options() {
        return options;
    }

    private static ThreadPoolExecutor answerExecutor(Options options) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "group-commit-answers-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
        // a task is one batch (or a share of one): as many pending as units may be queued for the committers
        return new ThreadPoolExecutor(options.answerThreads(), options.answerThreads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(options.queueCapacity()), threads, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Queues a unit of work; the future completes with its result after the transaction it ran in has
     * committed, or exceptionally with the unit's own exception (or the commit's failure).
     */
    public <R> CompletableFuture<R> submit(Function<Handle, R> unit) {
        return submit(1, unit);
    }

    /**
     * As {@link #submit(Function)}, for a unit that does {@code weight} units of work (e.g. the messages
     * of a batch request): a shared transaction holds at most {@code maxWeight} of work (or one unit), so
     * big requests are not stacked into long transactions that hold locks and collide.
     */
    public <R> CompletableFuture<R> submit(int weight, Function<Handle, R> unit) {
        return submit(weight, functions(), unit);
    }

    /**
     * Queues a typed unit: in a batch it runs with the units of the same {@code handler} of that batch,
     * sharing the context the handler prepares for them ({@link BatchHandler}); weight as in {@link
     * #submit(int, Function)}.
     */
    public <U, C, R> CompletableFuture<R> submit(int weight, BatchHandler<U, C, R> handler, U unit) {
        Pending<U, C, R> p = new Pending<>(handler, unit, weight);
        if (closed) {
            p.future.completeExceptionally(new Unavailable("shutting down"));
            return p.future;
        }
        if (!queue.offer(p)) {
            p.future.completeExceptionally(new Unavailable("too many writes queued"));
        } else if (closed && queue.remove(p)) {
            // close() raced with this offer and the committers may already be gone
            p.future.completeExceptionally(new Unavailable("shutting down"));
        }
        return p.future;
    }

    /** Blocking form of {@link #submit}: returns the result once committed, or throws the unit's exception. */
    public <R> R run(Function<Handle, R> unit) {
        return await(submit(unit));
    }

    /** Blocking form of {@link #submit(int, Function)}. */
    public <R> R run(int weight, Function<Handle, R> unit) {
        return await(submit(weight, unit));
    }

    /**
     * Runs the unit through {@code groupCommit} when there is one, else in its own {@link Tx} transaction:
     * the one-line switch for services and resources that can run either way.
     */
    public static <R> R run(GroupCommit groupCommit, Tx tx, Function<Handle, R> unit) {
        return run(groupCommit, tx, 1, unit);
    }

    /** As {@link #run(GroupCommit, Tx, Function)} for a unit of the given weight. */
    public static <R> R run(GroupCommit groupCommit, Tx tx, int weight, Function<Handle, R> unit) {
        return groupCommit != null ? groupCommit.run(weight, unit) : tx.run(unit::apply);
    }

    /**
     * Non-blocking twin of {@link #run(GroupCommit, Tx, int, Function)}: through {@code groupCommit} when
     * there is one, else run now in its own {@link Tx} transaction and returned as a completed future.
     */
    public static <R> CompletableFuture<R> submit(GroupCommit groupCommit, Tx tx, int weight, Function<Handle, R> unit) {
        if (groupCommit != null) return groupCommit.submit(weight, unit);
        try {
            return CompletableFuture.completedFuture(tx.run(unit::apply));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A typed unit through {@code groupCommit} when there is one (batched with the units of the same
     * handler), else in its own {@link Tx} transaction ({@link BatchHandler#runAlone}); blocks until committed.
     */
    public static <U, C, R> R run(GroupCommit groupCommit, Tx tx, int weight, BatchHandler<U, C, R> handler, U unit) {
        return groupCommit != null ? await(groupCommit.submit(weight, handler, unit))
                : tx.run(h -> handler.runAlone(h, unit));
    }

    /** Non-blocking twin of {@link #run(GroupCommit, Tx, int, BatchHandler, Object)}. */
    public static <U, C, R> CompletableFuture<R> submit(GroupCommit groupCommit, Tx tx, int weight,
                                                        BatchHandler<U, C, R> handler, U unit) {
        if (groupCommit != null) return groupCommit.submit(weight, handler, unit);
        try {
            return CompletableFuture.completedFuture(tx.run(h -> handler.runAlone(h, unit)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Blocking form for units without a result. */
    public void use(java.util.function.Consumer<Handle> unit) {
        run(h -> {
            unit.accept(h);
            return null;
        });
    }

    /** Waits for a future of {@link #submit} and rethrows its failure as it was thrown by the unit. */
    public static <R> R await(CompletableFuture<R> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a commit", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** The unit's own exception (RuntimeExceptions as they were thrown; others wrapped). */
    public static RuntimeException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /**
     * Units run, batches formed, batches that fell back to one-by-one, and shared transactions re-run
     * (after a race, or without a unit that failed), since start.
     */
    public record Stats(long units, long batches, long fallbacks, long reruns) {
        public double meanBatch() {
            return batches == 0 ? 0 : (double) units / batches;
        }
    }

    public Stats stats() {
        return new Stats(units.get(), batches.get(), fallbacks.get(), reruns.get());
    }

    // ---------------------------------------------------------------------------------------------

    private void loop() {
        List<Pending<?, ?, ?>> batch = new ArrayList<>(options.maxBatch());
        // each committer keeps one connection (handle) across batches: no pool round trip per batch, and
        // DAOs attached to it stay attached (db/Daos); it is replaced after any failure
        Handle[] handle = new Handle[1];
        try {
            while (true) {
                try {
                    Pending<?, ?, ?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (closed && queue.isEmpty()) return;
                        continue;
                    }
                    busy.incrementAndGet();
                    try {
                        batch.add(first);
                        collect(batch);
                        execute(batch, handle);
                    } finally {
                        batch.clear();
                        busy.decrementAndGet();
                    }
                } catch (InterruptedException e) {
                    if (closed) return;
                } catch (Throwable t) {
                    // execute() completes every future itself; this is a last resort so no caller hangs
                    LOG.error("group commit committer failed", t);
                    for (Pending<?, ?, ?> p : batch) {
                        if (!p.handedOver) p.future.completeExceptionally(t); // handed over: committed, answered
                    }
                    batch.clear();
                    discard(handle);
                }
            }
        } finally {
            discard(handle);
        }
    }

    private static void discard(Handle[] handle) {
        if (handle[0] != null) {
            try {
                handle[0].execute("RESET plan_cache_mode"); // the connection goes back to the shared pool
            } catch (Throwable ignored) {
                // broken: the pool validates it before lending it again
            }
            try {
                handle[0].close();
            } catch (Throwable ignored) {
                // a broken connection: the pool validates it before lending it again
            }
            handle[0] = null;
        }
    }

    /** Adds what is queued to the batch (up to maxBatch units and maxWeight of work), lingering only under load. */
    private void collect(List<Pending<?, ?, ?>> batch) throws InterruptedException {
        int weight = 0;
        for (Pending<?, ?, ?> p : batch) weight += p.weight;
        while (batch.size() < options.maxBatch() && weight < options.maxWeight()) {
            Pending<?, ?, ?> p = queue.poll();
            if (p == null) break;
            batch.add(p);
            weight += p.weight;
        }
        long lingerNanos = options.linger().toNanos();
        if (lingerNanos > 0 && batch.size() < options.maxBatch() && weight < options.maxWeight() && busy.get() > 1
                && !closed) {
            long deadline = System.nanoTime() + lingerNanos;
            while (batch.size() < options.maxBatch() && weight < options.maxWeight()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                Pending<?, ?, ?> p = queue.poll(left, TimeUnit.NANOSECONDS);
                if (p == null) break;
                batch.add(p);
                weight += p.weight;
            }
        }
    }

    /** How many times a shared transaction is re-run after a race before the batch goes one by one. */
    private static final int RACE_RERUNS = 2;
    /** How many failing units are taken out of a batch (each then runs alone) before it goes one by one. */
    private static final int EXCLUSIONS = 3;

    /**
     * Runs the batch in one transaction and completes every future after the commit. On failure the
     * transaction is rolled back and: a race (retryable) re-runs the same batch after a short pause, up to
     * {@link #RACE_RERUNS} times; a unit that threw is taken out (it runs alone afterwards, through Tx, and
     * its caller gets that outcome) and the others are re-run together, up to {@link #EXCLUSIONS} times;
     * beyond that, or when the COMMIT itself failed, every unit runs alone through Tx. A COMMIT that failed
     * with a connection error has an unknown outcome and is reported to every caller, never re-run.
     */
    private void execute(List<Pending<?, ?, ?>> initial, Handle[] handle) {
        int weight = 0;
        for (Pending<?, ?, ?> p : initial) weight += p.weight;
        boolean heavy = options.committers() > 1 && weight >= Math.max(2, options.maxWeight() / 2);
        if (heavy) heavyLane.acquireUninterruptibly();
        try {
            executeBatch(initial, handle);
        } finally {
            if (heavy) heavyLane.release();
        }
    }

    private void executeBatch(List<Pending<?, ?, ?>> initial, Handle[] handle) {
        batches.incrementAndGet();
        units.addAndGet(initial.size());
        batchSizes.update(initial.size());
        List<Pending<?, ?, ?>> batch = new ArrayList<>(initial);
        List<Pending<?, ?, ?>> excluded = new ArrayList<>();
        int races = 0;
        while (true) {
            Attempt a = attempt(batch, handle);
            if (a.failure == null) {
                answer(batch, null); // committed: the answer threads tell the callers, the committer goes on
                break;
            }
            discard(handle);
            if (a.commitUnknown) {
                // the COMMIT may or may not have happened: re-running could write twice, so say so
                LOG.warn("group commit of {} units failed with an unknown outcome: {}", batch.size(),
                        a.failure.toString());
                answer(batch, a.failure);
                break;
            }
            boolean retryable = Tx.retryable(a.failure) || connectionError(a.failure);
            if (batch.size() == 1 && !retryable) {
                batch.get(0).future.completeExceptionally(a.failure); // alone already: its own outcome
                break;
            }
            if (retryable && races < RACE_RERUNS && batch.size() > 1) {
                races++;
                reruns.incrementAndGet();
                pause(races);
                continue;
            }
            if (!retryable && a.failedUnit >= 0 && excluded.size() < EXCLUSIONS) {
                excluded.add(batch.remove(a.failedUnit));
                reruns.incrementAndGet();
                if (batch.isEmpty()) break;
                continue;
            }
            if (batch.size() > 1) {
                fallbacks.incrementAndGet();
                LOG.debug("group commit batch of {} fell back to one by one: {}", batch.size(), a.failure.toString());
            }
            for (Pending<?, ?, ?> p : batch) runAlone(p);
            break;
        }
        // units that failed inside a shared transaction run alone, after the others committed
        for (Pending<?, ?, ?> p : excluded) runAlone(p);
    }

    /**
     * Completes the futures of {@code batch} (the outcome of its COMMIT is known: {@code failure} null means
     * committed) on the answer threads, split into one share per answer thread; inline when there are none
     * or the executor refuses (full, or shut down by {@link #close}). Called only after the COMMIT returned.
     */
    private void answer(List<Pending<?, ?, ?>> batch, Throwable failure) {
        if (answers == null) {
            new Answer(batch, failure).run();
            return;
        }
        for (Pending<?, ?, ?> p : batch) p.handedOver = true;
        int shares = Math.min(options.answerThreads(), batch.size());
        int size = (batch.size() + shares - 1) / shares;
        for (int from = 0; from < batch.size(); from += size) {
            Answer share = new Answer(batch.subList(from, Math.min(batch.size(), from + size)), failure);
            try {
                answers.execute(share);
            } catch (RejectedExecutionException e) {
                share.run(); // never dropped: the committer answers these itself
            }
        }
    }

    /** Completes some futures of one batch with their results, or all with {@code failure}. */
    private record Answer(List<Pending<?, ?, ?>> units, Throwable failure) implements Runnable {
        @Override
        public void run() {
            for (Pending<?, ?, ?> p : units) {
                try {
                    if (failure == null) p.succeed();
                    else p.future.completeExceptionally(failure);
                } catch (Throwable t) {
                    // a caller's callback threw: its own business; the others still get their answers
                    LOG.warn("group commit answer callback failed", t);
                }
            }
        }
    }

    private record Attempt(Throwable failure, int failedUnit, boolean commitUnknown) {}

    private Attempt attempt(List<Pending<?, ?, ?>> batch, Handle[] handle) {
        try {
            if (handle[0] == null) {
                handle[0] = jdbi.open();
                // a committer runs the same few statements all day: plan each once per connection. With
                // the default (auto), PostgreSQL re-plans statements whose generic plan it estimates
                // dearer than a custom one — e.g. every "= ANY / unnest(array)" lookup — on each execution
                if (genericPlans) handle[0].execute("SET plan_cache_mode = force_generic_plan");
            }
            Handle h = handle[0];
            // READ COMMITTED, as Tx: PostgreSQL's default, so it is not set here (pgjdbc would spend a round
            // trip on SET SESSION CHARACTERISTICS per batch)
            h.begin();
            // the units grouped by handler (groups in order of their first unit); each group's context is
            // prepared right before its units run, so no other handler's unit runs between its read-ahead
            // and its last unit
            Map<BatchHandler<?, ?, ?>, Group<?, ?, ?>> groups = new LinkedHashMap<>();
            for (int k = 0; k < batch.size(); k++) batch.get(k).join(groups, k);
            int[] running = {-1};
            // the profiles this attempt changes are handed to derived data once, just before the COMMIT
            ChangedProfiles changed = ChangedProfiles.of(h);
            changed.beginUnit();
            try {
                for (Group<?, ?, ?> g : groups.values()) {
                    g.prepare(h); // a failure here is not one unit's: a retry, or each unit alone
                    g.apply(h, running);
                }
            } catch (Throwable t) {
                changed.reset();
                rollbackQuietly(h);
                return new Attempt(t, running[0], false);
            }
            try {
                for (Group<?, ?, ?> g : groups.values()) g.beforeCommit(h); // e.g. one events INSERT for all
                changed.endUnit(h); // e.g. one segment-queue INSERT for all (audiences)
            } catch (Throwable t) {
                changed.reset();
                rollbackQuietly(h);
                return new Attempt(t, -1, false); // not one unit's: a retry, or each unit alone
            }
            try {
                h.commit();
                commits.mark();
                return new Attempt(null, -1, false);
            } catch (Throwable t) {
                rollbackQuietly(h);
                return new Attempt(t, -1, connectionError(t));
            }
        } catch (Throwable t) {
            // opening the connection or BEGIN failed: nothing of this batch ran
            return new Attempt(t, -1, false);
        }
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(0, 2L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <U, C, R> void runAlone(Pending<U, C, R> p) {
        try {
            p.future.complete(p.runAlone(tx));
        } catch (Throwable t) {
            p.future.completeExceptionally(t);
        }
    }

    private static void rollbackQuietly(Handle h) {
        try {
            h.rollback();
        } catch (Throwable ignored) {
            // the connection is broken or already rolled back; closing the handle discards it
        }
    }

    /** A failure of the connection itself (SQLSTATE class 08, or an I/O error): the commit's outcome is unknown. */
    static boolean connectionError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state == null || state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
                if (state.startsWith("40") || state.startsWith("23")) {
                    return false; // the server rolled the transaction back: definite outcome
                }
            }
            if (t instanceof java.io.IOException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    /**
     * Stops accepting units, lets the committers finish everything already queued (each caller still
     * gets its outcome), and waits up to {@code timeout} for them to end, then for the answer threads to
     * complete every future handed to them. When the timeout passes, what is still queued is refused and
     * answers not yet begun are completed by the closing thread: no future is left hanging.
     */
    public void close(Duration timeout) {
        if (closed) return;
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : committers) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // anything still queued (the timeout passed) is refused, never left hanging
        List<Pending<?, ?, ?>> left = new ArrayList<>();
        queue.drainTo(left);
        for (Pending<?, ?, ?> p : left) {
            p.future.completeExceptionally(new Unavailable("shutting down"));
        }
        if (answers != null) {
            answers.shutdown(); // a committer still running past the timeout answers inline from now on
            try {
                long wait = deadline - System.nanoTime();
                if (wait > 0) answers.awaitTermination(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // answer threads stuck (in a caller's callback): the answers they have not begun are given here
            List<Runnable> pending = new ArrayList<>();
            answers.getQueue().drainTo(pending);
            for (Runnable r : pending) r.run();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
