package io.switchboard.core.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/** A profile as stored. {@code attributes} nests location as an object. */
public record Profile(long companyId, String id, String externalId, String email, String phoneNumber,
                      List<String> anonymousIds, ObjectNode attributes, ObjectNode properties, ObjectNode writeTimes,
                      Instant createdAt, Instant updatedAt, Instant lastEventAt, String mergedInto) {

    public boolean isTombstone() {
        return mergedInto != null;
    }
}
