package io.switchboard.core;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * How units of one kind run in a {@link GroupCommit} batch, with a typed context shared by the units of
 * this handler in one batch attempt (what {@code BatchScope}, an untyped per-handle map, used to carry).
 *
 * <p>Per attempt, {@link GroupCommit} groups the batch's units by handler (groups in order of their first
 * unit, units in submission order within a group) and, for each group in turn: {@link #prepare} with all the
 * group's units (read ahead for them, e.g. the owners of every identifier they name), then {@link #apply}
 * for each unit with that context. After every group ran, {@link #beforeCommit} once per group (deferred
 * set-based work, e.g. one events INSERT for all units), then the COMMIT. A group runs without any other
 * handler's unit in between, so what its context read ahead can only be changed by the group's own units —
 * which are handed the context and record their changes into it.
 *
 * <p>A rolled-back attempt is re-run from {@link #prepare}: contexts never outlive an attempt. A unit that
 * runs on its own (no group commit configured, or re-run alone after its batch failed) runs in its own
 * {@link Tx} transaction through {@link #runAlone}, with the context {@link #alone} gives (nothing read ahead).
 *
 * @param <U> the unit (a request's typed command)
 * @param <C> the context of one group in one attempt
 * @param <R> a unit's result, handed to its caller after the commit
 */
public interface BatchHandler<U, C, R> {

    /** The context for these units (in submission order) of one attempt; may read ahead for all of them. */
    C prepare(Handle h, List<U> units);

    /** The context for one unit in a transaction of its own: nothing read ahead. */
    C alone(Handle h, U unit);

    /** Runs one unit; it may run more than once (rolled back in between), as every {@link Tx} unit. */
    R apply(Handle h, C context, U unit);

    /** The group's deferred work, once, after every unit of the attempt ran and before the COMMIT. */
    void beforeCommit(Handle h, C context);

    /** One unit in the caller's transaction: {@link #alone}, {@link #apply}, {@link #beforeCommit}. */
    default R runAlone(Handle h, U unit) {
        C c = alone(h, unit);
        R r = apply(h, c, unit);
        beforeCommit(h, c);
        return r;
    }
}
