package io.switchboard.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.config.JdbiConfig;

/**
 * What the units of one {@link GroupCommit} batch attempt share inside their one transaction, kept in the
 * handle's own config registry (like {@code db.Daos}), so services reach it from the {@link Handle} they
 * are given and nothing else changes shape.
 *
 * <ul>
 *   <li>{@link #units()}: every unit of the attempt, so a service can read ahead for all of them at once
 *       (the identity core reads the owners of every identifier of a batch in one statement);</li>
 *   <li>{@link #state}: per-attempt values by key;</li>
 *   <li>{@link #beforeCommit}: work deferred to the end of the attempt and run once for all units, before
 *       the COMMIT (the event store inserts the events of every unit in one statement).</li>
 * </ul>
 *
 * Outside a group-commit attempt (a {@link Tx} transaction, a unit re-run alone) the scope is inactive:
 * {@link #active()} is false and services do their work inline. Every attempt starts empty: a batch that
 * is rolled back and re-run reads ahead again.
 */
public final class BatchScope implements JdbiConfig<BatchScope> {
    private boolean active;
    private List<?> units = List.of();
    private final Map<Object, Object> state = new HashMap<>();
    private final Map<Object, Consumer<Handle>> beforeCommit = new LinkedHashMap<>();

    public BatchScope() {}

    @Override
    public BatchScope createCopy() {
        return new BatchScope();
    }

    public static BatchScope of(Handle h) {
        return h.getConfig(BatchScope.class);
    }

    /** True inside a group-commit attempt. */
    public boolean active() {
        return active;
    }

    /** The units of this attempt (the functions handed to {@link GroupCommit#submit}), in order. */
    public List<?> units() {
        return units;
    }

    /** The value under {@code key} for this attempt, created on first use. */
    @SuppressWarnings("unchecked")
    public <T> T state(Object key, Supplier<T> init) {
        return (T) state.computeIfAbsent(key, k -> init.get());
    }

    /** The value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public <T> T peek(Object key) {
        return (T) state.get(key);
    }

    /** Runs {@code work} once before this attempt commits (registering the same key again is a no-op). */
    public void beforeCommit(Object key, Consumer<Handle> work) {
        beforeCommit.putIfAbsent(key, work);
    }

    void begin(List<?> units) {
        reset();
        this.units = List.copyOf(units);
        this.active = true;
    }

    /** Runs the deferred work (in registration order; work may register more). */
    void flush(Handle h) {
        while (!beforeCommit.isEmpty()) {
            List<Map.Entry<Object, Consumer<Handle>>> work = new ArrayList<>(beforeCommit.entrySet());
            beforeCommit.clear();
            for (var w : work) w.getValue().accept(h);
        }
    }

    void end() {
        reset();
    }

    private void reset() {
        active = false;
        units = List.of();
        state.clear();
        beforeCommit.clear();
    }
}
