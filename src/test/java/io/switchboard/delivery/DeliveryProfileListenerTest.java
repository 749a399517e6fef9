package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.TestDatabase;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a merge or a data-privacy deletion does to delivery's per-profile rows. */
class DeliveryProfileListenerTest {
    static Jdbi jdbi;
    static long company;
    static String campaign;

    @BeforeAll
    static void db() {
        jdbi = SwitchboardApplication.newJdbi(Jdbi.create(TestDatabase.newDatabase(), "postgres", ""), Jackson.newObjectMapper());
        company = jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES ('LSTNR1', 'l') RETURNING id")
                .mapTo(Long.class).one());
        campaign = jdbi.withHandle(h -> h.createQuery("INSERT INTO campaigns (company_id, id, name, channel) "
                + "VALUES (:c, :id, 'c', 'email') RETURNING id").bind("c", company).bind("id", io.switchboard.db.Ids.newId())
                .mapTo(String.class).one());
    }

    long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).bind("c", company).mapTo(Long.class).one());
    }

    void seed(String profile, String token, String state) {
        jdbi.useHandle(h -> {
            h.createUpdate("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel, context, state) "
                    + "VALUES (:c, :id, :cid, :p, 'email', '{}', :s)").bind("c", company).bind("id", io.switchboard.db.Ids.newId())
                    .bind("cid", campaign).bind("p", profile)
                    .bind("s", state).execute();
            h.createUpdate("INSERT INTO channel_unsubscribes (company_id, profile_id, channel, subscription) "
                    + "VALUES (:c, :p, 'email', 'marketing')").bind("c", company).bind("p", profile).execute();
        });
    }

    @Test
    void mergeMovesQueuedSendsOptOutsAndTokensToTheSurvivor() {
        seed("loser", "tok-loser", "pending");
        seed("survivor", "tok-survivor", "sent");
        jdbi.useTransaction(h -> new DeliveryProfileListener().onMerge(h, company, "survivor", "loser"));
        assertThat(count("SELECT count(*) FROM sends WHERE company_id = :c AND profile_id = 'loser'")).isZero();
        assertThat(count("SELECT count(*) FROM sends WHERE company_id = :c AND profile_id = 'survivor'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM channel_unsubscribes WHERE company_id = :c AND profile_id = 'survivor'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM channel_unsubscribes WHERE company_id = :c AND profile_id = 'loser'")).isZero();
    }

    @Test
    void deletionErasesThePersonsDeliveryRows() {
        seed("gone-1", "tok-gone-1", "sent");
        seed("gone-2", "tok-gone-2", "failed");
        seed("kept", "tok-kept", "sent");
        jdbi.useTransaction(h -> new DeliveryProfileListener().onDelete(h, company, List.of("gone-1", "gone-2")));
        for (String t : List.of("sends", "channel_unsubscribes")) {
            assertThat(count("SELECT count(*) FROM " + t + " WHERE company_id = :c AND profile_id LIKE 'gone-%'")).as(t).isZero();
            assertThat(count("SELECT count(*) FROM " + t + " WHERE company_id = :c AND profile_id = 'kept'")).as(t).isEqualTo(1);
        }
    }
}
