package io.switchboard.resources;

import io.switchboard.core.GroupCommit;
import jakarta.ws.rs.container.AsyncResponse;
import java.util.function.Supplier;

/** Answers for suspended JAX-RS requests whose work completes on a group-commit committer. */
public final class Async {
    private Async() {}

    /**
     * Answers {@code response} once its unit's future completed: the success response, or the unit's own
     * exception through the exception mappers (as {@code resume(Throwable)}, never as an entity).
     */
    public static void resume(AsyncResponse response, Throwable failure, Supplier<Object> success) {
        if (failure == null) {
            response.resume(success.get());
        } else {
            response.resume((Throwable) GroupCommit.unwrap(failure));
        }
    }
}
