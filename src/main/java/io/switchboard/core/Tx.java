package io.switchboard.core;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * One unit of work = one transaction, retried whole on the failures that concurrency produces:
 * serialization failures, deadlocks, and unique / foreign-key violations from racing claims (the
 * identity rules re-run against the winner's committed state). A 2xx is only sent after commit.
 */
public final class Tx {
    private static final Set<String> RETRYABLE = Set.of("40001", "40P01", "23505", "23503");
    private static final int MAX_ATTEMPTS = 40;

    private final Jdbi jdbi;

    public Tx(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Thrown by a unit that saw a concurrent change and wants to run again from the start. */
    public static final class Retry extends RuntimeException {
        public Retry(String why) {
            super(why, null, false, false);
        }
    }

    public <R> R run(HandleCallback<R, RuntimeException> unit) {
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
                    // the profiles the unit changed are handed over once, at its end, in its transaction
                    ChangedProfiles changed = ChangedProfiles.of(h);
                    changed.beginUnit();
                    try {
                        R r = unit.withHandle(h);
                        changed.endUnit(h);
                        return r;
                    } finally {
                        changed.reset();
                    }
                });
            } catch (RuntimeException e) {
                if (attempt >= MAX_ATTEMPTS || !retryable(e)) {
                    throw e;
                }
                backoff(attempt);
            }
        }
    }

    public void use(java.util.function.Consumer<Handle> unit) {
        run(h -> {
            unit.accept(h);
            return null;
        });
    }

    static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Retry) return true;
            if (t instanceof SQLException s && s.getSQLState() != null && RETRYABLE.contains(s.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static void backoff(int attempt) {
        long max = Math.min(100, 2L << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(0, max + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a transaction", ie);
        }
    }
}
