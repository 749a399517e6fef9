package io.switchboard.http;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log (issue 17): asynchronous, bounded, compact, batched. A request thread only copies a few
 * fields (client socket address, method, raw path, status, bytes, end time, duration) into a small record
 * and adds it to a bounded lock-free queue — it never formats, writes, takes a lock, wakes a thread or
 * waits. One daemon thread wakes every {@value #WAKE_MILLIS} ms (backing off to {@value #IDLE_MILLIS} ms
 * while idle), drains the queue, formats each line and writes them through the logger {@value #LOGGER}
 * as <b>batches</b>: one logging event carries up to {@code maxBatchLines} complete lines separated by
 * {@code \n}, so an appender encodes and writes (one {@code write()}) per batch instead of per request.
 * Each line is self-contained — it starts with its own UTC timestamp — so an appender with a bare
 * {@code %m%n} layout (config.yml) prints ordinary log lines:
 * {@code 2026-11-30T10:50:15.123Z 127.0.0.1 "POST /api/client/events" 202 0 1.4ms}.
 * Ordinary lines are events at INFO; 5xx lines are events at WARN (consecutive 5xx lines share one), in
 * request order.
 *
 * <p>When the queue is full the line is dropped and counted (metric {@code http.requestLog.dropped},
 * and a WARN at most every 10 s naming how many). The last eighth of the queue is kept for 5xx answers,
 * so errors are logged even while ordinary lines are being dropped.
 *
 * <p>Masking (docs/operations.md): the path without query string ({@code HttpURI.getPath()}), the
 * unsubscribe token of {@code /u/{token}} masked ({@link MaskedRequestLog#maskPath}); no header, no
 * body, no query string is ever read.
 */
public final class AsyncRequestLog extends AbstractLifeCycle implements RequestLog {
    public static final String LOGGER = "io.switchboard.http.requests";
    private static final Logger OUT = LoggerFactory.getLogger(LOGGER);
    private static final Logger LOG = LoggerFactory.getLogger(AsyncRequestLog.class);
    static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The writer's pause after a pass that found lines; doubled while passes find none, up to IDLE_MILLIS. */
    static final long WAKE_MILLIS = 25;
    static final long IDLE_MILLIS = 200;

    /** {@code accessLog:} in config.yml. */
    public static class Config {
        private boolean enabled = false;
        private int queueSize = 8192;
        private int maxBatchLines = 256;

        @JsonProperty public boolean isEnabled() { return enabled; }
        @JsonProperty public void setEnabled(boolean enabled) { this.enabled = enabled; }
        @JsonProperty public int getQueueSize() { return queueSize; }
        @JsonProperty public void setQueueSize(int queueSize) { this.queueSize = Math.max(16, queueSize); }
        /** Lines per logging event (1: one event per line, for layouts that need that, e.g. JSON). */
        @JsonProperty public int getMaxBatchLines() { return maxBatchLines; }
        @JsonProperty public void setMaxBatchLines(int n) { this.maxBatchLines = Math.max(1, n); }
    }

    /**
     * One request as the request thread saw it: {@code remote} is the connection's socket address (turned
     * into text on the writer), {@code endNanos} the {@link System#nanoTime()} the request ended at.
     */
    record Line(SocketAddress remote, String method, String path, int status, long bytes, long micros, long endNanos) {
        /** For tests: an IP address literal (never resolved), ended now. */
        Line(String remote, String method, String path, int status, long bytes, long micros) {
            this(InetSocketAddress.createUnresolved(remote, 0), method, path, status, bytes, micros, System.nanoTime());
        }
    }

    private final ConcurrentLinkedQueue<Line> queue = new ConcurrentLinkedQueue<>();
    /** Lines in {@link #queue}: reserved before a line is added, released after the writer took it. */
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final int reserve;
    private final int maxBatchLines;
    private final long warnEveryNanos;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder droppedErrors = new LongAdder();
    private final LongAdder written = new LongAdder();
    private volatile Thread writer;

    // --- only the writer thread (or doStop once it has ended) uses these ---
    private static final int CACHE = 4096;
    /** method → path → "METHOD masked-path". */
    private final HashMap<String, HashMap<String, String>> masked = new HashMap<>();
    private int maskedEntries;
    /** Per socket address object (one per connection): identity, so a hit reads no field of the address. */
    private final IdentityHashMap<SocketAddress, String> addresses = new IdentityHashMap<>();
    private final StringBuilder batch = new StringBuilder(16 * 1024);
    private long stampSecond = Long.MIN_VALUE;
    private String stampPrefix;
    private long reported;
    private long lastWarn = System.nanoTime();

    public AsyncRequestLog(int queueSize) {
        this(queueSize, 256, WARN_EVERY_NANOS);
    }

    AsyncRequestLog(int queueSize, int maxBatchLines, long warnEveryNanos) {
        this.capacity = queueSize;
        this.reserve = Math.max(1, queueSize / 8);
        this.maxBatchLines = Math.max(1, maxBatchLines);
        this.warnEveryNanos = warnEveryNanos;
    }

    @Override
    public void log(Request request, Response response) {
        long end = System.nanoTime();
        // the raw path and socket address: masking and formatting happen on the writer thread
        offer(new Line(request.getConnectionMetaData().getRemoteSocketAddress(), request.getMethod(),
                request.getHttpURI().getPath(), response.getStatus(), Response.getContentBytesWritten(response),
                (end - request.getBeginNanoTime()) / 1_000, end));
    }

    /** Queues a line unless the queue is full (ordinary lines leave the last eighth to errors); never waits. */
    boolean offer(Line line) {
        boolean error = line.status() >= 500;
        int limit = error ? capacity : capacity - reserve;
        for (int n = size.get(); ; n = size.get()) {
            if (n >= limit) {
                dropped.increment();
                if (error) droppedErrors.increment();
                return false;
            }
            if (size.compareAndSet(n, n + 1)) break;
        }
        queue.offer(line);
        return true;
    }

    long droppedErrors() {
        return droppedErrors.sum();
    }

    /** Lines dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    public void registerMetrics(MetricRegistry metrics) {
        metrics.register("http.requestLog.dropped", (Gauge<Long>) this::dropped);
        metrics.register("http.requestLog.queued", (Gauge<Integer>) size::get);
    }

    @Override
    protected void doStart() {
        Thread t = new Thread(this::run, "request-log");
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        Thread t = writer;
        writer = null;
        if (t != null) {
            t.interrupt();
            t.join(2_000);
            if (t.isAlive()) return;   // stuck in an appender: its caches are not ours to touch
        }
        writeQueued();
    }

    private void run() {
        long pause = WAKE_MILLIS;
        while (writer != null) {
            int n = 0;
            try {
                n = writeQueued();
            } catch (RuntimeException e) {
                LOG.warn("request log: could not write a line", e);
            }
            reportDrops();
            // no request thread ever wakes this one (that costs a futex call per request): it looks again
            // after a pause, longer while there is nothing to write
            pause = n > 0 ? WAKE_MILLIS : Math.min(pause * 2, IDLE_MILLIS);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pause));
            if (Thread.interrupted()) break;
        }
    }

    private void reportDrops() {
        long now = System.nanoTime();
        if (now - lastWarn < warnEveryNanos) return;
        long d = dropped.sum();
        if (d > reported) {
            LOG.warn("request log: {} lines dropped in the last {} s (queue of {} full; {} of them 5xx since start)",
                    d - reported, Math.max(1, (now - lastWarn) / 1_000_000_000L), capacity, droppedErrors.sum());
            reported = d;
        }
        lastWarn = now;
    }

    /**
     * Takes every queued line and writes them in batches: a run of lines of one level, at most
     * {@link #maxBatchLines}, is one logging event. Returns the number of lines taken.
     */
    int writeQueued() {
        boolean info = OUT.isInfoEnabled();
        long wallMillis = System.currentTimeMillis();
        long nanos = System.nanoTime();
        StringBuilder b = batch;
        b.setLength(0);
        int lines = 0;
        boolean batchIsError = false;
        int taken = 0;
        Line l;
        while ((l = queue.poll()) != null) {
            size.decrementAndGet();
            taken++;
            boolean error = l.status() >= 500;
            if (!error && !info) continue;     // the logger is set above INFO: not formatted at all
            if (lines > 0 && (error != batchIsError || lines >= maxBatchLines)) {
                emit(b, batchIsError, lines);
                lines = 0;
            }
            if (lines > 0) b.append('\n');
            batchIsError = error;
            format(b, l, wallMillis - (nanos - l.endNanos()) / 1_000_000);
            lines++;
        }
        if (lines > 0) emit(b, batchIsError, lines);
        if (b.capacity() > 256 * 1024) batch.trimToSize();
        return taken;
    }

    private void emit(StringBuilder b, boolean error, int lines) {
        String message = b.toString();
        b.setLength(0);
        if (error) OUT.warn(message);
        else OUT.info(message);
        written.add(lines);
    }

    /** {@code 2026-11-30T10:50:15.123Z 127.0.0.1 "POST /api/client/events" 202 0 1.4ms}. */
    void format(StringBuilder b, Line l, long epochMillis) {
        appendTimestamp(b, epochMillis);
        b.append(' ').append(address(l.remote())).append(" \"").append(maskedRequest(l.method(), l.path()))
                .append("\" ").append(l.status()).append(' ').append(l.bytes()).append(' ');
        // milliseconds with one decimal
        long micros = l.micros();
        b.append(micros / 1_000).append('.').append((char) ('0' + (micros / 100) % 10)).append("ms");
    }

    /** ISO 8601 in UTC with milliseconds; the text up to the second is computed once per second. */
    void appendTimestamp(StringBuilder b, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != stampSecond) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            StringBuilder p = new StringBuilder(24);
            p.append(t.getYear()).append('-');
            two(p, t.getMonthValue()).append('-');
            two(p, t.getDayOfMonth()).append('T');
            two(p, t.getHour()).append(':');
            two(p, t.getMinute()).append(':');
            two(p, t.getSecond()).append('.');
            stampPrefix = p.toString();
            stampSecond = second;
        }
        int ms = (int) Math.floorMod(epochMillis, 1000);
        b.append(stampPrefix).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10)).append('Z');
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** The client address as Jetty's {@code Request.getRemoteAddr} writes it, remembered per address. */
    private String address(SocketAddress remote) {
        String s = addresses.get(remote);
        if (s != null) return s;
        if (remote instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            s = a != null ? a.getHostAddress() : inet.getHostString();
            if (s.indexOf(':') >= 0 && !s.startsWith("[")) s = "[" + s + "]";
        } else {
            s = String.valueOf(remote);
        }
        if (addresses.size() >= CACHE) addresses.clear();
        addresses.put(remote, s);
        return s;
    }

    /**
     * "METHOD path" as it may be logged: the unsubscribe token and matrix parameters masked
     * ({@link MaskedRequestLog#maskPath}), then anything credential-like masked by {@link CredentialLogGuard}
     * (a key pasted into a path) — which therefore skips these lines. Remembered per distinct request line
     * (bounded), since nearly every request repeats one: the regular expressions run once per path, not
     * once per request.
     */
    String maskedRequest(String method, String path) {
        HashMap<String, String> byPath = masked.get(method);
        if (byPath == null) {
            if (maskedEntries >= CACHE) clearMasked();
            byPath = new HashMap<>();
            masked.put(method, byPath);
        }
        String m = byPath.get(path);
        if (m != null) return m;
        m = CredentialLogGuard.maskInstalled(method + ' ' + MaskedRequestLog.maskPath(path));
        if (maskedEntries >= CACHE) {
            clearMasked();
            byPath = new HashMap<>();
            masked.put(method, byPath);
        }
        byPath.put(path, m);
        maskedEntries++;
        return m;
    }

    private void clearMasked() {
        masked.clear();
        maskedEntries = 0;
    }

    /**
     * The log when {@code accessLog.enabled} (else null), its metrics registered; the wiring root manages it
     * (its writer thread) and adds {@link #installer()} to the server.
     */
    public static AsyncRequestLog build(com.codahale.metrics.MetricRegistry metrics, Config config) {
        if (config == null || !config.isEnabled()) return null;
        AsyncRequestLog log = new AsyncRequestLog(config.getQueueSize(), config.getMaxBatchLines(), WARN_EVERY_NANOS);
        log.registerMetrics(metrics);
        return log;
    }

    /** A lifecycle listener that adds this log to the server just before it starts (next to any configured one). */
    public LifeCycle.Listener installer() {
        AsyncRequestLog self = this;
        return new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server) {
                    RequestLog current = server.getRequestLog();
                    if (current == self || current instanceof RequestLog.Collection) return;
                    server.setRequestLog(current == null ? self : new RequestLog.Collection(current, self));
                }
            }
        };
    }
}
