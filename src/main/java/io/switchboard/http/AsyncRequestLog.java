package io.switchboard.http;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log (issue 17): asynchronous, bounded, compact. A request thread only copies six fields
 * (client address, method, raw path, status, bytes, time) into a small record and offers it to a
 * bounded queue — it never formats, never writes and never waits. One daemon thread formats the lines
 * and writes them through the logger {@value #LOGGER} (INFO; 5xx at WARN), so the logging configuration
 * routes them like any other log.
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
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** {@code accessLog:} in config.yml. */
    public static class Config {
        private boolean enabled = false;
        private int queueSize = 8192;

        @JsonProperty public boolean isEnabled() { return enabled; }
        @JsonProperty public void setEnabled(boolean enabled) { this.enabled = enabled; }
        @JsonProperty public int getQueueSize() { return queueSize; }
        @JsonProperty public void setQueueSize(int queueSize) { this.queueSize = Math.max(16, queueSize); }
    }

    record Line(String remote, String method, String path, int status, long bytes, long micros) {}

    private final ArrayBlockingQueue<Line> queue;
    private final int reserve;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder droppedErrors = new LongAdder();
    private final LongAdder written = new LongAdder();
    private volatile Thread writer;
    private static final int MASK_CACHE = 4096;
    /** Only the writer thread uses it. */
    private final java.util.HashMap<String, String> masked = new java.util.HashMap<>();

    public AsyncRequestLog(int queueSize) {
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.reserve = Math.max(1, queueSize / 8);
    }

    @Override
    public void log(Request request, Response response) {
        int status = response.getStatus();
        long micros = (System.nanoTime() - request.getBeginNanoTime()) / 1_000;
        // the raw path: masking (normalization) happens on the writer thread
        Line line = new Line(Request.getRemoteAddr(request), request.getMethod(), request.getHttpURI().getPath(), status,
                Response.getContentBytesWritten(response), micros);
        offer(line);
    }

    /** Queues a line unless the queue is full (ordinary lines leave the last eighth to errors); never waits. */
    boolean offer(Line line) {
        boolean error = line.status() >= 500;
        if ((error || queue.remainingCapacity() > reserve) && queue.offer(line)) return true;
        dropped.increment();
        if (error) droppedErrors.increment();
        return false;
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
        metrics.register("http.requestLog.queued", (Gauge<Integer>) queue::size);
    }

    @Override
    protected void doStart() {
        Thread t = new Thread(this::drain, "request-log");
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
        }
        flush(new ArrayList<>(), new StringBuilder(128));
    }

    private void drain() {
        List<Line> batch = new ArrayList<>(256);
        StringBuilder b = new StringBuilder(128);
        long reported = 0;
        long lastWarn = System.nanoTime();
        while (writer != null) {
            try {
                Line first = queue.poll(1, TimeUnit.SECONDS);
                if (first != null) {
                    batch.add(first);
                    flush(batch, b);
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.warn("request log: could not write a line", e);
            }
            long now = System.nanoTime();
            if (now - lastWarn >= WARN_EVERY_NANOS) {
                long d = dropped.sum();
                if (d > reported) {
                    LOG.warn("request log: {} lines dropped in the last {} s (queue of {} full; {} of them 5xx since start)",
                            d - reported, (now - lastWarn) / 1_000_000_000L, queue.size() + queue.remainingCapacity(),
                            droppedErrors.sum());
                    reported = d;
                }
                lastWarn = now;
            }
        }
    }

    private void flush(List<Line> batch, StringBuilder b) {
        queue.drainTo(batch, 1024);
        for (Line l : batch) {
            b.setLength(0);
            b.append(l.remote()).append(" \"").append(maskedRequest(l.method(), l.path())).append("\" ")
                    .append(l.status()).append(' ').append(l.bytes()).append(' ');
            // milliseconds with one decimal
            b.append(l.micros() / 1_000).append('.').append((l.micros() / 100) % 10).append("ms");
            if (l.status() >= 500) OUT.warn(b.toString());
            else OUT.info(b.toString());
            written.increment();
        }
        batch.clear();
    }

    /**
     * "METHOD path" as it may be logged: the unsubscribe token and matrix parameters masked
     * ({@link MaskedRequestLog#maskPath}), then anything credential-like masked by {@link CredentialLogGuard}
     * (a key pasted into a path) — which therefore skips these lines. Remembered per distinct request line
     * (bounded), since nearly every request repeats one: the regular expressions run once per path, not
     * once per request.
     */
    String maskedRequest(String method, String path) {
        String key = method + ' ' + path;
        String m = masked.get(key);
        if (m != null) return m;
        m = CredentialLogGuard.maskInstalled(method + ' ' + MaskedRequestLog.maskPath(path));
        if (masked.size() >= MASK_CACHE) masked.clear();
        masked.put(key, m);
        return m;
    }

    /**
     * The log when {@code accessLog.enabled} (else null), its metrics registered; the wiring root manages it
     * (its writer thread) and adds {@link #installer()} to the server.
     */
    public static AsyncRequestLog build(com.codahale.metrics.MetricRegistry metrics, Config config) {
        if (config == null || !config.isEnabled()) return null;
        AsyncRequestLog log = new AsyncRequestLog(config.getQueueSize());
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
