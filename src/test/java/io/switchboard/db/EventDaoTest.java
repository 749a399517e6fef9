package io.switchboard.db;

import static io.switchboard.db.DaoTestSupport.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hand-written SQL of {@link EventDao} on real PostgreSQL: reads and deletes scoped by company_id,
 * keyset pages on (occurred_at, id) that neither skip nor repeat rows sharing a time, the survivor's id
 * shown for a merged profile's events, and last_event_at only moving forward.
 */
class EventDaoTest {
    static Jdbi jdbi;
    static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");
    static final Instant FROM = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant TO = Instant.parse("2100-01-01T00:00:00Z");
    static final String[] TYPES = {"track", "identify"};

    @BeforeAll
    static void setUp() {
        jdbi = DaoTestSupport.newJdbi();
    }

    static void profile(long company, String id) {
        jdbi.useHandle(h -> h.attach(ProfileDao.class).insert(company, id, null, null, null, "{}", "{}", "{}", T0));
    }

    /** One event per (id, time); all of {@code profile}, named "Viewed". */
    static void events(long company, String profile, List<String> ids, List<Instant> at) {
        int n = ids.size();
        String[] occurred = new String[n];
        String[] nulls = new String[n];
        String[] profiles = new String[n];
        String[] types = new String[n];
        String[] names = new String[n];
        String[] props = new String[n];
        String[] sources = new String[n];
        for (int i = 0; i < n; i++) {
            occurred[i] = at.get(i).toString();
            profiles[i] = profile;
            types[i] = "track";
            names[i] = "Viewed";
            props[i] = "{\"i\":" + i + "}";
            sources[i] = "test";
        }
        jdbi.useTransaction(h -> h.attach(EventDao.class).insert(company, T0, occurred, ids.toArray(String[]::new),
                profiles, types, names, props, nulls, nulls, sources, nulls, nulls));
    }

    static List<EventDao.EventRow> byCompany(long company, Instant afterTime, String afterId, boolean desc, int limit) {
        return jdbi.withHandle(h -> h.attach(EventDao.class).byCompany(company, TYPES, null, false, FROM, TO,
                afterTime, afterId, desc ? "DESC" : "ASC", desc ? "<" : ">", limit));
    }

    @Test
    void anotherCompanysIdSeesAndDeletesNothing() {
        long a = DaoTestSupport.company(jdbi, "EDAOA1");
        long b = DaoTestSupport.company(jdbi, "EDAOB1");
        String p = id("01EVP", 1);
        profile(a, p);
        String e = id("01EVSCOPE", 1);
        events(a, p, List.of(e), List.of(T0));

        jdbi.useTransaction(h -> {
            EventDao dao = h.attach(EventDao.class);
            assertThat(dao.find(b, e, FROM, TO)).isEmpty();
            assertThat(dao.byCompany(b, TYPES, null, false, FROM, TO, null, null, "ASC", ">", 10)).isEmpty();
            assertThat(dao.byProfiles(b, new String[] {p}, TYPES, null, false, FROM, TO, null, null, "ASC", ">", 10)).isEmpty();
            assertThat(dao.markLastEvent(b, new String[] {p}, new String[] {T0.plusSeconds(5).toString()})).isZero();
            assertThat(dao.deleteForProfiles(b, new String[] {p})).isZero();
        });
        jdbi.useTransaction(h -> {
            EventDao dao = h.attach(EventDao.class);
            assertThat(dao.find(a, e, FROM, TO)).map(EventDao.EventRow::profileId).contains(p);
            assertThat(dao.byProfiles(a, new String[] {p}, TYPES, "Viewed", true, FROM, TO, null, null, "ASC", ">", 10))
                    .extracting(EventDao.EventRow::id).containsExactly(e);
        });
        assertThat(jdbi.withHandle(h -> h.attach(ProfileDao.class).find(a, p)).orElseThrow().lastEventAt()).isNull();
    }

    @Test
    void keysetPagesNeitherSkipNorRepeatRowsSharingATime() {
        long c = DaoTestSupport.company(jdbi, "EDAOC1");
        String p = id("01EVPAGE", 0);
        profile(c, p);
        List<String> ids = new ArrayList<>();
        List<Instant> at = new ArrayList<>();
        // 9 events; ids 3..7 share one time, and id order differs from insertion order
        int[] order = {5, 1, 8, 3, 0, 7, 2, 6, 4};
        for (int k : order) {
            ids.add(id("01EVPAGE", 100 + k));
            at.add(k >= 3 && k <= 7 ? T0.plusSeconds(10) : T0.plusSeconds(k));
        }
        events(c, p, ids, at);
        List<String> asc = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) asc.add(ids.get(i) + "@" + at.get(i));
        asc.sort(Comparator.comparing((String s) -> Instant.parse(s.substring(27))).thenComparing(s -> s.substring(0, 26)));

        for (boolean desc : new boolean[] {false, true}) {
            List<String> walked = new ArrayList<>();
            Instant afterTime = null;
            String afterId = null;
            for (int guard = 0; guard < 10; guard++) {
                List<EventDao.EventRow> page = byCompany(c, afterTime, afterId, desc, 2);
                page.forEach(r -> walked.add(r.id() + "@" + r.occurredAt()));
                if (page.size() < 2) break;
                afterTime = page.get(1).occurredAt();
                afterId = page.get(1).id();
            }
            List<String> expected = new ArrayList<>(asc);
            if (desc) java.util.Collections.reverse(expected);
            assertThat(walked).as(desc ? "descending" : "ascending").containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aMergedProfilesEventsShowTheSurvivorAndLastEventOnlyMovesForward() {
        long c = DaoTestSupport.company(jdbi, "EDAOD1");
        String loser = id("01EVLOSER", 1);
        String survivor = id("01EVSURV", 1);
        profile(c, loser);
        profile(c, survivor);
        String e = id("01EVMERGED", 1);
        events(c, loser, List.of(e), List.of(T0));
        jdbi.useTransaction(h -> h.attach(ProfileDao.class).tombstone(c, loser, survivor, T0));
        assertThat(byCompany(c, null, null, false, 10)).extracting(EventDao.EventRow::profileId).containsExactly(survivor);

        String[] one = {survivor};
        int forward = jdbi.inTransaction(h -> h.attach(EventDao.class).markLastEvent(c, one,
                new String[] {T0.plusSeconds(60).toString()}));
        int backward = jdbi.inTransaction(h -> h.attach(EventDao.class).markLastEvent(c, one,
                new String[] {T0.plusSeconds(30).toString()}));
        assertThat(forward).isEqualTo(1);
        assertThat(backward).as("an older time does not move it back").isZero();
        assertThat(jdbi.withHandle(h -> h.attach(ProfileDao.class).find(c, survivor)).orElseThrow().lastEventAt())
                .isEqualTo(T0.plusSeconds(60));
    }
}
