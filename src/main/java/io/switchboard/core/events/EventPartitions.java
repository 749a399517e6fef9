package io.switchboard.core.events;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monthly partitions of {@code events}: created ahead (this month − 1 … + {@code monthsAhead}) at start-up
 * and daily. When the default partition already holds rows of a month being created, they are moved into
 * the new partition in the same transaction (PostgreSQL refuses to attach otherwise). Several server
 * processes may race here: an advisory lock serialises them. Retention: {@link #dropOlderThan} drops whole
 * months (DETACH + DROP), never row-by-row deletes.
 */
public class EventPartitions {
    private static final Logger LOG = LoggerFactory.getLogger(EventPartitions.class);
    private static final long LOCK = 0x5b0a_e7e1L;

    private final Jdbi jdbi;

    public EventPartitions(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public static String name(YearMonth m) {
        return String.format("events_p%04d%02d", m.getYear(), m.getMonthValue());
    }

    /** Ensures partitions from {@code from} to {@code from + count - 1} months exist; returns the ones created. */
    public List<String> ensure(YearMonth from, int count) {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            YearMonth m = from.plusMonths(i);
            if (create(m)) created.add(name(m));
        }
        if (!created.isEmpty()) LOG.info("created event partitions {}", created);
        return created;
    }

    public List<String> ensureAround(LocalDate today, int monthsAhead) {
        return ensure(YearMonth.from(today).minusMonths(1), monthsAhead + 2);
    }

    private boolean create(YearMonth m) {
        String name = name(m);
        String lo = m.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC).toString();
        String hi = m.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC).toString();
        return jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            boolean exists = h.createQuery("SELECT to_regclass(:n) IS NOT NULL").bind("n", name).mapTo(Boolean.class).one();
            if (exists) return false;
            boolean defaultHasRows = h.createQuery("SELECT EXISTS (SELECT 1 FROM events_default WHERE occurred_at >= "
                    + ":lo::timestamptz AND occurred_at < :hi::timestamptz)").bind("lo", lo).bind("hi", hi)
                    .mapTo(Boolean.class).one();
            String range = "FOR VALUES FROM ('" + lo + "') TO ('" + hi + "')";
            if (!defaultHasRows) {
                h.execute("CREATE TABLE " + name + " PARTITION OF events " + range);
            } else {
                h.execute("CREATE TABLE " + name + " (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
                h.execute("WITH moved AS (DELETE FROM events_default WHERE occurred_at >= '" + lo
                        + "' AND occurred_at < '" + hi + "' RETURNING *) INSERT INTO " + name + " SELECT * FROM moved");
                h.execute("ALTER TABLE events ATTACH PARTITION " + name + " " + range);
            }
            return true;
        });
    }

    /** Drops monthly partitions whose whole month ends before {@code cutoff} (retention). */
    public List<String> dropOlderThan(YearMonth cutoff) {
        List<String> names = jdbi.withHandle(h -> h.createQuery("SELECT c.relname FROM pg_inherits i "
                + "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                + "WHERE p.relname = 'events' AND c.relname ~ '^events_p[0-9]{6}$' ORDER BY 1").mapTo(String.class).list());
        List<String> dropped = new ArrayList<>();
        String limit = name(cutoff);
        for (String n : names) {
            if (n.compareTo(limit) < 0) {
                jdbi.useHandle(h -> {
                    h.execute("ALTER TABLE events DETACH PARTITION " + n);
                    h.execute("DROP TABLE " + n);
                });
                dropped.add(n);
            }
        }
        if (!dropped.isEmpty()) LOG.info("dropped event partitions {}", dropped);
        return dropped;
    }
}
