package io.switchboard.core.identity;

import io.switchboard.db.ProfileDao;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Every change of identifier ownership (claim, release, move, tombstone, deletion) goes through here, bound
 * to the unit of work's {@link OwnerSnapshot} (built only by {@link OwnerSnapshot#writes}); each method marks
 * what it changes in the snapshot before changing it — by construction, so a new identity operation cannot
 * forget to, and a later unit of the same batch never answers from a stale read-ahead.
 * {@code LayerDependenciesTest} checks that nothing else calls these {@code ProfileDao} methods nor
 * {@link OwnerSnapshot#touched}.
 */
final class IdentifierWrites {
    private final ProfileDao dao;
    private final long companyId;
    private final OwnerSnapshot snapshot;

    IdentifierWrites(ProfileDao dao, long companyId, OwnerSnapshot snapshot) {
        this.dao = Objects.requireNonNull(dao);
        this.companyId = companyId;
        this.snapshot = Objects.requireNonNull(snapshot, "an identifier write needs its unit of work's snapshot");
    }

    ProfileDao dao() {
        return dao;
    }

    long companyId() {
        return companyId;
    }

    /** Claims identifiers (sorted) for a profile; the identifiers actually claimed. */
    List<String> claim(String profileId, List<Identifier> sorted) {
        snapshot.touched(companyId, List.of(profileId), sorted);
        return dao.claim(companyId, profileId, sorted.stream().map(i -> i.kind().column()).toArray(String[]::new),
                sorted.stream().map(Identifier::value).toArray(String[]::new));
    }

    void release(String profileId, Identifier i) {
        snapshot.touched(companyId, List.of(profileId), List.of(i));
        dao.release(companyId, profileId, i.kind().column(), i.value());
    }

    void move(String from, String to, Identifier i) {
        snapshot.touched(companyId, List.of(from, to), List.of(i));
        dao.moveIdentifier(companyId, from, to, i.kind().column());
    }

    void moveAnonymousIds(String from, String to) {
        snapshot.touched(companyId, List.of(from, to), List.of());
        dao.moveAnonymousIds(companyId, from, to);
    }

    void tombstone(String loser, String survivor, Instant now) {
        snapshot.touched(companyId, List.of(loser, survivor), List.of());
        dao.tombstone(companyId, loser, survivor, now);
    }

    /**
     * Creates a new person with its identifiers (sorted) and its history record in one statement; the
     * identifiers actually claimed ({@code kind:value}).
     */
    List<String> create(Draft d, List<Identifier> sorted, String attributes, String properties, String writeTimes,
                        Instant now, String identifiers, String rule, String credential, String source) {
        snapshot.touched(companyId, List.of(d.id), sorted);
        return dao.create(companyId, d.id, d.externalId, d.email, d.phoneNumber, attributes, properties, writeTimes, now,
                sorted.stream().map(i -> i.kind().column()).toArray(String[]::new),
                sorted.stream().map(Identifier::value).toArray(String[]::new), identifiers, rule, credential, source);
    }

    /** Saves a profile's row (identifier copies, attributes, properties, write times, last event). */
    void update(Draft d, String attributes, String properties, String writeTimes, Instant now) {
        snapshot.rowWritten(companyId, d.id);
        dao.update(companyId, d.id, d.externalId, d.email, d.phoneNumber, attributes, properties, writeTimes,
                d.createdAt, d.lastEventAt, now);
    }

    void delete(List<String> profiles) {
        snapshot.touched(companyId, profiles, List.of());
        String[] arr = profiles.toArray(String[]::new);
        dao.deleteHistory(companyId, arr);
        dao.delete(companyId, arr);
    }
}
