package io.switchboard.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors — an ambiguous or malformed URI ({@code …/profiles//history}), a URI or header block
 * too large (414/431), a request Jetty refuses before any servlet runs — in the dialect's JSON error
 * shape ({@link ErrorResponses}) instead of Jetty's HTML page: every answer of the API is JSON. The
 * message is Jetty's reason only; never a stack trace or an exception class. Installed on the server
 * (errors before a context is chosen) and on the application context (issue 18, item 4).
 */
public final class JsonErrorHandler {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonErrorHandler() {}

    /** The status, content type and body of a Jetty error for {@code path} (null: unknown). */
    public static Rendered render(String path, int status, String message) {
        return renderDetail(path, status, detail(status, message));
    }

    /** As {@link #render}, with the detail text as given ({@code null}: the kind's title). */
    public static Rendered renderDetail(String path, int status, String detail) {
        Dialect d = path == null ? Dialect.OTHER : Dialect.forPath(path);
        ErrorKind kind = ErrorKind.forStatus(status);
        jakarta.ws.rs.core.Response r = ErrorResponses.build(d, kind, detail, null, null, null, null, null);
        byte[] body;
        try {
            Object entity = r.getEntity();
            if (entity instanceof com.fasterxml.jackson.databind.node.ObjectNode o && o.has("errors")) {
                // JSON:API: the error object's status is the one sent (ErrorKind has no 414/431 of its own)
                for (com.fasterxml.jackson.databind.JsonNode e : o.get("errors")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("status", status);
                }
            }
            body = MAPPER.writeValueAsBytes(entity);
        } catch (IOException e) {
            body = "{}".getBytes(StandardCharsets.UTF_8);
        }
        // Jetty's status stands (ErrorKind may map an unusual status such as 414 or 431 to another kind)
        return new Rendered(status, r.getMediaType().toString(), body);
    }

    static String detail(int status, String message) {
        String reason = message == null || message.isBlank() ? null : message.replaceAll("[\\r\\n]", " ");
        if (reason != null && reason.length() > 200) reason = reason.substring(0, 200);
        return switch (status) {
            case 400 -> "Bad request" + (reason == null ? "." : ": " + reason + ".");
            case 404 -> "No resource at this path.";
            case 408 -> "The request was not received in time.";
            case 413 -> "The request is too large.";
            case 414 -> "The request URI is too long.";
            case 431 -> "The request headers are too large.";
            default -> reason == null ? ErrorKind.forStatus(status).title() : reason + ".";
        };
    }

    public record Rendered(int status, String contentType, byte[] body) {}

    static boolean write(Request request, Response response, Callback callback, int code, String message) {
        Rendered r = render(request == null ? null : request.getHttpURI().getPath(), code, message);
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(r.body()), callback);
        return true;
    }

    static ByteBuffer badMessage(int status, String reason, HttpFields.Mutable fields) {
        Rendered r = render(null, status, reason);
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, r.contentType()));
        return ByteBuffer.wrap(r.body());
    }

    /** For {@code Server.setErrorHandler}: errors outside any context. */
    public static class Server extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                                                     String contentType, List<Charset> charsets, int code,
                                                     String message, Throwable cause) {
            return JsonErrorHandler.write(request, response, callback, code, message);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            return badMessage(status, reason, fields);
        }
    }

    /** For the application's servlet context. */
    public static class Servlet extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                                                     String contentType, List<Charset> charsets, int code,
                                                     String message, Throwable cause) {
            return JsonErrorHandler.write(request, response, callback, code, message);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            return badMessage(status, reason, fields);
        }
    }
}
