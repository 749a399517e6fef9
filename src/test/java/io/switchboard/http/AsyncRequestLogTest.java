package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.http.AsyncRequestLog.Line;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The request log's queue: bounded, never waits, counts what it drops, keeps room for 5xx. */
class AsyncRequestLogTest {

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
    void linesAreCompactAndErrorsAreWarnings() throws Exception {
        Logger out = (Logger) LoggerFactory.getLogger(AsyncRequestLog.LOGGER);
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.start();
        out.addAppender(list);
        out.setLevel(Level.INFO);
        CredentialLogGuard.install(null);
        AsyncRequestLog log = new AsyncRequestLog(64);
        log.start();
        try {
            log.offer(new Line("10.0.0.1", "GET", "/u;x=1/SecretUnsubToken123", 200, 512, 2345));
            log.offer(new Line("10.0.0.2", "POST", "/v1/batch", 503, 40, 120));
            // a key pasted into a path: masked by the credential guard (the guard skips request lines)
            log.offer(new Line("10.0.0.3", "GET", "/api/sk_live0123456789abcdef/x", 404, 0, 50));
            log.offer(new Line("10.0.0.3", "GET", "/api/sk_live0123456789abcdef/x", 404, 0, 50));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (list.list.size() < 4 && System.nanoTime() < deadline) Thread.sleep(10);
        } finally {
            log.stop();
            out.detachAppender(list);
        }
        List<ILoggingEvent> events = list.list;
        assertThat(events).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("10.0.0.1 \"GET /u/[token]\" 200 512 2.3ms", "10.0.0.2 \"POST /v1/batch\" 503 40 0.1ms",
                        "10.0.0.3 \"GET /api/sk_[masked]/x\" 404 0 0.0ms", "10.0.0.3 \"GET /api/sk_[masked]/x\" 404 0 0.0ms");
        assertThat(events).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.WARN, Level.INFO, Level.INFO);
        assertThat(log.written()).isEqualTo(4);
    }
}
