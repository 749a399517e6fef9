package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.switchboard.SwitchboardApplication;
import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.Send;
import io.switchboard.db.CampaignDao;
import io.switchboard.db.SendDao;
import io.switchboard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 finding 15: a database created before migration 006 (numeric identity ids) migrates: its
 * rows keep their ids as decimal strings with every reference intact, and new rows get ULIDs.
 */
class OpaqueIdsMigrationTest {
    @Test
    void numericIdsSurviveAsStringsAndNewRowsGetUlids() throws Exception {
        String url = TestDatabase.newDatabase();
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.createStatement().execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
            Liquibase lb = new Liquibase("migrations/changelog.xml", new ClassLoaderResourceAccessor(),
                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c)));
            // everything before 006 (later migrations follow it in the changelog)
            var unrun = lb.listUnrunChangeSets(new Contexts(), new LabelExpression());
            int before006 = 0;
            while (!unrun.get(before006).getId().startsWith("006-")) before006++;
            lb.update(before006, new Contexts(), new LabelExpression());
            var st = c.createStatement();
            st.execute("INSERT INTO companies (public_id, name) VALUES ('MIGR01', 'm')");
            st.execute("INSERT INTO api_keys (company_id, kind, prefix, key_hash) SELECT id, 'secret', 'sk_abcde', '\\x00' FROM companies");
            st.execute("INSERT INTO providers (company_id, type, name) SELECT id, 'log', 'p' FROM companies");
            st.execute("INSERT INTO campaigns (company_id, name, channel, provider_id, state) "
                    + "SELECT c.id, 'c', 'webhook', p.id, 'active' FROM companies c JOIN providers p ON p.company_id = c.id");
            st.execute("INSERT INTO templates (company_id, campaign_id, locale, data) SELECT company_id, id, 'en', '{\"body\":\"x\"}' FROM campaigns");
            st.execute("INSERT INTO sends (company_id, campaign_id, profile_id, channel, provider_id) "
                    + "SELECT company_id, id, 'p1', 'webhook', provider_id FROM campaigns");
            st.execute("INSERT INTO unsubscribe_tokens (company_id, token, profile_id, channel, subscription, campaign_id, send_id) "
                    + "SELECT company_id, 'MIGR01tok', 'p1', 'email', 'marketing', campaign_id, id FROM sends");
            lb.update(new Contexts(), new LabelExpression());
        }
        Jdbi jdbi = SwitchboardApplication.newJdbi(Jdbi.create(url, "postgres", ""), Jackson.newObjectMapper());
        long company = jdbi.withHandle(h -> h.createQuery("SELECT id FROM companies").mapTo(Long.class).one());
        String oldCampaign = jdbi.withHandle(h -> h.createQuery("SELECT id FROM campaigns").mapTo(String.class).one());
        assertThat(oldCampaign).matches("[0-9]+");
        Campaign c = jdbi.withExtension(CampaignDao.class, d -> d.find(company, oldCampaign)).orElseThrow();
        assertThat(c.providerId()).matches("[0-9]+");
        assertThat(c.templates()).containsKey("en");
        List<Send> sends = jdbi.withExtension(SendDao.class, d -> d.list(company, oldCampaign, null, "", null, 10));
        assertThat(sends).hasSize(1);
        assertThat(sends.get(0).id()).matches("[0-9]+");
        String tokenSend = jdbi.withHandle(h -> h.createQuery("SELECT send_id FROM unsubscribe_tokens").mapTo(String.class).one());
        assertThat(tokenSend).isEqualTo(sends.get(0).id());
        // new rows: ULIDs, no identity default left; the foreign keys still hold
        String fresh = io.switchboard.db.Ids.newId();
        jdbi.useHandle(h -> h.execute("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel) "
                + "VALUES (?, ?, ?, 'p2', 'webhook')", company, fresh, oldCampaign));
        assertThat(jdbi.withExtension(SendDao.class, d -> d.list(company, oldCampaign, null, "", null, 10)).get(0).id())
                .isEqualTo(fresh);
        long identities = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM information_schema.columns WHERE "
                + "table_name IN ('providers', 'campaigns', 'sends', 'api_keys') AND column_name = 'id' AND is_identity = 'YES'")
                .mapTo(Long.class).one());
        assertThat(identities).isZero();
        try {
            jdbi.useHandle(h -> h.execute("INSERT INTO sends (company_id, id, campaign_id, profile_id, channel) "
                    + "VALUES (?, ?, 'nope', 'p3', 'webhook')", company, io.switchboard.db.Ids.newId()));
            throw new AssertionError("a send of a missing campaign was accepted");
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException expected) {
            // foreign key violation
        }
    }
}
