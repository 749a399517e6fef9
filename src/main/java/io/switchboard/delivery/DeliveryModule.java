package io.switchboard.delivery;

import io.switchboard.core.devices.PushTokenStore;
import io.switchboard.core.events.EventRecorder;
import com.codahale.metrics.MetricRegistry;
import io.switchboard.core.campaigns.CampaignService;
import io.switchboard.core.devices.DevicePushTokens;
import io.switchboard.core.events.EventStoreDeliveryEvents;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.campaigns.TemplateEngine;
import io.switchboard.core.campaigns.TriggerService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.tenancy.CompanySettingsCache;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.core.Tx;
import java.time.Duration;
import io.dropwizard.lifecycle.Managed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Builds campaigns and delivery (called from the one wiring root, {@code SwitchboardApplication.run}):
 * services, the channel senders and the queue workers. It registers nothing: the wiring root manages
 * {@link #managed()} (the workers: started with the server, drained on shutdown) and registers the admin, trigger and
 * unsubscribe resources and the health check from what this returns.
 */
public final class DeliveryModule {
    private final DeliveryWorkers workers;
    private final TriggerService triggers;
    private final CampaignService campaigns;
    private final Unsubscribes unsubscribes;
    private final Map<String, ChannelSender> senders;
    private final Duration stallAfter;
    private final List<Managed> managed = new ArrayList<>();
    private io.switchboard.core.campaigns.BroadcastService broadcasts;

    private DeliveryModule(DeliveryWorkers workers, TriggerService triggers, CampaignService campaigns,
                           Unsubscribes unsubscribes, Map<String, ChannelSender> senders, Duration stallAfter) {
        this.workers = workers;
        this.triggers = triggers;
        this.campaigns = campaigns;
        this.unsubscribes = unsubscribes;
        this.senders = senders;
        this.stallAfter = stallAfter;
    }

    /** A provider's "test connection" (the portal): connects with its stored configuration, sends nothing. */
    public ChannelSender.Check testConnection(long companyId, String providerId) {
        var p = campaigns.provider(companyId, providerId);
        ChannelSender s = senders.get(p.type());
        return s == null ? new ChannelSender.Check(false, "No sender for " + p.type() + ".") : s.testConnection(p);
    }

    /** Drops cached clients of a provider whose configuration changed or that was deleted. */
    public void providerChanged(long companyId, String providerId) {
        senders.values().forEach(s -> s.forget(companyId, providerId));
    }

    public DeliveryWorkers workers() { return workers; }

    /** What runs with the server (the queue workers): managed by the wiring root, stopped in reverse order. */
    public List<Managed> managed() { return List.copyOf(managed); }

    public TriggerService triggers() { return triggers; }

    public CampaignService campaigns() { return campaigns; }

    /** Broadcast campaigns (docs/audiences.md): a campaign to a list or segment, enqueued by a background job. */
    public io.switchboard.core.campaigns.BroadcastService broadcasts() { return broadcasts; }

    public Unsubscribes unsubscribes() { return unsubscribes; }

    public Collection<ChannelSender> senders() { return senders.values(); }

    /** How long the queue may go without progress before the delivery health check reports it. */
    public Duration stallAfter() { return stallAfter; }

    public static DeliveryModule build(MetricRegistry metrics, DeliveryConfig config, Jdbi jdbi, TenancyService tenancy,
                                       IdentityService identity, CompanySettingsCache settings, IngestService ingest) {
        // delivery's profile events and push tokens live in the shared stores (events, devices): core's ports
        EventRecorder events = new EventStoreDeliveryEvents(ingest);
        PushTokenStore pushTokens = new DevicePushTokens();
        TemplateEngine templates = new TemplateEngine();
        CampaignService campaigns = new CampaignService(jdbi, templates, identity::get);
        TriggerService triggers = new TriggerService(new Tx(jdbi), identity, settings::get, events, pushTokens);
        identity.addListener(new DeliveryProfileListener());

        Duration timeout = Duration.ofMillis(config.getProviderTimeout().toMilliseconds());
        NetworkGuard guard = new NetworkGuard(config.isAllowPrivateNetworks());
        Map<String, ChannelSender> senders = new LinkedHashMap<>();
        for (ChannelSender s : List.of(new SmtpEmailSender(timeout, guard), new TwilioSmsSender(timeout, guard),
                new FcmPushSender(timeout, guard), new ApnsPushSender(timeout, guard), new WebhookSender(timeout, guard),
                new LogSender())) {
            senders.put(s.providerType(), s);
        }
        Unsubscribes unsubscribes = new Unsubscribes(jdbi, tenancy, events, config.getPublicBaseUrl());
        SendProcessor processor = new SendProcessor(jdbi, tenancy, templates, senders, new ProviderSendWindow(jdbi),
                new Backoff(Duration.ofMillis(config.getBackoffBase().toMilliseconds()),
                        Duration.ofMillis(config.getBackoffMax().toMilliseconds())),
                config.getMaxAttempts(), events, pushTokens, unsubscribes).withMetrics(metrics);
        DeliveryWorkers workers = new DeliveryWorkers(jdbi, processor, config, senders.values());
        Duration stallAfter = Duration.ofMillis(config.getLease().toMilliseconds()
                + config.getProviderTimeout().toMilliseconds() + config.getPollInterval().toMilliseconds() * 4);
        DeliveryModule m = new DeliveryModule(workers, triggers, campaigns, unsubscribes, Map.copyOf(senders), stallAfter);
        m.managed.add(workers);
        m.broadcasts = new io.switchboard.core.campaigns.BroadcastService(new Tx(jdbi), settings::get,
                config.getBroadcastPageSize(), workers::wakeUp);
        // stopped before the queue workers (reverse order): the enqueue job hands its broadcast back first
        m.managed.add(new io.switchboard.core.campaigns.BroadcastWorker(m.broadcasts, 500));
        return m;
    }
}
