package io.switchboard.http;

import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.limits.EndpointPolicies;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Request body size limits ({@link EndpointPolicies}), before routing, authentication or parsing: a
 * declared {@code Content-Length} over the limit is refused at once; otherwise the body is read through
 * a counting stream that fails as soon as the limit is passed (chunked bodies, lying clients), so the
 * request fails during parsing and nothing is stored. 413 in the dialect's shape, except Segment, which
 * answers 400 (segment.md).
 */
@PreMatching
@Priority(300)
public class BodyLimitFilter implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext ctx) {
        String method = ctx.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) return;
        RequestPath rp = RequestPath.of(ctx);
        String path = rp.normalized();
        long limit = rp.maxBodyBytes();
        int declared = ctx.getLength();
        if (declared > limit) {
            if (declared <= drainCap(limit)) {
                discard(ctx.getEntityStream(), declared);
            }
            throw tooLarge(path, limit);
        }
        if (ctx.getProperty(RequestBodyGate.COMPLETE_BODY_BYTES) instanceof Integer n && n <= limit) {
            return; // the gate already holds the whole body, within this limit: nothing left to count
        }
        if (ctx.hasEntity()) {
            ctx.setEntityStream(new LimitedInputStream(ctx.getEntityStream(), limit));
        }
    }

    /**
     * How much of an over-limit body is read and thrown away before answering. Closing a connection with
     * unread request bytes makes TCP send a reset, and many clients then lose the answer (they see
     * "connection reset" instead of the 413); reading a moderately oversized body to its end lets them
     * read it. Bodies larger than this are answered at once (and the connection closed).
     */
    static long drainCap(long limit) {
        return Math.min(10 * EndpointPolicies.MB, Math.max(2 * limit, EndpointPolicies.MB));
    }

    /** Reads and discards up to {@code max} bytes (until end of stream). */
    static void discard(InputStream in, long max) {
        byte[] buf = new byte[16 * 1024];
        long left = max;
        try {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) break;
                left -= n;
            }
        } catch (IOException ignored) {
            // the client went away; nothing to answer
        }
    }

    /** The error for a body over {@code limit} on {@code path}, in that dialect's shape and status. */
    public static ApiException tooLarge(String path, long limit) {
        Dialect d = Dialect.forPath(path);
        String detail = "The request body is larger than this endpoint's limit of " + human(limit) + ".";
        return new ApiException(d == Dialect.SEGMENT ? ErrorKind.INVALID : ErrorKind.PAYLOAD_TOO_LARGE, detail);
    }

    static String human(long bytes) {
        if (bytes % EndpointPolicies.MB == 0) return bytes / EndpointPolicies.MB + " MB";
        if (bytes % EndpointPolicies.KB == 0) return bytes / EndpointPolicies.KB + " KB";
        return bytes + " bytes";
    }

    /** Counts bytes read and fails past the limit. */
    static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long count;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        private void add(long n) throws BodyTooLargeException {
            if (n > 0) {
                count += n;
                if (count > limit) {
                    // let the client finish sending (up to a cap) so it can read the answer; see drainCap
                    discard(in, drainCap(limit) - count);
                    throw new BodyTooLargeException(limit);
                }
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) add(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            add(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            add(s);
            return s;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
