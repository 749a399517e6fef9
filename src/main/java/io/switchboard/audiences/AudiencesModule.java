package io.switchboard.audiences;

import io.dropwizard.lifecycle.Managed;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Wiring of audiences (called from {@code SwitchboardApplication.run}): metrics, lists, subscriptions and
 * bulk jobs, segments; their use cases, Klaviyo resources and background workers (docs/audiences.md).
 */
public final class AudiencesModule {
    private final SubscriptionService consent;
    private final List<Object> jerseyComponents = new ArrayList<>();
    private final List<Managed> managed = new ArrayList<>();

    private AudiencesModule(SubscriptionService consent) {
        this.consent = consent;
    }

    /** Consent reads for profile resources ({@code additional-fields[profile]=subscriptions}). */
    public SubscriptionService consent() {
        return consent;
    }

    /** The Klaviyo audience resources, for the composition root to register. */
    public List<Object> jerseyComponents() {
        return List.copyOf(jerseyComponents);
    }

    /** The background workers (bulk jobs, segments), for the composition root to manage. */
    public List<Managed> managed() {
        return List.copyOf(managed);
    }

    /** Constructs everything; registers nothing (SwitchboardApplication does). */
    public static AudiencesModule build(Tx tx, IdentityService identity, IngestService ingest) {
        MetricService metrics = new MetricService(tx.jdbi());
        SegmentQueue segmentQueue = new SegmentQueue();
        tx.jdbi().getConfig(ChangedProfiles.class).sink(segmentQueue); // the core's writes queue profiles
        ListService lists = new ListService(tx, segmentQueue);
        SubscriptionService consent = new SubscriptionService(tx, ingest);
        identity.addListener(new AudienceProfileListener());
        AudiencesModule m = new AudiencesModule(consent);
        List<Object> r = m.jerseyComponents;
        r.add(new KlaviyoMetricsResource.Metrics(metrics));
        r.add(new KlaviyoMetricsResource.EventMetric(metrics));
        r.add(new KlaviyoMetricsResource.Aggregates(metrics));
        r.add(new KlaviyoListsResource.Lists(lists, identity, consent));
        r.add(new KlaviyoListsResource.ProfileLists(lists, identity));
        r.add(new KlaviyoConsentResource.Subscriptions(consent));
        r.add(new KlaviyoConsentResource.Suppressions(consent));
        BulkJobService jobs = new BulkJobService(tx, ingest)
                .decoder(Job.Kind.PROFILE_IMPORT, KlaviyoBulkJobsResource.profileDecoder())
                .decoder(Job.Kind.EVENT_CREATE, KlaviyoBulkJobsResource.eventDecoder(new KlaviyoEventMapper()));
        r.add(new KlaviyoBulkJobsResource.ProfileImport(jobs, lists));
        r.add(new KlaviyoBulkJobsResource.EventCreate(jobs));
        m.managed.add(new JobWorker(jobs, 500));
        SegmentService segments = new SegmentService(tx, KlaviyoSegmentsResource::parseStored, segmentQueue);
        r.add(new KlaviyoSegmentsResource.Segments(segments, identity));
        r.add(new KlaviyoSegmentsResource.ProfileSegments(segments, identity));
        m.managed.add(new SegmentWorker(segments, 1000, 300));
        return m;
    }
}
