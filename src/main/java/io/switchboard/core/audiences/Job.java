package io.switchboard.core.audiences;

import java.time.Instant;
import java.util.List;

/**
 * An audience job as its owner sees it. {@code kind} is one of {@link Kind}; {@code errors} are the
 * items that failed (import-errors), each with its index in the request and why.
 */
public record Job(String id, Kind kind, String status, Instant createdAt, Instant startedAt, Instant completedAt,
                  int totalCount, int completedCount, int failedCount, int skippedCount, List<String> listIds,
                  List<String> profileIds, List<ItemError> errors) {

    public enum Kind {
        PROFILE_IMPORT("profile-bulk-import-job"), EVENT_CREATE("event-bulk-create-job"),
        SUPPRESSION_CREATE("profile-suppression-bulk-create-job"),
        SUPPRESSION_DELETE("profile-suppression-bulk-delete-job");

        private final String type;

        Kind(String type) {
            this.type = type;
        }

        /** The Klaviyo resource type, also the stored kind. */
        public String type() {
            return type;
        }

        public static Kind ofType(String type) {
            for (Kind k : values()) if (k.type.equals(type)) return k;
            throw new IllegalArgumentException(type);
        }
    }

    /** One failed item: its index in the submitted list, the JSON pointer inside it, and the reason. */
    public record ItemError(int index, String pointer, String detail) {}
}
