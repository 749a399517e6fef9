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
    /** Read ahead: by company, identifier → its live owner (locked FOR KEY SHARE — FOR UPDATE when settled — until the commit). */
    private final Map<Long, Map<Identifier, String>> owners;
    /**
     * Read ahead and settled ({@link IdentityService#readAhead(org.jdbi.v3.core.Handle, Map, boolean)}): by
     * company, the identifiers whose owner was read twice, the second time under the owners' lock, with the
     * same answer — a live owner, or none.
     */
    private final Map<Long, Set<Identifier>> settled;
    private final Set<String> touchedProfiles = new HashSet<>();
    private final Set<String> touchedIdentifiers = new HashSet<>();
    /**
     * The owners' rows as the settling read-ahead locked them FOR UPDATE (by company and id): no other
     * transaction can change them until the commit, so the first unit that needs one takes it from here instead
     * of locking it again. A row leaves when it is taken, and when a write of this unit of work changes it
     * ({@link #rowWritten}): one never serves a unit after any unit of the batch wrote that profile.
     */
    private final Map<String, Profile> lockedRows;

    private OwnerSnapshot(Map<Long, Map<Identifier, String>> owners, Map<Long, Set<Identifier>> settled,
                          Map<String, Profile> lockedRows) {
        this.owners = owners;
        this.settled = settled;
        this.lockedRows = lockedRows;
    }

    /** Nothing read ahead: every resolution takes the full path. */
    public static OwnerSnapshot none() {
        return new OwnerSnapshot(Map.of(), Map.of(), new HashMap<>());
    }

    /**
     * What a read-ahead found: by company, the live owners; the identifiers looked up and found either unowned
     * or owned by a live person ({@code settled}), so that {@link #ownersIfSettled} can answer for them; and the
     * live owners' rows the settling read-ahead locked.
     */
    static OwnerSnapshot of(Map<Long, Map<Identifier, String>> owners, Map<Long, Set<Identifier>> settled,
                            Map<Long, List<Profile>> lockedRows) {
        Map<String, Profile> rows = new HashMap<>();
        lockedRows.forEach((companyId, ps) -> ps.forEach(p -> rows.put(rowKey(companyId, p.id()), p)));
        return new OwnerSnapshot(new HashMap<>(owners), new HashMap<>(settled), rows);
    }

    /**
     * The rows of {@code ids} as the read-ahead locked them, when every one of them is still here — none taken
     * and none written by this unit of work since — and then they leave (each serves one unit); else null and
     * nothing leaves (lock and read them).
     */
    List<Profile> takeLockedRows(long companyId, String[] ids) {
        if (lockedRows.isEmpty()) return null;
        List<Profile> out = new java.util.ArrayList<>(ids.length);
        for (String id : ids) {
            Profile p = lockedRows.get(rowKey(companyId, id));
            if (p == null) return null;
            out.add(p);
        }
        for (String id : ids) lockedRows.remove(rowKey(companyId, id));
        return out;
    }

    /** Only {@link IdentifierWrites} calls this, before it writes a profile's row. */
    void rowWritten(long companyId, String profileId) {
        lockedRows.remove(rowKey(companyId, profileId));
    }

    private static String rowKey(long companyId, String profileId) {
        return companyId + "\u0000" + profileId;
    }

    /**
     * The owners of {@code ids} as read ahead — identifier → live owner, in the order of {@code ids}, unowned
     * identifiers absent (as {@code ProfileDao.owners} answers) — when every one of them was read ahead and
     * settled (unowned, or owned by a live person locked since), and none of them nor any of their owners was
     * changed by this unit of work since; else null (ask the database, then lock and re-read).
     */
    java.util.LinkedHashMap<Identifier, String> ownersIfSettled(long companyId, List<Identifier> ids) {
        Set<Identifier> known = settled.get(companyId);
        if (known == null) return null;
        Map<Identifier, String> m = owners.getOrDefault(companyId, Map.of());
        java.util.LinkedHashMap<Identifier, String> out = new java.util.LinkedHashMap<>();
        for (Identifier i : ids) {
            if (!known.contains(i) || touchedIdentifiers.contains(key(companyId, i))) return null;
            String o = m.get(i);
            if (o != null) {
                if (touchedProfiles.contains(o)) return null;
                out.put(i, o);
            }
        }
        return out;
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
        for (String p : profiles) rowWritten(companyId, p);
        for (Identifier i : ids) touchedIdentifiers.add(key(companyId, i));
    }

    private static String key(long companyId, Identifier i) {
        return companyId + "\u0000" + i.kind().column() + "\u0000" + i.value();
    }
}
