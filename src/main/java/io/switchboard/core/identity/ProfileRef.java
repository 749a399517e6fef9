package io.switchboard.core.identity;

/**
 * How a client names an existing profile: by its id, or by one identifier it owns. Resolved by
 * {@link IdentityService} inside the unit of work that uses it, following merge tombstones to the
 * survivor — the one place that rule lives — so a merge that lands meanwhile cannot make the caller act
 * on a stale profile.
 */
public sealed interface ProfileRef {
    /** A profile id; a tombstone's id stands for the profile it was merged into. */
    record ById(String id) implements ProfileRef {}

    /** The live profile that owns this identifier (the raw value; normalised like any write). */
    record ByIdentifier(IdentifierKind kind, String value) implements ProfileRef {}

    static ProfileRef byId(String id) {
        return new ById(id);
    }

    static ProfileRef by(IdentifierKind kind, String value) {
        return new ByIdentifier(kind, value);
    }
}
