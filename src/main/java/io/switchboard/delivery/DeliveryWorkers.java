package io.switchboard.delivery;

import io.dropwizard.lifecycle.Managed;
import io.switchboard.core.campaigns.Send;
import io.switchboard.db.SendDao;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery workers of this server process (Dropwizard-managed). Each worker thread claims a batch of
 * due sends ({@code FOR UPDATE SKIP LOCKED}, under a lease, fair across companies: see
 * {@link SendDao#claim}), processes them one by one in round-robin order of their companies, and sleeps for the
 * poll interval when the queue is empty (a trigger in this process wakes it at once). On stop, workers
 * finish the send in hand (up to the shutdown grace) and hand every other claimed send back to the queue.
 */
public class DeliveryWorkers implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorkers.class);

    private final Jdbi jdbi;
    private final SendProcessor processor;
    private final DeliveryConfig config;
    private final Collection<ChannelSender> senders;
    private final String processId;
    private final Object signal = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong lastLoop = new AtomicLong();
    private volatile boolean running;

    public DeliveryWorkers(Jdbi jdbi, SendProcessor processor, DeliveryConfig config, Collection<ChannelSender> senders) {
        this.jdbi = jdbi;
        this.processor = processor;
        this.config = config;
        this.senders = senders;
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "host";
        }
        this.processId = host + "/" + ManagementFactory.getRuntimeMXBean().getName().split("@")[0] + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public synchronized void start() {
        running = true;
        for (int i = 0; i < config.getWorkers(); i++) {
            String id = processId + "/w" + i;
            Thread t = new Thread(() -> loop(id), "delivery-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        lastLoop.set(System.currentTimeMillis());
        LOG.info("{} delivery worker(s) started as {}", config.getWorkers(), processId);
    }

    /** Wakes idle workers (called after a trigger commits). */
    public void wakeUp() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    public boolean isRunning() { return running && threads.stream().allMatch(Thread::isAlive); }

    public int workerCount() { return threads.size(); }

    /** When a worker last went round its loop (for the health check). */
    public Instant lastLoop() { return Instant.ofEpochMilli(lastLoop.get()); }

    private void loop(String worker) {
        long idleMs = config.getPollInterval().toMilliseconds();
        long errorBackoff = idleMs;
        double leaseSeconds = config.getLease().toMilliseconds() / 1000.0;
        while (running) {
            lastLoop.set(System.currentTimeMillis());
            List<Send> batch;
            try {
                batch = roundRobin(config.isClaimPerCompany() ? claimPerCompany(worker, leaseSeconds)
                        : jdbi.withExtension(SendDao.class,
                        d -> d.claim(worker, leaseSeconds, config.getBatchSize(), config.getMaxInFlightPerCompany())));
                errorBackoff = idleMs;
            } catch (Exception e) {
                LOG.warn("delivery worker {} could not claim sends: {}", worker, e.toString());
                sleep(errorBackoff);
                errorBackoff = Math.min(errorBackoff * 2, 10_000);
                continue;
            }
            if (batch.isEmpty()) {
                sleep(idleMs);
                continue;
            }
            int i = 0;
            for (; i < batch.size() && running; i++) {
                Send s = batch.get(i);
                lastLoop.set(System.currentTimeMillis());
                try {
                    processor.process(s, worker);
                } catch (Exception e) {
                    // e.g. the database went away mid-send: the lease expires and another attempt follows
                    LOG.warn("delivery worker {} failed on send {}/{}: {}", worker, s.companyId(), s.id(), e.toString());
                }
            }
            release(worker, batch.subList(i, batch.size()));
        }
    }

    /**
     * The claimed batch in turns: each company's oldest send, then each company's second, … so a
     * company with many sends in the batch does not go first with all of them.
     */
    static List<Send> roundRobin(List<Send> claimed) {
        java.util.Map<Long, java.util.ArrayDeque<Send>> byCompany = new java.util.LinkedHashMap<>();
        claimed.stream().sorted(java.util.Comparator.comparing(Send::createdAt))
                .forEach(s -> byCompany.computeIfAbsent(s.companyId(), k -> new java.util.ArrayDeque<>()).add(s));
        List<Send> out = new ArrayList<>(claimed.size());
        while (out.size() < claimed.size()) {
            for (var q : byCompany.values()) {
                Send s = q.poll();
                if (s != null) out.add(s);
            }
        }
        return out;
    }

    /**
     * The claim on Citus (docs/scale.md): {@code FOR UPDATE SKIP LOCKED} runs only on one shard, so the
     * companies with due sends are read first (no locks, all shards), then claimed one company at a time
     * in a random order (servers polling together start at different companies) until the batch is full.
     */
    private List<Send> claimPerCompany(String worker, double leaseSeconds) {
        int limit = config.getBatchSize();
        List<Long> companies = new ArrayList<>(jdbi.inTransaction(h -> {
            // the probe visits every shard: over the one cached connection per worker, not a burst of new ones
            h.execute("SET LOCAL citus.max_adaptive_executor_pool_size = 1");
            return h.attach(SendDao.class).dueCompanies(COMPANIES_PER_POLL);
        }));
        java.util.Collections.shuffle(companies);
        List<Send> batch = new ArrayList<>();
        for (long companyId : companies) {
            if (batch.size() >= limit || !running) break;
            int want = limit - batch.size();
            batch.addAll(jdbi.withExtension(SendDao.class, d -> d.claimForCompany(companyId, worker, leaseSeconds, want)));
        }
        return batch;
    }

    private static final int COMPANIES_PER_POLL = 64;

    /** Hands claimed but unprocessed sends back to the queue, due now. */
    private void release(String worker, List<Send> rest) {
        if (rest.isEmpty()) return;
        try {
            jdbi.useExtension(SendDao.class, d -> rest.forEach(s -> d.release(s.companyId(), s.id(), worker, Instant.now())));
            LOG.info("delivery worker {} returned {} claimed send(s) to the queue", worker, rest.size());
        } catch (Exception e) {
            LOG.warn("delivery worker {} could not return {} send(s); their lease will expire: {}", worker, rest.size(), e.toString());
        }
    }

    private void sleep(long ms) {
        synchronized (signal) {
            if (!running) return;
            try {
                signal.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        running = false;
        wakeUp();
        long deadline = System.nanoTime() + Duration.ofMillis(config.getShutdownGrace().toMilliseconds()).toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        for (Thread t : threads) {
            if (t.isAlive()) {
                LOG.warn("{} still busy after the shutdown grace; interrupting (its send will be retried)", t.getName());
                t.interrupt();
                t.join(2000);
            }
        }
        threads.clear();
        senders.forEach(ChannelSender::close);
        LOG.info("delivery workers stopped");
    }
}
