package io.switchboard.errors;

import java.util.Map;

/**
 * A failure the caller can act on. Thrown by resources and core services alike; rendered by
 * {@link ApiExceptionMapper} in the calling dialect's error shape. {@code pointer} is a JSON pointer
 * into the request body (e.g. {@code /data/attributes/email}); {@code parameter} names a query
 * parameter or header.
 */
public class ApiException extends RuntimeException {
    private final ErrorKind kind;
    private final String detail;
    private final String pointer;
    private final String parameter;
    private final Map<String, Object> meta;
    private final Map<String, String> headers;
    private final String field;

    public ApiException(ErrorKind kind, String detail, String pointer, String parameter,
                        Map<String, Object> meta, Map<String, String> headers) {
        super(detail, null, false, false);
        this.kind = kind;
        this.detail = detail;
        this.pointer = pointer;
        this.parameter = parameter;
        this.meta = meta;
        this.headers = headers == null ? Map.of() : headers;
        this.field = null;
    }

    private ApiException(ApiException e, String pointer, String field) {
        super(e.detail, null, false, false);
        this.kind = e.kind;
        this.detail = e.detail;
        this.pointer = pointer;
        this.parameter = e.parameter;
        this.meta = e.meta;
        this.headers = e.headers;
        this.field = field;
    }

    /**
     * A core error about a neutral field of a command ({@code email}, {@code phone_number},
     * {@code identifiers}…): core knows no wire format, so the dialect that sent the command places it
     * with {@link #at(String)}; unplaced, it renders without a pointer.
     */
    public ApiException onField(String field) {
        return new ApiException(this, pointer, field);
    }

    /** The same error at a dialect's pointer. */
    public ApiException at(String pointer) {
        return new ApiException(this, pointer, field);
    }

    /** The neutral field a core error is about, or null. */
    public String field() { return field; }

    public ApiException(ErrorKind kind, String detail, String pointer, String parameter, Map<String, Object> meta) {
        this(kind, detail, pointer, parameter, meta, null);
    }

    public ApiException(ErrorKind kind, String detail) {
        this(kind, detail, null, null, null);
    }

    /** 400-class validation error about a body field, e.g. {@code invalid("/data/attributes/email", "...")}. */
    public static ApiException invalid(String pointer, String detail) {
        return new ApiException(ErrorKind.INVALID, detail, pointer, null, null);
    }

    /** Validation error about a query parameter or header. */
    public static ApiException invalidParameter(String parameter, String detail) {
        return new ApiException(ErrorKind.INVALID, detail, null, parameter, null);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(ErrorKind.NOT_FOUND, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(ErrorKind.PERMISSION_DENIED, detail);
    }

    public ErrorKind kind() { return kind; }
    public String detail() { return detail; }
    public String pointer() { return pointer; }
    public String parameter() { return parameter; }
    public Map<String, Object> meta() { return meta; }
    public Map<String, String> headers() { return headers; }
}
