package io.switchboard.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;

/** Builds an error response in a dialect's own shape (see tenancy.md, "Error envelopes"). */
public final class ErrorResponses {
    public static final MediaType JSON_API = MediaType.valueOf("application/vnd.api+json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ErrorResponses() {}

    public static Response build(Dialect dialect, ApiException e) {
        return build(dialect, e.kind(), e.detail(), e.pointer(), e.parameter(), e.meta(), e.headers(), null);
    }

    public static Response build(Dialect dialect, ErrorKind kind, String detail, String pointer, String parameter,
                                 Map<String, Object> meta, Map<String, String> headers, String errorId) {
        int status = dialect.statusFor(kind);
        Response.ResponseBuilder rb = Response.status(status);
        if (headers != null) {
            headers.forEach(rb::header);
        }
        String message = detail == null ? kind.title() : detail;
        switch (dialect) {
            case PARCELVOY -> {
                ObjectNode body = MAPPER.createObjectNode().put("status", "error").put("error", message);
                if (errorId != null) body.put("error_id", errorId);
                return rb.type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
            }
            case DITTOFEED, SEGMENT -> {
                ObjectNode body = MAPPER.createObjectNode().put("message", message);
                if (errorId != null) body.put("error_id", errorId);
                return rb.type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
            }
            default -> {
                ObjectNode err = MAPPER.createObjectNode();
                err.put("id", errorId != null ? errorId : UUID.randomUUID().toString());
                err.put("status", status);
                err.put("code", kind.code());
                err.put("title", kind.title());
                err.put("detail", message);
                if (pointer != null || parameter != null) {
                    ObjectNode source = err.putObject("source");
                    if (pointer != null) source.put("pointer", pointer);
                    if (parameter != null) source.put("parameter", parameter);
                }
                if (meta != null && !meta.isEmpty()) {
                    err.set("meta", MAPPER.valueToTree(meta));
                }
                ObjectNode body = MAPPER.createObjectNode();
                body.putArray("errors").add(err);
                return rb.type(JSON_API).entity(body).build();
            }
        }
    }
}
