package io.switchboard.core.identity;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The identity side of one unit of work: the live owners read ahead for a group-commit batch ({@link
 * IdentityService#readAhead}), and every profile and identifier the unit of work's identity writes changed
 * since. Handed explicitly to {@link IdentityService#resolve(org.jdbi.v3.core.Handle, OwnerSnapshot, long,
 * Identifiers, ProfileWrite, WriteMode, WriteContext) resolve} and its siblings; the only way to change
 * identifier ownership ({@link IdentifierWrites}) is built from one and records into it before it writes, so
 * an identity write cannot forget to mark what it touched.
 *
 * <p>{@link #none()} is a fresh snapshot that read nothing ahead: a unit of work of its own (a {@code Tx}
 * transaction, a unit re-run alone). One snapshot serves one transaction attempt and one thread.
 */
public final class OwnerSnapshot {
    /** Read ahead: by company, identifier → its live owner (locked FOR KEY SHARE until the commit). */
    private final Map<Long, Map<Identifier, String>> owners;
    private final Set<String> touchedProfiles = new HashSet<>();
    private final Set<String> touchedIdentifiers = new HashSet<>();

    private OwnerSnapshot(Map<Long, Map<Identifier, String>> owners) {
        this.owners = owners;
    }

    /** Nothing read ahead: every resolution takes the full path. */
    public static OwnerSnapshot none() {
        return new OwnerSnapshot(Map.of());
    }

    static OwnerSnapshot of(Map<Long, Map<Identifier, String>> owners) {
        return new OwnerSnapshot(new HashMap<>(owners));
    }

    /** The identifier-write API of this unit of work over {@code dao}: every write marks this snapshot first. */
    IdentifierWrites writes(io.switchboard.db.ProfileDao dao, long companyId) {
        return new IdentifierWrites(dao, companyId, this);
    }

    /**
     * The one live owner of every identifier in {@code ids} as read ahead, when none of them and not that
     * owner was changed by this unit of work since; else null (take the full path).
     */
    String knownOwner(long companyId, List<Identifier> ids) {
        Map<Identifier, String> m = owners.get(companyId);
        if (m == null) return null;
        String owner = null;
        for (Identifier i : ids) {
            String o = m.get(i);
            if (o == null || (owner != null && !owner.equals(o)) || touchedIdentifiers.contains(key(companyId, i))) {
                return null;
            }
            owner = o;
        }
        return owner == null || touchedProfiles.contains(owner) ? null : owner;
    }

    /** Only {@link IdentifierWrites} calls this (checked by LayerDependenciesTest), before each write. */
    void touched(long companyId, Collection<String> profiles, Collection<Identifier> ids) {
        touchedProfiles.addAll(profiles);
        for (Identifier i : ids) touchedIdentifiers.add(key(companyId, i));
    }

    private static String key(long companyId, Identifier i) {
        return companyId + "\u0000" + i.kind().column() + "\u0000" + i.value();
    }
}
