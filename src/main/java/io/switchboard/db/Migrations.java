package io.switchboard.db;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.migrations.CloseableLiquibase;
import io.dropwizard.migrations.CloseableLiquibaseWithClassPathMigrationsFile;
import liquibase.Contexts;
import liquibase.LabelExpression;

/** Runs the Liquibase changelog (top-level {@code migrations/}, on the classpath as {@code migrations/}). */
public final class Migrations {
    public static final String CHANGELOG = "migrations/changelog.xml";

    private Migrations() {}

    /** Applies pending changesets on a short-lived data source of its own. Liquibase's lock table serialises servers. */
    public static void migrate(DataSourceFactory factory, MetricRegistry metrics) {
        // keep stdout clean (the CLI prints JSON there): Liquibase's summary goes to the log instead
        System.setProperty("liquibase.showSummaryOutput", "log");
        System.setProperty("liquibase.showSummary", "off");
        try (CloseableLiquibase lb = new CloseableLiquibaseWithClassPathMigrationsFile(
                factory.build(metrics, "liquibase"), CHANGELOG)) {
            lb.setShowSummary(liquibase.UpdateSummaryEnum.OFF);
            lb.setShowSummaryOutput(liquibase.UpdateSummaryOutputEnum.LOG);
            // "Running Changeset: …" lines go to the log (liquibase.ui, quiet by default), not to stdout
            liquibase.Scope.child(liquibase.Scope.Attr.ui.name(), new liquibase.ui.LoggerUIService(),
                    () -> lb.update(new Contexts(), new LabelExpression()));
        } catch (Exception e) {
            throw new IllegalStateException("database migration failed: " + e.getMessage(), e);
        }
    }
}
