package io.switchboard.cli;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.db.EmbeddedDatabase;
import io.switchboard.db.Migrations;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jdbi.v3.core.Jdbi;

/** The database for one operator command: migrated as the server would, opened, closed (and the embedded one stopped). */
final class CliDatabase {
    private CliDatabase() {}

    interface Work {
        void run(Jdbi jdbi) throws Exception;
    }

    static void with(SwitchboardConfiguration config, ObjectMapper mapper, Work work) throws Exception {
        DataSourceFactory dsf = SwitchboardApplication.database(config);
        MetricRegistry metrics = new MetricRegistry();
        try {
            if (config.isMigrateOnStartup()) {
                Migrations.migrate(dsf, metrics);
            }
            ManagedDataSource ds = dsf.build(metrics, "cli");
            ds.start();
            try {
                work.run(SwitchboardApplication.newJdbi(Jdbi.create(ds), mapper));
            } finally {
                ds.stop();
            }
        } finally {
            EmbeddedDatabase.stop();
        }
    }
}
