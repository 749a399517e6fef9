package io.switchboard.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.config.JdbiConfig;

/**
 * The profiles a unit of work changed (wrote the profile, gave it an event, changed its consent, list
 * memberships or suppression), handed once per transaction to whoever keeps derived data about profiles
 * — today the segment queue (core/audiences/SegmentQueue). Write paths of the core call
 * {@link #add(Handle, long, Collection)}; nothing is written here.
 *
 * <p>When the ids are handed over:
 * <ul>
 *   <li>inside a group-commit attempt: once for all units of the attempt, just before its COMMIT (after
 *       every {@link BatchHandler#beforeCommit}, e.g. the deferred events INSERT, which adds its own ids);</li>
 *   <li>inside a {@link Tx} unit: once, when the unit returns, in the same transaction;</li>
 *   <li>anywhere else (a bare transaction): at once.</li>
 * </ul>
 * The sink is asked first whether the company wants them at all ({@link Sink#wants}): a company without
 * segments costs one cache lookup per write. Kept in the handle's config registry;
 * the sink is shared by every copy (it is installed once on the Jdbi).
 */
public final class ChangedProfiles implements JdbiConfig<ChangedProfiles> {

    /** Receives the changed profiles of one transaction. */
    public interface Sink {
        /** Whether this company's changes are wanted (cheap: cached). */
        boolean wants(Handle h, long companyId);

        /** All changed profiles of the transaction, companies and ids in ascending order; one statement. */
        void accept(Handle h, Map<Long, ? extends Collection<String>> byCompany);
    }

    private static final class Holder {
        volatile Sink sink;
    }

    private final Holder holder;
    private boolean deferred;
    private final Map<Long, TreeSet<String>> pending = new TreeMap<>();

    public ChangedProfiles() {
        this(new Holder());
    }

    private ChangedProfiles(Holder holder) {
        this.holder = holder;
    }

    @Override
    public ChangedProfiles createCopy() {
        return new ChangedProfiles(holder);
    }

    public static ChangedProfiles of(Handle h) {
        return h.getConfig(ChangedProfiles.class);
    }

    /** Installs the sink (on the Jdbi's own config: every handle shares it). */
    public ChangedProfiles sink(Sink sink) {
        holder.sink = sink;
        return this;
    }

    public static void add(Handle h, long companyId, String profileId) {
        if (profileId != null) add(h, companyId, List.of(profileId));
    }

    /** Records that these profiles of this company changed in {@code h}'s transaction. */
    public static void add(Handle h, long companyId, Collection<String> profileIds) {
        if (profileIds.isEmpty()) return;
        ChangedProfiles c = of(h);
        Sink sink = c.holder.sink;
        if (sink == null || !sink.wants(h, companyId)) return;
        Map<Long, TreeSet<String>> into;
        if (c.deferred) {
            into = c.pending;
        } else {
            Map<Long, TreeSet<String>> now = new TreeMap<>();
            now.put(companyId, new TreeSet<>(nonNull(profileIds)));
            sink.accept(h, now);
            return;
        }
        into.computeIfAbsent(companyId, k -> new TreeSet<>()).addAll(nonNull(profileIds));
    }

    private static Collection<String> nonNull(Collection<String> ids) {
        List<String> out = new ArrayList<>(ids.size());
        for (String id : ids) if (id != null) out.add(id); // (List.of(…).contains(null) throws)
        return out;
    }

    /** Tx and a group-commit attempt: from now on collect instead of handing over at once. */
    void beginUnit() {
        deferred = true;
        pending.clear();
    }

    /** Tx: the unit returned (group commit: the attempt is about to COMMIT); hand over what it changed (same transaction). */
    void endUnit(Handle h) {
        try {
            Sink sink = holder.sink;
            if (sink != null && !pending.isEmpty()) sink.accept(h, pending);
        } finally {
            reset();
        }
    }

    void reset() {
        deferred = false;
        pending.clear();
    }
}
