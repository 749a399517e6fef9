package io.switchboard.db;

import static io.switchboard.db.DaoTestSupport.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ProfileQuery;
import io.switchboard.core.identity.ProfileQuery.Cursor;
import io.switchboard.core.identity.ProfileQuery.SortField;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hand-written SQL of {@link ProfileDao} and {@link ProfileQueryDao} on real PostgreSQL: every
 * statement is scoped by company_id (another company's id sees and changes nothing), identifier claims
 * are first-come, tombstones re-point, and profile lists are keyset-paged without gaps or repeats.
 */
class ProfileDaoTest {
    static Jdbi jdbi;
    static long a;
    static long b;
    static final Instant NOW = Instant.parse("2026-11-30T06:00:00Z");

    @BeforeAll
    static void setUp() {
        jdbi = DaoTestSupport.newJdbi();
        a = DaoTestSupport.company(jdbi, "PDAOA1");
        b = DaoTestSupport.company(jdbi, "PDAOB1");
    }

    static void insert(long company, String id, String email) {
        jdbi.useTransaction(h -> {
            ProfileDao dao = h.attach(ProfileDao.class);
            dao.insert(company, id, null, email, null, "{}", "{}", "{}", NOW);
            if (email != null) dao.claim(company, id, new String[] {"email"}, new String[] {email});
        });
    }

    @Test
    void anotherCompanysIdSeesAndChangesNothing() {
        String p = id("01SCOPE", 1);
        insert(a, p, "scope@example.com");
        jdbi.useTransaction(h -> h.attach(ProfileDao.class).history(a, "create", p, null, "[]", "new", "sk", "test", "{}"));

        jdbi.useTransaction(h -> {
            ProfileDao dao = h.attach(ProfileDao.class);
            String[] ids = {p};
            assertThat(dao.find(b, p)).isEmpty();
            assertThat(dao.findAll(b, ids)).isEmpty();
            assertThat(dao.lock(b, ids)).isEmpty();
            assertThat(dao.ownersKeyShared(b, new String[] {"email"}, new String[] {"scope@example.com"})).isEmpty();
            assertThat(dao.owners(b, new String[] {"email"}, new String[] {"scope@example.com"})).isEmpty();
            assertThat(dao.history(b, ids)).isEmpty();
            assertThat(dao.tombstonesOf(b, p)).isEmpty();
            assertThat(dao.release(b, p, "email", "scope@example.com")).isZero();
            assertThat(dao.releaseAll(b, p)).isZero();
            assertThat(dao.moveIdentifier(b, p, id("01OTHER", 1), "email")).isZero();
            assertThat(dao.moveAnonymousIds(b, p, id("01OTHER", 1))).isZero();
            assertThat(dao.tombstone(b, p, id("01OTHER", 1), NOW)).isZero();
            assertThat(dao.deleteHistory(b, ids)).isZero();
            assertThat(dao.delete(b, ids)).isZero();
            dao.update(b, p, "x", "x@example.com", null, "{}", "{}", "{}", NOW, NOW, NOW);
            dao.markEvent(b, p, NOW.plusSeconds(60));
        });

        Profile still = jdbi.withHandle(h -> h.attach(ProfileDao.class).find(a, p)).orElseThrow();
        assertThat(still.email()).isEqualTo("scope@example.com");
        assertThat(still.externalId()).isNull();
        assertThat(still.lastEventAt()).isNull();
        assertThat(still.mergedInto()).isNull();
        List<ProfileDao.HistoryRow> history = jdbi.withHandle(h -> h.attach(ProfileDao.class).history(a, new String[] {p}));
        assertThat(history).hasSize(1);
        List<ProfileDao.Owner> owners = jdbi.withHandle(h -> h.attach(ProfileDao.class)
                .owners(a, new String[] {"email"}, new String[] {"scope@example.com"}));
        assertThat(owners).extracting(ProfileDao.Owner::profileId).containsExactly(p);

        // the same identifier is free in the other company: claims are per company
        String q = id("01SCOPEB", 1);
        jdbi.useTransaction(h -> h.attach(ProfileDao.class).insert(b, q, null, null, null, "{}", "{}", "{}", NOW));
        List<String> claimed = jdbi.inTransaction(h -> h.attach(ProfileDao.class)
                .claim(b, q, new String[] {"email"}, new String[] {"scope@example.com"}));
        assertThat(claimed).containsExactly("email:scope@example.com");
    }

    @Test
    void claimsAreFirstComeAndOwnersAreReadPerIdentifier() {
        String p = id("01CLAIM", 1);
        String q = id("01CLAIM", 2);
        insert(a, p, null);
        insert(a, q, null);
        List<String> first = jdbi.inTransaction(h -> h.attach(ProfileDao.class)
                .claim(a, p, new String[] {"email", "anonymous_id"}, new String[] {"c@example.com", "anon-1"}));
        assertThat(first).containsExactlyInAnyOrder("email:c@example.com", "anonymous_id:anon-1");
        // q asks for one taken and one free identifier: gets only the free one
        List<String> second = jdbi.inTransaction(h -> h.attach(ProfileDao.class)
                .claim(a, q, new String[] {"email", "anonymous_id"}, new String[] {"c@example.com", "anon-2"}));
        assertThat(second).containsExactly("anonymous_id:anon-2");

        List<ProfileDao.Owner> owners = jdbi.withHandle(h -> h.attach(ProfileDao.class).owners(a,
                new String[] {"email", "anonymous_id", "anonymous_id", "email"},
                new String[] {"c@example.com", "anon-1", "anon-2", "nobody@example.com"}));
        assertThat(owners).extracting(o -> o.kind() + ":" + o.value() + "=" + o.profileId())
                .containsExactlyInAnyOrder("email:c@example.com=" + p, "anonymous_id:anon-1=" + p,
                        "anonymous_id:anon-2=" + q);
        assertThat(jdbi.withHandle(h -> h.attach(ProfileDao.class).find(a, p)).orElseThrow().anonymousIds())
                .containsExactly("anon-1");
    }

    @Test
    void aTombstoneRepointsEarlierTombstonesAndIsNotLive() {
        String l1 = id("01TOMB", 1);
        String l2 = id("01TOMB", 2);
        String s = id("01TOMB", 3);
        insert(a, l1, "l1@example.com");
        insert(a, l2, null);
        insert(a, s, null);
        jdbi.useTransaction(h -> h.attach(ProfileDao.class).tombstone(a, l1, l2, NOW));
        int n = jdbi.inTransaction(h -> h.attach(ProfileDao.class).tombstone(a, l2, s, NOW));
        assertThat(n).as("l2 and its earlier tombstone l1").isEqualTo(2);
        jdbi.useHandle(h -> {
            ProfileDao dao = h.attach(ProfileDao.class);
            assertThat(dao.tombstonesOf(a, s)).containsExactlyInAnyOrder(l1, l2);
            assertThat(dao.find(a, l1).orElseThrow().email()).as("a tombstone keeps no identifier").isNull();
        });
        List<String> live = jdbi.inTransaction(h -> h.attach(ProfileDao.class).findAll(a, new String[] {l1, l2, s}))
                .stream().filter(p -> !p.isTombstone()).map(Profile::id).toList();
        assertThat(live).containsExactly(s);
    }

    @Test
    void ownersKeySharedFindsTheOwnersTellsWhichAreLiveAndLocksEveryOneUntilTheCommit() throws Exception {
        String live1 = id("01KSH", 1);
        String live2 = id("01KSH", 2);
        String gone = id("01KSH", 3);
        insert(a, live1, "ksh1@example.com");
        insert(a, live2, "ksh2@example.com");
        insert(a, gone, "ksh3@example.com");
        jdbi.useTransaction(h -> h.attach(ProfileDao.class).tombstone(a, gone, live1, NOW)); // its claim stays here
        try (org.jdbi.v3.core.Handle h = jdbi.open()) {
            h.begin();
            List<ProfileDao.SharedOwner> found = h.attach(ProfileDao.class).ownersKeyShared(a,
                    new String[] {"email", "email", "email", "email"},
                    new String[] {"ksh1@example.com", "ksh2@example.com", "ksh3@example.com", "nobody@example.com"});
            assertThat(found).containsExactlyInAnyOrder(
                    new ProfileDao.SharedOwner("email", "ksh1@example.com", live1, true),
                    new ProfileDao.SharedOwner("email", "ksh2@example.com", live2, true),
                    new ProfileDao.SharedOwner("email", "ksh3@example.com", gone, false));
            // every owner stays locked FOR KEY SHARE until this transaction ends: a merge or deletion (which
            // locks FOR UPDATE) of any of them cannot proceed meanwhile
            for (String p : List.of(live1, live2, gone)) {
                Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> jdbi.useTransaction(o ->
                        o.createQuery("SELECT id FROM profiles WHERE company_id = :c AND id = :id FOR UPDATE NOWAIT")
                                .bind("c", a).bind("id", p).mapTo(String.class).list()));
                assertThat(e).hasMessageContaining("could not obtain lock");
            }
            h.rollback();
        }
        List<String> after = jdbi.inTransaction(o -> o.createQuery("SELECT id FROM profiles WHERE company_id = :c "
                + "AND id = :id FOR UPDATE NOWAIT").bind("c", a).bind("id", live1).mapTo(String.class).list());
        assertThat(after).as("released at the end of the transaction").containsExactly(live1);
    }

    @Test
    void profileListsAreKeysetPagedWithinTheCompany() {
        long c = DaoTestSupport.company(jdbi, "PDAOC1");   // its own company: the other tests' rows stay out
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            ids.add(id("01PAGE", i));
            insert(c, ids.get(i - 1), "page" + i + "@example.com");
        }
        for (int i = 1; i <= 3; i++) insert(b, id("01PAGE", 100 + i), null);   // interleaved by id, other company
        jdbi.useTransaction(h -> h.attach(ProfileDao.class).tombstone(c, ids.get(6), ids.get(0), NOW)); // not listed
        List<String> live = ids.subList(0, 6);

        for (boolean descending : new boolean[] {false, true}) {
            List<String> walked = new ArrayList<>();
            Cursor cursor = null;
            int pages = 0;
            while (true) {
                ProfileQuery q = new ProfileQuery(List.of(), SortField.ID, descending, 4, cursor);
                List<Profile> page = jdbi.withHandle(h -> new ProfileQueryDao(h).fetch(c, q, 4));
                // a page of 4 is asked as 4 rows; each page's last row is the next cursor
                pages++;
                page.forEach(p -> walked.add(p.id()));
                if (page.size() < 4) break;
                cursor = new Cursor(false, "id", descending, null, page.get(page.size() - 1).id());
            }
            List<String> expected = new ArrayList<>(live);
            if (descending) java.util.Collections.reverse(expected);
            assertThat(walked).as(descending ? "descending" : "ascending").containsExactlyElementsOf(expected);
            assertThat(pages).isEqualTo(2);
        }
        // a "prev" cursor walks back from a row: the rows before it, in page order
        ProfileQuery back = new ProfileQuery(List.of(), SortField.ID, false, 2, new Cursor(true, "id", false, null, live.get(4)));
        List<Profile> before = jdbi.withHandle(h -> new ProfileQueryDao(h).fetch(c, back, 2));
        assertThat(before).extracting(Profile::id).containsExactly(live.get(2), live.get(3));
        // sorted by email: the same rows, keyed on (email, id)
        ProfileQuery byEmail = new ProfileQuery(List.of(), SortField.EMAIL, false, 3,
                new Cursor(false, "email", false, "page2@example.com", live.get(1)));
        List<Profile> emails = jdbi.withHandle(h -> new ProfileQueryDao(h).fetch(c, byEmail, 3));
        assertThat(emails).extracting(Profile::id).containsExactly(live.get(2), live.get(3), live.get(4));
    }
}
