package io.switchboard.errors;

/** Dialect-neutral error categories; each dialect renders them in its own shape and status. */
public enum ErrorKind {
    INVALID(400, "invalid", "Invalid input."),
    NOT_AUTHENTICATED(401, "not_authenticated", "Authentication credentials were not provided or are invalid."),
    PERMISSION_DENIED(403, "permission_denied", "You do not have permission to perform this action."),
    NOT_FOUND(404, "not_found", "Not found."),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method not allowed."),
    NOT_ACCEPTABLE(406, "not_acceptable", "Not acceptable."),
    // Klaviyo titles this error "Conflict."; detail and meta.duplicate_profile_id say more (research §4)
    DUPLICATE_PROFILE(409, "duplicate_profile", "Conflict."),
    CONFLICT(409, "conflict", "Conflict."),
    GONE(410, "gone", "Gone."),
    /** Well-formed but semantically unusable input (e.g. a template that does not compile). */
    UNPROCESSABLE(422, "invalid", "Unprocessable entity."),
    PAYLOAD_TOO_LARGE(413, "payload_too_large", "Request entity too large."),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "Unsupported media type."),
    THROTTLED(429, "throttled", "Request was throttled."),
    SERVER_ERROR(500, "error", "A server error occurred."),
    UNAVAILABLE(503, "service_unavailable", "Service temporarily unavailable.");

    private final int status;
    private final String code;
    private final String title;

    ErrorKind(int status, String code, String title) {
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public int status() { return status; }
    public String code() { return code; }
    public String title() { return title; }

    public static ErrorKind forStatus(int status) {
        for (ErrorKind k : values()) {
            if (k.status == status && k != DUPLICATE_PROFILE) {
                return k;
            }
        }
        return status >= 500 ? SERVER_ERROR : INVALID;
    }
}
