package io.switchboard.core.identity;

/** A normalised identifier value. */
public record Identifier(IdentifierKind kind, String value) implements Comparable<Identifier> {
    @Override
    public int compareTo(Identifier o) {
        int c = kind.compareTo(o.kind);
        return c != 0 ? c : value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return kind.column() + ":" + value;
    }
}
