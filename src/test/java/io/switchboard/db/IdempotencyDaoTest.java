package io.switchboard.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link IdempotencyDao} on real PostgreSQL: a key is claimed once per (company, scope), another company's
 * identical key is its own, fingerprints are read per company, and a purge removes only that company's
 * expired keys.
 */
class IdempotencyDaoTest {
    static Jdbi jdbi;
    static long a;
    static long b;
    static final Instant NOW = Instant.parse("2026-11-30T06:00:00Z");

    @BeforeAll
    static void setUp() {
        jdbi = DaoTestSupport.newJdbi();
        a = DaoTestSupport.company(jdbi, "IDAOA1");
        b = DaoTestSupport.company(jdbi, "IDAOB1");
    }

    static List<String> claim(long company, String[] scopes, String[] keys, Instant expires) {
        return jdbi.inTransaction(h -> h.attach(IdempotencyDao.class).claim(company, scopes, keys, expires));
    }

    @Test
    void aKeyIsNewOncePerCompanyAndScope() {
        String[] scopes = {"segment", "segment", "klaviyo"};
        String[] keys = {"m-1", "m-2", "m-1"};
        assertThat(claim(a, scopes, keys, NOW.plusSeconds(3600)))
                .containsExactlyInAnyOrder("segment m-1", "segment m-2", "klaviyo m-1");
        assertThat(claim(a, new String[] {"segment", "segment"}, new String[] {"m-1", "m-3"}, NOW.plusSeconds(3600)))
                .as("m-1 seen before; m-3 new").containsExactly("segment m-3");
        assertThat(claim(b, scopes, keys, NOW.plusSeconds(3600)))
                .as("the same keys in another company are new there").hasSize(3);
    }

    @Test
    void requestKeysAndFingerprintsAreReadPerCompany() {
        int first = jdbi.inTransaction(h -> h.attach(IdempotencyDao.class).claimRequest(a, "trigger", "req-1", "fp-a", NOW.plusSeconds(60)));
        int again = jdbi.inTransaction(h -> h.attach(IdempotencyDao.class).claimRequest(a, "trigger", "req-1", "fp-other", NOW.plusSeconds(60)));
        assertThat(first).isEqualTo(1);
        assertThat(again).isZero();
        jdbi.useHandle(h -> {
            IdempotencyDao dao = h.attach(IdempotencyDao.class);
            assertThat(dao.fingerprint(a, "trigger", "req-1")).contains("fp-a");
            assertThat(dao.fingerprint(b, "trigger", "req-1")).isEmpty();
        });
        int inB = jdbi.inTransaction(h -> h.attach(IdempotencyDao.class).claimRequest(b, "trigger", "req-1", "fp-b", NOW.plusSeconds(60)));
        assertThat(inB).isEqualTo(1);
    }

    @Test
    void aPurgeRemovesOnlyThatCompanysExpiredKeys() {
        claim(a, new String[] {"purge", "purge"}, new String[] {"old", "fresh"}, NOW);
        jdbi.useTransaction(h -> h.execute("UPDATE idempotency_keys SET expires_at = ? WHERE scope = 'purge' AND key = 'old'",
                NOW.minusSeconds(1)));
        claim(b, new String[] {"purge"}, new String[] {"old"}, NOW.minusSeconds(1));
        int purged = jdbi.inTransaction(h -> h.attach(IdempotencyDao.class).purge(a, NOW, 100));
        assertThat(purged).as("a's expired key only (\"fresh\" expires at now, not before)").isEqualTo(1);
        assertThat(claim(a, new String[] {"purge", "purge"}, new String[] {"old", "fresh"}, NOW.plusSeconds(60)))
                .containsExactly("purge old");
        assertThat(claim(b, new String[] {"purge"}, new String[] {"old"}, NOW.plusSeconds(60)))
                .as("b's expired key is b's to purge").isEmpty();
    }
}
