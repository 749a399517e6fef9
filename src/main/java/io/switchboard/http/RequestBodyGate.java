package io.switchboard.http;

import io.switchboard.errors.JsonErrorHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge in front of the application servlet (issue 11, findings 2 and 5). A request body is read
 * <em>before</em> the request gets a thread: chunks are collected as they arrive, without blocking (Jetty
 * calls back when more data is there), and the application runs only once the whole body is in (or once
 * more than the endpoint's body limit has arrived; the body-limit filter then answers as before). So a
 * client that trickles a body one byte at a time holds a socket and the bytes it sent, never one of the
 * server's threads, and normal requests keep being served.
 *
 * <ul>
 *   <li><b>Body read deadline</b>: a body must arrive within {@code bodyTimeoutMillis} of the request
 *       (checked as data arrives; a silent client meets the connector's idle timeout): 408 in the
 *       dialect's shape and the connection closed.</li>
 *   <li><b>Minimum data rate</b>: after {@code minRateGraceMillis}, a body arriving slower than
 *       {@code minBytesPerSecond} on average is cut with 408.</li>
 *   <li><b>Content-Encoding</b>: gzip is inflated by Jetty's GzipHandler in front of this gate; a body
 *       that is not gzip (or is truncated) fails while it is read here: 400 in the dialect's shape,
 *       on every route, no stack trace. Any other encoding (deflate, br, …): 415.</li>
 *   <li><b>Aborted uploads</b> (the client went away mid-body): one INFO line, no 5xx, no stack
 *       trace.</li>
 * </ul>
 */
public final class RequestBodyGate extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(RequestBodyGate.class);

    private final long bodyTimeoutMillis;
    private final long minBytesPerSecond;
    private final long minRateGraceMillis;
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong cut = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Request attribute (a Jersey property): the length of a body this gate collected completely, within
     * the endpoint's limit, before the application ran. Absent when the body was cut at the limit.
     */
    public static final String COMPLETE_BODY_BYTES = "switchboard.completeBodyBytes";

    public RequestBodyGate(long bodyTimeoutMillis, long minBytesPerSecond, long minRateGraceMillis) {
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.minBytesPerSecond = minBytesPerSecond;
        this.minRateGraceMillis = minRateGraceMillis;
    }

    /** Request bodies cut (408) for arriving too slowly or too late, since start. */
    public long slowBodiesCut() {
        return cut.get();
    }

    /** Requests whose body is still arriving (they hold no thread). */
    public int waitingForBodies() {
        return waiting.get();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            // GzipHandler removes the header once it inflates a gzip body; anything left is not supported
            return error(request, response, callback, 415, "Content-Encoding `" + clip(encoding)
                    + "` is not supported; send the body uncompressed or with Content-Encoding: gzip.", false);
        }
        // the path is classified once per request, here: the filters find it as a request property
        RequestPath rp = RequestPath.of(request.getMethod(), request.getHttpURI().getPath());
        request.setAttribute(RequestPath.PROPERTY, rp);
        if (!hasBody(request)) {
            return super.handle(request, response, callback);
        }
        long limit = rp.maxBodyBytes();
        new Collector(request, response, callback, limit).run();
        return true;
    }

    private static boolean hasBody(Request request) {
        long len = request.getLength();
        if (len >= 0) return len > 0;
        // unknown length: chunked, or a wrapper (GzipHandler's inflating request) that hides it
        for (Request r = request; r != null; r = r instanceof Request.Wrapper w ? w.getWrapped() : null) {
            if (r.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) return true;
            if (r.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > 0) return true;
        }
        return false;
    }

    /** Reads what has arrived; asks to be called back for more; hands over when complete. */
    private final class Collector implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long limit;
        private final long started = System.nanoTime();
        // the body so far: bytes [0, size) of buf (grown by doubling; handed over without another copy)
        private byte[] buf;
        private int size;
        private boolean counted;
        private boolean async;

        Collector(Request request, Response response, Callback callback, long limit) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.limit = limit;
            long len = request.getLength();
            this.buf = new byte[len > 0 && len <= limit ? (int) len : 4096];
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        if (!counted) {
                            counted = true;
                            waiting.incrementAndGet();
                        }
                        if (tooSlow()) return;
                        async = true;
                        request.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        failed(chunk.getFailure());
                        return;
                    }
                    ByteBuffer in = chunk.getByteBuffer();
                    int n = in.remaining();
                    if (n > 0) {
                        if (size + n > buf.length) {
                            buf = java.util.Arrays.copyOf(buf, Math.max(size + n, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
                        }
                        in.get(buf, size, n);
                        size += n;
                    }
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        dispatch(true);
                        return;
                    }
                    if (size > limit) {
                        dispatch(false); // the body-limit filter answers (and drains) as it always has
                        return;
                    }
                    if (tooSlow()) return;
                }
            } catch (Throwable t) {
                failed(t);
            }
        }

        private boolean tooSlow() {
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            String why = null;
            if (elapsed > bodyTimeoutMillis) {
                why = "The request body did not arrive within " + bodyTimeoutMillis / 1000 + " s.";
            } else if (minBytesPerSecond > 0 && elapsed > minRateGraceMillis
                    && size * 1000L / elapsed < minBytesPerSecond) {
                why = "The request body arrived slower than " + minBytesPerSecond + " bytes per second.";
            }
            if (why == null) return false;
            done();
            cut.incrementAndGet();
            // counted (health details) rather than logged one by one: a flood of slow clients must not
            // turn into a flood of log lines on the request path
            LOG.debug("slow request body cut: {} {} ({} bytes in {} ms)", request.getMethod(),
                    MaskedRequestLog.maskPath(request.getHttpURI().getPath()), size, elapsed);
            error(request, response, callback, 408, why, true);
            return true;
        }

        private void failed(Throwable t) {
            done();
            String path = MaskedRequestLog.maskPath(request.getHttpURI().getPath());
            if (isAbort(t)) {
                // the client is gone: nobody reads an answer; one line, no stack trace, no 5xx
                LOG.info("request body aborted by the client: {} {} after {} bytes ({})", request.getMethod(), path,
                        size, t.getClass().getSimpleName());
                error(request, response, callback, 400, "The request body was cut off.", true);
            } else if (t instanceof TimeoutException || hasCause(t, TimeoutException.class)) {
                LOG.info("request body timed out: {} {} after {} bytes", request.getMethod(), path, size);
                error(request, response, callback, 408, "The request body was not received in time.", true);
            } else {
                // in practice an undecodable Content-Encoding: gzip body (not gzip, or truncated)
                LOG.info("unreadable request body: {} {} ({})", request.getMethod(), path, oneLine(t));
                error(request, response, callback, 400, "The request body could not be read"
                        + (gzip(request) ? ": it is not valid gzip (Content-Encoding: gzip)." : "."), true);
            }
        }

        private void dispatch(boolean complete) {
            done();
            if (async) {
                // we are inside Jetty's demand callback: running the (blocking) application here would make
                // any further read of this request wait for a callback that cannot run until this one
                // returns, so the application gets a thread of its own
                request.getContext().execute(() -> handOver(complete));
            } else {
                handOver(complete);
            }
        }

        private void handOver(boolean complete) {
            byte[] bytes = buf;
            int length = size;
            buf = null;
            if (complete && length <= limit) {
                // the whole body is here and within the limit: the body-limit filter need not count it again
                request.setAttribute(COMPLETE_BODY_BYTES, length);
            }
            Request buffered = new Request.Wrapper(request) {
                private boolean served;

                @Override
                public Content.Chunk read() {
                    if (!served) {
                        served = true;
                        return Content.Chunk.from(ByteBuffer.wrap(bytes, 0, length), complete);
                    }
                    return complete ? Content.Chunk.EOF : super.read();
                }

                @Override
                public void demand(Runnable demandCallback) {
                    if (!served || complete) demandCallback.run();
                    else super.demand(demandCallback);
                }
            };
            try {
                if (!RequestBodyGate.super.handle(buffered, response, callback)) {
                    error(request, response, callback, 404, null, false);
                }
            } catch (Throwable t) {
                callback.failed(t);
            }
        }

        private void done() {
            if (counted) {
                counted = false;
                waiting.decrementAndGet();
            }
        }
    }

    private static boolean gzip(Request request) {
        // GzipHandler's request wrapper hides the header; the original request still has it
        for (Request r = request; r != null; r = r instanceof Request.Wrapper w ? w.getWrapped() : null) {
            String e = r.getHeaders().get(HttpHeader.CONTENT_ENCODING);
            if (e != null && e.toLowerCase(java.util.Locale.ROOT).contains("gzip")) return true;
        }
        return false;
    }

    static boolean isAbort(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof EofException || c instanceof java.nio.channels.ClosedChannelException) return true;
            String m = c.getMessage();
            if (c instanceof java.io.IOException && m != null
                    && (m.contains("reset") || m.contains("Broken pipe") || m.contains("early EOF"))) return true;
        }
        return false;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + clip(m.replaceAll("[\\r\\n]", " ")));
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) : s;
    }

    /** Answers in the dialect's shape (path from the request); {@code close} drops the connection after. */
    static boolean error(Request request, Response response, Callback callback, int status, String detail,
                         boolean close) {
        if (response.isCommitted()) {
            callback.failed(new EofException("response already committed"));
            return true;
        }
        JsonErrorHandler.Rendered r = JsonErrorHandler.renderDetail(request.getHttpURI().getPath(), status, detail);
        response.setStatus(r.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
        if (close) response.getHeaders().put(new HttpField(HttpHeader.CONNECTION, "close"));
        response.write(true, ByteBuffer.wrap(r.body()), callback);
        return true;
    }
}
