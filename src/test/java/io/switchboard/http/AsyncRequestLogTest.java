package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.http.AsyncRequestLog.Line;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The request log's queue: bounded, never waits, counts what it drops, keeps room for 5xx; its lines:
 * compact, masked, self-contained (own timestamp), written in batches of complete lines.
 */
class AsyncRequestLogTest {
    /** One complete line: timestamp, address, "METHOD path", status, bytes, time. */
    static final Pattern LINE = Pattern.compile(
            "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) (\\S+) \"([A-Z]+ /\\S*)\" (\\d{3}) (\\d+) (\\d+\\.\\dms)");

    final Logger out = (Logger) LoggerFactory.getLogger(AsyncRequestLog.LOGGER);
    final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        out.addAppender(events);
        out.setLevel(Level.INFO);
        CredentialLogGuard.install(null);
    }

    @AfterEach
    void release() {
        out.detachAppender(events);
        out.setLevel(null);
    }

    @Test
    void aFullQueueDropsAndCountsOrdinaryLinesButKeepsRoomForErrors() {
        AsyncRequestLog log = new AsyncRequestLog(16);   // not started: nothing drains
        int accepted = 0;
        for (int i = 0; i < 40; i++) {
            if (log.offer(new Line("127.0.0.1", "POST", "/api/client/events", 202, 0, 1500))) accepted++;
        }
        assertThat(accepted).isEqualTo(14);              // 16 minus the reserve of 2
        assertThat(log.dropped()).isEqualTo(26);
        assertThat(log.offer(new Line("127.0.0.1", "POST", "/v1/batch", 500, 40, 900))).isTrue();
        assertThat(log.offer(new Line("127.0.0.1", "POST", "/v1/batch", 503, 40, 900))).isTrue();
        assertThat(log.offer(new Line("127.0.0.1", "POST", "/v1/batch", 500, 40, 900))).isFalse();
        assertThat(log.dropped()).isEqualTo(27);
        assertThat(log.droppedErrors()).isEqualTo(1);
    }

    @Test
    void linesAreCompactSelfContainedAndErrorsAreWarnings() throws Exception {
        AsyncRequestLog log = new AsyncRequestLog(64);
        Instant before = Instant.now().minusMillis(1);
        // queued before the writer starts: its first pass takes all four
        log.offer(new Line("10.0.0.1", "GET", "/u;x=1/SecretUnsubToken123", 200, 512, 2345));
        log.offer(new Line("10.0.0.2", "POST", "/v1/batch", 503, 40, 120));
        // a key pasted into a path: masked by the credential guard (the guard skips request lines)
        log.offer(new Line("10.0.0.3", "GET", "/api/sk_live0123456789abcdef/x", 404, 0, 50));
        log.offer(new Line("10.0.0.3", "GET", "/api/sk_live0123456789abcdef/x", 404, 0, 50));
        log.start();
        try {
            awaitWritten(log, 4);
        } finally {
            log.stop();
        }
        Instant after = Instant.now().plusMillis(1);
        // one event per run of lines of one level, in request order; each line starts with its own time
        assertThat(events.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.WARN, Level.INFO);
        assertThat(events.list).extracting(e -> e.getFormattedMessage().replaceAll("(?m)^\\S+Z ", ""))
                .containsExactly("10.0.0.1 \"GET /u/[token]\" 200 512 2.3ms", "10.0.0.2 \"POST /v1/batch\" 503 40 0.1ms",
                        "10.0.0.3 \"GET /api/sk_[masked]/x\" 404 0 0.0ms\n10.0.0.3 \"GET /api/sk_[masked]/x\" 404 0 0.0ms");
        for (String line : lines()) {
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            assertThat(Instant.parse(m.group(1))).isBetween(before, after);
        }
        assertThat(log.written()).isEqualTo(4);
    }

    @Test
    void batchesAreRunsOfCompleteMaskedLinesInRequestOrder() throws Exception {
        AsyncRequestLog log = new AsyncRequestLog(1024, 128, AsyncRequestLog.WARN_EVERY_NANOS);
        String[] paths = {"/u/SecretUnsubToken0123456789", "/api/client/events;jsessionid=SecretMatrix",
                "/api/sk_live0123456789abcdef/x", "/api/client/events"};
        int n = 0;
        for (int i = 0; i < 200; i++, n++) log.offer(new Line("10.0.0.9", "POST", paths[n % 4], 202, n, 1500));
        log.offer(new Line("10.0.0.9", "POST", "/v1/batch", 503, n++, 900));
        for (int i = 0; i < 100; i++, n++) log.offer(new Line("10.0.0.9", "GET", paths[n % 4], 200, n, 700));
        log.start();
        try {
            awaitWritten(log, 301);
        } finally {
            log.stop();
        }
        // 200 ordinary lines in events of at most 128, the 5xx in its own WARN event, then the rest
        assertThat(events.list).extracting(e -> e.getFormattedMessage().split("\n").length).containsExactly(128, 72, 1, 100);
        assertThat(events.list).extracting(ILoggingEvent::getLevel)
                .containsExactly(Level.INFO, Level.INFO, Level.WARN, Level.INFO);
        List<String> lines = lines();
        assertThat(lines).hasSize(301);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LINE.matcher(lines.get(i));
            assertThat(m.matches()).as(lines.get(i)).isTrue();
            assertThat(m.group(5)).as("request order").isEqualTo(Integer.toString(i));
            assertThat(m.group(3)).isIn("POST /u/[token]", "POST /api/client/events", "POST /api/sk_[masked]/x",
                    "POST /v1/batch", "GET /u/[token]", "GET /api/client/events", "GET /api/sk_[masked]/x");
        }
        assertThat(String.join("\n", lines)).doesNotContain("Secret").doesNotContain("sk_live").doesNotContain(";");
    }

    @Test
    void maxBatchLinesOfOneWritesOneEventPerLine() throws Exception {
        AsyncRequestLog log = new AsyncRequestLog(64, 1, AsyncRequestLog.WARN_EVERY_NANOS);
        for (int i = 0; i < 5; i++) log.offer(new Line("10.0.0.1", "GET", "/api/x", 200, i, 10));
        log.start();
        try {
            awaitWritten(log, 5);
        } finally {
            log.stop();
        }
        assertThat(events.list).hasSize(5).allSatisfy(e -> assertThat(LINE.matcher(e.getFormattedMessage()).matches()).isTrue());
    }

    @Test
    void aLoggerSetToWarnStillLogsErrors() throws Exception {
        out.setLevel(Level.WARN);
        AsyncRequestLog log = new AsyncRequestLog(64);
        log.offer(new Line("10.0.0.1", "GET", "/api/a", 200, 0, 10));
        log.offer(new Line("10.0.0.1", "GET", "/api/b", 500, 0, 10));
        log.offer(new Line("10.0.0.1", "GET", "/api/c", 200, 0, 10));
        log.start();
        try {
            awaitWritten(log, 1);
            Thread.sleep(100);
        } finally {
            log.stop();
        }
        assertThat(events.list).extracting(e -> e.getFormattedMessage().replaceAll("^\\S+Z ", ""))
                .containsExactly("10.0.0.1 \"GET /api/b\" 500 0 0.0ms");
    }

    /**
     * The appender is stuck (a blocked console, a full disk): request threads still never wait; what does
     * not fit is dropped, counted and reported once (rate-limited WARN), and the reserve keeps the 5xx.
     */
    @Test
    void aStuckAppenderNeverBlocksRequestThreadsDropsAreCountedReportedAndErrorsKept() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        AppenderBase<ILoggingEvent> stuck = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                entered.countDown();
                try {
                    unblock.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        stuck.start();
        out.addAppender(stuck);
        Logger own = (Logger) LoggerFactory.getLogger(AsyncRequestLog.class);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        own.addAppender(warnings);
        AsyncRequestLog log = new AsyncRequestLog(16, 256, TimeUnit.MILLISECONDS.toNanos(100));
        try {
            log.offer(new Line("10.0.0.1", "GET", "/api/first", 200, 0, 10));
            log.start();
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();    // the writer is now stuck in the appender
            int[] accepted = new int[2];
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
                for (int i = 0; i < 40; i++) if (log.offer(new Line("10.0.0.1", "GET", "/api/x", 200, i, 10))) accepted[0]++;
                for (int i = 0; i < 3; i++) if (log.offer(new Line("10.0.0.1", "GET", "/api/err", 503, i, 10))) accepted[1]++;
            });
            assertThat(accepted).containsExactly(14, 2);
            assertThat(log.dropped()).isEqualTo(27);
            unblock.countDown();
            awaitWritten(log, 17);
            Thread.sleep(300);                                          // a few more writer passes: no second WARN
        } finally {
            unblock.countDown();
            log.stop();
            out.detachAppender(stuck);
            own.detachAppender(warnings);
        }
        assertThat(lines()).filteredOn(l -> l.contains("/api/err")).hasSize(2);
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .startsWith("request log: 27 lines dropped").contains("1 of them 5xx");
    }

    /** Every line of every captured event. */
    List<String> lines() {
        List<String> all = new ArrayList<>();
        for (ILoggingEvent e : events.list) all.addAll(Arrays.asList(e.getFormattedMessage().split("\n")));
        return all;
    }

    static void awaitWritten(AsyncRequestLog log, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (log.written() < n && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(log.written()).isEqualTo(n);
    }
}
