package io.switchboard.core.identity;

/** Identifier kinds, highest rank first for anchor choice (external_id is handled by its own rule). */
public enum IdentifierKind {
    EXTERNAL_ID("external_id"), EMAIL("email"), PHONE_NUMBER("phone_number"), ANONYMOUS_ID("anonymous_id");

    private final String column;

    IdentifierKind(String column) {
        this.column = column;
    }

    public String column() { return column; }

    /** At most one per profile (all but anonymous ids). */
    public boolean single() { return this != ANONYMOUS_ID; }

    public static IdentifierKind of(String column) {
        for (IdentifierKind k : values()) if (k.column.equals(column)) return k;
        throw new IllegalArgumentException(column);
    }
}
