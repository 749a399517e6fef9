package io.switchboard.db;

import com.github.f4b6a3.ulid.UlidCreator;

/**
 * Ids of providers, campaigns, sends and API keys: ULIDs (26 characters, time-ordered, 80 random bits),
 * made by the application like profile and event ids. Not a sequence, so one tenant cannot count what
 * others create (issue #11), and nothing on the companies row is updated per insert (issue #16, Citus).
 * Rows created before migration 006 keep their old number as a decimal string.
 */
public final class Ids {
    private Ids() {}

    public static String newId() {
        return UlidCreator.getMonotonicUlid().toString();
    }

    /** Whether {@code raw} can be an id at all (a ULID or a legacy decimal id): anything else is simply not found. */
    public static boolean plausible(String raw) {
        return raw != null && raw.length() <= 26 && raw.matches("[0-9A-Za-z]+");
    }
}
