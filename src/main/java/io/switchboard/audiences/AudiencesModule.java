package io.switchboard.audiences;

import io.dropwizard.core.setup.Environment;
import io.switchboard.core.ChangedProfiles;
import io.switchboard.core.Tx;
import io.switchboard.core.audiences.AudienceProfileListener;
import io.switchboard.core.audiences.BulkJobService;
import io.switchboard.core.audiences.Job;
import io.switchboard.core.audiences.JobWorker;
import io.switchboard.core.audiences.ListService;
import io.switchboard.core.audiences.SegmentQueue;
import io.switchboard.core.audiences.SegmentService;
import io.switchboard.core.audiences.SegmentWorker;
import io.switchboard.core.audiences.SubscriptionService;
import io.switchboard.core.audiences.MetricService;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.resources.klaviyo.KlaviyoBulkJobsResource;
import io.switchboard.resources.klaviyo.KlaviyoConsentResource;
import io.switchboard.resources.klaviyo.events.KlaviyoEventMapper;
import io.switchboard.resources.klaviyo.KlaviyoListsResource;
import io.switchboard.resources.klaviyo.KlaviyoSegmentsResource;
import io.switchboard.resources.klaviyo.KlaviyoMetricsResource;

/**
 * Wiring of audiences (called from {@code SwitchboardApplication.run}): metrics, lists, subscriptions and
 * bulk jobs, segments; their use cases, Klaviyo resources and background workers (docs/audiences.md).
 */
public final class AudiencesModule {
    private final SubscriptionService consent;

    private AudiencesModule(SubscriptionService consent) {
        this.consent = consent;
    }

    /** Consent reads for profile resources ({@code additional-fields[profile]=subscriptions}). */
    public SubscriptionService consent() {
        return consent;
    }

    public static AudiencesModule register(Environment env, Tx tx, IdentityService identity, IngestService ingest) {
        MetricService metrics = new MetricService(tx.jdbi());
        SegmentQueue segmentQueue = new SegmentQueue();
        tx.jdbi().getConfig(ChangedProfiles.class).sink(segmentQueue); // the core's writes queue profiles
        ListService lists = new ListService(tx, segmentQueue);
        SubscriptionService consent = new SubscriptionService(tx, ingest);
        identity.addListener(new AudienceProfileListener());
        env.jersey().register(new KlaviyoMetricsResource.Metrics(metrics));
        env.jersey().register(new KlaviyoMetricsResource.EventMetric(metrics));
        env.jersey().register(new KlaviyoMetricsResource.Aggregates(metrics));
        env.jersey().register(new KlaviyoListsResource.Lists(lists, identity, consent));
        env.jersey().register(new KlaviyoListsResource.ProfileLists(lists, identity));
        env.jersey().register(new KlaviyoConsentResource.Subscriptions(consent));
        env.jersey().register(new KlaviyoConsentResource.Suppressions(consent));
        BulkJobService jobs = new BulkJobService(tx, ingest)
                .decoder(Job.Kind.PROFILE_IMPORT, KlaviyoBulkJobsResource.profileDecoder())
                .decoder(Job.Kind.EVENT_CREATE, KlaviyoBulkJobsResource.eventDecoder(new KlaviyoEventMapper()));
        env.jersey().register(new KlaviyoBulkJobsResource.ProfileImport(jobs, lists));
        env.jersey().register(new KlaviyoBulkJobsResource.EventCreate(jobs));
        env.lifecycle().manage(new JobWorker(jobs, 500));
        SegmentService segments = new SegmentService(tx, KlaviyoSegmentsResource::parseStored, segmentQueue);
        env.jersey().register(new KlaviyoSegmentsResource.Segments(segments, identity));
        env.jersey().register(new KlaviyoSegmentsResource.ProfileSegments(segments, identity));
        env.lifecycle().manage(new SegmentWorker(segments, 1000, 300));
        return new AudiencesModule(consent);
    }
}
