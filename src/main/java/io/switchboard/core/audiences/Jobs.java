package io.switchboard.core.audiences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.db.JobDao;
import io.switchboard.errors.ApiException;
import java.util.ArrayList;
import java.util.List;

/** Reading job rows into {@link Job}s. */
final class Jobs {
    static final ObjectMapper JSON = new ObjectMapper();

    private Jobs() {}

    static Job of(JobDao.JobRow r) {
        List<Job.ItemError> errors = new ArrayList<>();
        try {
            for (JsonNode e : JSON.readTree(r.errors())) {
                errors.add(new Job.ItemError(e.path("index").asInt(), e.path("pointer").asText(null),
                        e.path("detail").asText()));
            }
        } catch (Exception e) {
            throw new IllegalStateException("unreadable job errors", e);
        }
        return new Job(r.id(), Job.Kind.ofType(r.kind()), r.status(), r.createdAt(), r.startedAt(), r.completedAt(),
                r.totalCount(), r.completedCount(), r.failedCount(), r.skippedCount(), List.of(r.listIds()),
                List.of(r.profileIds()), errors);
    }

    static ApiException missing(Job.Kind kind, String id) {
        return ApiException.notFound("No " + kind.type() + " with id `" + id + "`.");
    }
}
