package io.switchboard.delivery;

import com.github.jasminb.jsonapi.ResourceConverter;
import io.dropwizard.core.setup.Environment;
import io.switchboard.api.admin.CampaignDto;
import io.switchboard.api.admin.ChannelUnsubscribeDto;
import io.switchboard.api.admin.PreviewDto;
import io.switchboard.api.admin.ProviderDto;
import io.switchboard.api.admin.SendDto;
import io.switchboard.core.campaigns.CampaignService;
import io.switchboard.core.devices.DevicePushTokens;
import io.switchboard.core.events.EventStoreDeliveryEvents;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.campaigns.TemplateEngine;
import io.switchboard.core.campaigns.TriggerService;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.tenancy.SettingsCache;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.health.DeliveryHealthCheck;
import io.switchboard.resources.AdminCampaignsResource;
import io.switchboard.resources.AdminChannelUnsubscribesResource;
import io.switchboard.resources.AdminProvidersResource;
import io.switchboard.resources.CampaignTriggerResource;
import io.switchboard.resources.UnsubscribeResource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Wiring of campaigns and delivery (called from {@code SwitchboardApplication.run}): services, the
 * channel senders, the queue workers (managed: started with the server, drained on shutdown), the admin
 * and trigger resources, the unsubscribe page and the health check.
 */
public final class DeliveryModule {
    /** The JSON:API resource types of this module, for the shared ResourceConverter. */
    public static final Class<?>[] JSON_API_TYPES = {ProviderDto.class, CampaignDto.class, SendDto.class, PreviewDto.class,
            ChannelUnsubscribeDto.class};

    private final DeliveryWorkers workers;
    private final TriggerService triggers;

    private DeliveryModule(DeliveryWorkers workers, TriggerService triggers) {
        this.workers = workers;
        this.triggers = triggers;
    }

    public DeliveryWorkers workers() { return workers; }

    public TriggerService triggers() { return triggers; }

    public static DeliveryModule register(Environment env, DeliveryConfig config, Jdbi jdbi, ResourceConverter converter,
                                          TenancyService tenancy, IdentityService identity, SettingsCache settings,
                                          IngestService ingest) {
        for (Class<?> type : JSON_API_TYPES) {
            converter.registerType(type);
        }
        // delivery's profile events and push tokens live in the shared stores (events, devices)
        DeliveryEvents events = new EventStoreDeliveryEvents(ingest);
        PushTokens pushTokens = new DevicePushTokens();
        TemplateEngine templates = new TemplateEngine();
        CampaignService campaigns = new CampaignService(jdbi, templates, identity::get);
        TriggerService triggers = new TriggerService(identity, settings::get, events, pushTokens);
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
        SendProcessor processor = new SendProcessor(jdbi, tenancy, templates, senders, new RateLimiter(jdbi),
                new Backoff(Duration.ofMillis(config.getBackoffBase().toMilliseconds()),
                        Duration.ofMillis(config.getBackoffMax().toMilliseconds())),
                config.getMaxAttempts(), events, pushTokens, unsubscribes).withMetrics(env.metrics());
        DeliveryWorkers workers = new DeliveryWorkers(jdbi, processor, config, senders.values());
        env.lifecycle().manage(workers);

        env.jersey().register(new AdminProvidersResource(tenancy, campaigns, senders.values()));
        env.jersey().register(new AdminCampaignsResource(tenancy, campaigns));
        env.jersey().register(new CampaignTriggerResource(triggers, workers));
        env.jersey().register(new UnsubscribeResource(unsubscribes));
        env.jersey().register(new AdminChannelUnsubscribesResource(tenancy, identity, unsubscribes));
        env.healthChecks().register("delivery", new DeliveryHealthCheck(workers, Duration.ofMillis(
                config.getLease().toMilliseconds() + config.getProviderTimeout().toMilliseconds()
                        + config.getPollInterval().toMilliseconds() * 4)));
        return new DeliveryModule(workers, triggers);
    }
}
