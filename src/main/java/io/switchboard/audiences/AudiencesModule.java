package io.switchboard.audiences;

import io.dropwizard.core.setup.Environment;
import io.switchboard.core.Tx;
import io.switchboard.core.audiences.ListService;
import io.switchboard.core.audiences.MetricService;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.resources.klaviyo.KlaviyoListsResource;
import io.switchboard.resources.klaviyo.KlaviyoMetricsResource;

/**
 * Wiring of audiences (called from {@code SwitchboardApplication.run}): metrics, lists, subscriptions and
 * bulk jobs, segments; their use cases, Klaviyo resources and background workers (docs/audiences.md).
 */
public final class AudiencesModule {
    private AudiencesModule() {}

    public static void register(Environment env, Tx tx, IdentityService identity, IngestService ingest) {
        MetricService metrics = new MetricService(tx.jdbi());
        ListService lists = new ListService(tx);
        env.jersey().register(new KlaviyoMetricsResource.Metrics(metrics));
        env.jersey().register(new KlaviyoMetricsResource.EventMetric(metrics));
        env.jersey().register(new KlaviyoMetricsResource.Aggregates(metrics));
        env.jersey().register(new KlaviyoListsResource.Lists(lists, identity));
        env.jersey().register(new KlaviyoListsResource.ProfileLists(lists, identity));
    }
}
