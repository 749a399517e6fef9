package io.switchboard.core.members;

import java.util.Locale;
import java.util.Optional;

/** A member's role in one company: owner (members, keys, settings) ⊃ editor (profile actions, campaigns) ⊃ viewer. */
public enum Role {
    VIEWER, EDITOR, OWNER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(Role other) {
        return ordinal() >= other.ordinal();
    }

    public static Optional<Role> parse(String s) {
        if (s == null) return Optional.empty();
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "owner" -> Optional.of(OWNER);
            case "editor" -> Optional.of(EDITOR);
            case "viewer" -> Optional.of(VIEWER);
            default -> Optional.empty();
        };
    }
}
