package io.switchboard.db;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.TestDatabase;
import org.jdbi.v3.core.Jdbi;

/** A fresh migrated database (TestDatabase) with the application's Jdbi set-up, for DAO tests without the app. */
final class DaoTestSupport {
    private DaoTestSupport() {}

    static Jdbi newJdbi() {
        return SwitchboardApplication.newJdbi(Jdbi.create(TestDatabase.newDatabase(), "postgres", ""), new ObjectMapper());
    }

    static long company(Jdbi jdbi, String publicId) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES (:p, :p) RETURNING id")
                .bind("p", publicId).mapTo(Long.class).one());
    }

    /** A 26-character id (the width of profile and event ids) ending in {@code suffix}. */
    static String id(String prefix, int n) {
        String s = prefix + String.format("%0" + (26 - prefix.length()) + "d", n);
        return s.substring(0, 26);
    }
}
