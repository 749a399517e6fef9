package io.switchboard.db;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Where the tables live: one PostgreSQL (the default) or a Citus cluster reached through its coordinator. */
public enum DatabaseMode {
    SINGLE, CITUS;

    @JsonCreator
    public static DatabaseMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("databaseMode must be 'single' or 'citus', not '" + s + "'");
        }
    }
}
