package io.switchboard.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * db/EventCopy writes exactly what EventDao.insert writes — awkward values included (tabs, newlines,
 * backslashes, JSON escapes, non-ASCII, nulls) — and fails on a duplicate the same way.
 */
class EventCopyTest {
    static Jdbi jdbi;
    static long company;

    @BeforeAll
    static void setUp() {
        jdbi = SwitchboardApplication.newJdbi(Jdbi.create(TestDatabase.newDatabase(), "postgres", ""),
                new com.fasterxml.jackson.databind.ObjectMapper());
        company = jdbi.withHandle(h -> h.createQuery(
                "INSERT INTO companies (public_id, name) VALUES ('COPY01', 'copy') RETURNING id").mapTo(Long.class).one());
    }

    static final String[] NAMES = {"Tab\there", "Line\nbreak\r\nCR", "Back\\slash \\N", "Ünïcødé ✓ 😀", null};
    static final String[] PROPS = {"{\"a\":\"x\\ty\"}", "{\"q\":\"quote \\\" and \\\\ backslash\",\"n\":\"\\n\"}",
            "{}", "{\"u\":\"\\u00e9\",\"nested\":{\"k\":[1,2.5,null]}}", "{\"s\":\"\\\\N\"}"};

    /** n rows; the arrays of EventDao.insert. */
    static String[][] rows(String prefix, int n) {
        String[][] a = new String[11][n];
        for (int i = 0; i < n; i++) {
            a[0][i] = Instant.parse("2026-11-30T05:00:00Z").plusMillis(i).toString();
            a[1][i] = String.format("%s%020d", prefix, i);
            a[2][i] = "01PROFILE" + (i % 3);
            a[3][i] = i % 2 == 0 ? "track" : "identify";
            a[4][i] = NAMES[i % NAMES.length];
            a[5][i] = PROPS[i % PROPS.length];
            a[6][i] = i % 4 == 0 ? null : (i + ".25");
            a[7][i] = i % 4 == 0 ? null : "EUR";
            a[8][i] = "segment";
            a[9][i] = i % 3 == 0 ? null : "dedup\t" + i;
            a[10][i] = i % 5 == 0 ? null : "{\"raw\":\"line\\nnext\",\"t\":\"tab\\there\"}";
        }
        return a;
    }

    static List<Map<String, Object>> read(String prefix) {
        return jdbi.withHandle(h -> h.createQuery("SELECT substr(id, 7) AS k, occurred_at, profile_id, type, name, "
                        + "properties::text AS p, value, value_currency, received_at, source, dedup_key, raw::text AS r "
                        + "FROM events WHERE company_id = :c AND id LIKE :p ORDER BY id")
                .bind("c", company).bind("p", prefix + "%").mapToMap().list());
    }

    @Test
    void copyWritesWhatTheInsertWrites() {
        int n = Math.max(EventCopy.MIN_ROWS, 25);
        Instant received = Instant.parse("2026-11-30T05:01:02.345Z");
        String[][] viaInsert = rows("INSERT", n);
        String[][] viaCopy = rows("COPYYY", n);
        int inserted = jdbi.inTransaction(h -> Daos.attach(h, EventDao.class).insert(company, received, viaInsert[0],
                viaInsert[1], viaInsert[2], viaInsert[3], viaInsert[4], viaInsert[5], viaInsert[6], viaInsert[7],
                viaInsert[8], viaInsert[9], viaInsert[10]));
        int copied = jdbi.inTransaction(h -> EventCopy.insert(h, company, received, viaCopy[0], viaCopy[1], viaCopy[2],
                viaCopy[3], viaCopy[4], viaCopy[5], viaCopy[6], viaCopy[7], viaCopy[8], viaCopy[9], viaCopy[10]));
        assertThat(inserted).isEqualTo(n);
        assertThat(copied).isEqualTo(n);
        List<Map<String, Object>> a = read("INSERT");
        List<Map<String, Object>> b = read("COPYYY");
        assertThat(b).hasSize(n).isEqualTo(a);
        assertThat(b.get(1).get("name")).isEqualTo("Line\nbreak\r\nCR");
        assertThat(b.get(2).get("name")).isEqualTo("Back\\slash \\N");
        assertThat(b.get(4).get("name")).isNull();
    }

    @Test
    void aDuplicateFailsTheCopyAndWritesNothing() {
        int n = EventCopy.MIN_ROWS + 2;
        Instant received = Instant.now();
        String[][] r = rows("DUPDUP", n);
        r[1][n - 1] = r[1][0];
        r[0][n - 1] = r[0][0];
        assertThatThrownBy(() -> jdbi.useTransaction(h -> EventCopy.insert(h, company, received, r[0], r[1], r[2], r[3],
                r[4], r[5], r[6], r[7], r[8], r[9], r[10])))
                .hasRootCauseInstanceOf(org.postgresql.util.PSQLException.class)
                .rootCause().hasMessageContaining("duplicate key");
        assertThat(read("DUPDUP")).isEmpty();
    }
}
