package io.switchboard.resources;

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
            Throwable t = failure;
            while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                    && t.getCause() != null) {
                t = t.getCause();
            }
            response.resume(t);
        }
    }
}
