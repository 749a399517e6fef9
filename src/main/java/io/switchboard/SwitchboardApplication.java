package io.switchboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jasminb.jsonapi.ResourceConverter;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.migrations.MigrationsBundle;
import io.switchboard.api.admin.CompanyDto;
import io.switchboard.api.admin.AdminProfileDto;
import io.switchboard.api.admin.HistoryDto;
import io.switchboard.api.admin.KeyDto;
import io.switchboard.auth.Authenticators;
import io.switchboard.auth.Caller;
import io.switchboard.auth.DialectAuthFeature;
import io.switchboard.cli.CompanyCommand;
import io.switchboard.core.GroupCommit;
import io.switchboard.core.Tx;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.ProfileQueries;
import io.switchboard.api.klaviyo.KlaviyoProfileDto;
import io.switchboard.resources.klaviyo.KlaviyoClientProfilesResource;
import io.switchboard.resources.klaviyo.KlaviyoProfileJobsResource;
import io.switchboard.resources.klaviyo.KlaviyoProfilesResource;
import io.switchboard.resources.klaviyo.KlaviyoRevisionFilter;
import io.switchboard.core.tenancy.CompanySettingsCache;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.db.EmbeddedDatabase;
import io.switchboard.db.Migrations;
import io.switchboard.errors.ApiExceptionMapper;
import io.switchboard.errors.CatchAllExceptionMapper;
import io.switchboard.errors.JsonParseExceptionMapper;
import io.switchboard.errors.WebApplicationExceptionMapper;
import io.switchboard.health.DatabaseHealthCheck;
import io.switchboard.http.Operations;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.jsonapi.JsonApiProvider;
import io.switchboard.resources.AdminCompaniesResource;
import io.switchboard.resources.AdminProfileDataResource;
import io.switchboard.resources.AdminProfilesResource;
import io.switchboard.resources.BenchResource;
import io.switchboard.core.events.EventMaintenance;
import io.switchboard.core.events.EventReads;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.events.ProfileDataListener;
import io.switchboard.resources.klaviyo.events.KlaviyoClientEventsResource;
import io.switchboard.resources.klaviyo.events.KlaviyoEventMapper;
import io.switchboard.resources.klaviyo.events.KlaviyoServerEventsResource;
import io.switchboard.resources.parcelvoy.ParcelvoyClientResource;
import io.switchboard.resources.segment.DittofeedResource;
import io.switchboard.resources.segment.SegmentResource;
import io.switchboard.resources.FormsResource;
import java.time.Duration;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.jackson2.Jackson2Config;
import org.jdbi.v3.jackson2.Jackson2Plugin;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root, the only one: wiring is by hand and in one direction, DAOs (through Jdbi) → core
 * services → dialect resources. Every Jersey component, managed object and health check is registered
 * here; the modules ({@code Operations}, {@code Edge}, {@code PortalModule}, {@code DeliveryModule}) only
 * construct and return them ({@code architecture/LayerDependenciesTest.onlyTheCompositionRootRegisters}).
 */
public class SwitchboardApplication extends Application<SwitchboardConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchboardApplication.class);
    /** Set in {@link #run}: the portal, e.g. for {@link #demoOwnerInvitationUrl}. */
    private io.switchboard.portal.PortalModule portal;

    public static void main(String[] args) throws Exception {
        new SwitchboardApplication().run(args);
    }

    @Override
    public String getName() {
        return "switchboard";
    }

    @Override
    public void initialize(Bootstrap<SwitchboardConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        bootstrap.addBundle(new MigrationsBundle<>() {
            @Override
            public DataSourceFactory getDataSourceFactory(SwitchboardConfiguration c) {
                return database(c);
            }

            @Override
            public String getMigrationsFileName() {
                return Migrations.CHANGELOG;
            }
        });
        bootstrap.addCommand(new CompanyCommand());
        bootstrap.addCommand(new io.switchboard.cli.KeyCommand());
        Operations.initialize(bootstrap);
    }

    /** The configured database, starting the embedded PostgreSQL first when no URL is set. */
    public static DataSourceFactory database(SwitchboardConfiguration c) {
        EmbeddedDatabase.configureIfNeeded(c.getDataSourceFactory(), c.getEmbeddedDatabase());
        return c.getDataSourceFactory();
    }

    public static Jdbi newJdbi(Jdbi jdbi, ObjectMapper mapper) {
        jdbi.installPlugin(new SqlObjectPlugin());
        jdbi.installPlugin(new PostgresPlugin());
        jdbi.installPlugin(new Jackson2Plugin());
        jdbi.getConfig(io.switchboard.core.ChangedProfiles.class); // one sink holder for every handle (AudiencesModule)
        jdbi.getConfig(Jackson2Config.class).setMapper(mapper);
        // SQL is used as written: Jdbi's default template engine parses every statement's text with ANTLR
        // for <attributes> (~10 % of the committers' CPU on the event path, docs/performance.md); the two
        // DAOs that do use <attributes> (EventDao, SendDao) ask for that engine themselves
        jdbi.getConfig(org.jdbi.v3.core.statement.SqlStatements.class)
                .setTemplateEngine(org.jdbi.v3.core.statement.TemplateEngine.NOP);
        return jdbi;
    }

    /**
     * A one-time portal link that makes whoever opens it an owner of the company (the keyless first
     * start prints it for the Demo company). Call after {@link #run} has registered the portal.
     */
    public String demoOwnerInvitationUrl(long companyId) {
        return portal.ownerInvitationUrl(companyId);
    }

    @Override
    public void run(SwitchboardConfiguration config, Environment env) {
        // Our mappers answer in each dialect's error shape; Dropwizard's defaults would answer in its own.
        if (config.getServerFactory() instanceof AbstractServerFactory sf) {
            sf.setRegisterDefaultExceptionMappers(false);
        }
        if (config.getDatabaseMode() == io.switchboard.db.DatabaseMode.CITUS && EmbeddedDatabase.isEmbedded(config.getDataSourceFactory())) {
            throw new IllegalStateException("databaseMode citus needs database.url (SWITCHBOARD_DATABASE_URL) of a Citus coordinator");
        }
        DataSourceFactory dsf = database(config);
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                EmbeddedDatabase.stop();
            }
        });
        if (config.isMigrateOnStartup()) {
            long t0 = System.nanoTime();
            Migrations.migrate(dsf, env.metrics());
            if (config.getDatabaseMode() == io.switchboard.db.DatabaseMode.CITUS) {
                io.switchboard.db.CitusSchema.apply(dsf, env.metrics());
            }
            LOG.info("database migrated in {} ms", (System.nanoTime() - t0) / 1_000_000);
        }
        ObjectMapper mapper = env.getObjectMapper();
        ManagedDataSource dataSource = dsf.build(env.metrics(), "postgresql");
        Jdbi jdbi = newJdbi(new JdbiFactory().build(env, dsf, dataSource, "postgresql"), mapper);

        // core services
        TenancyService tenancy = new TenancyService(jdbi, config.getRateLimits()); // + rate-limit ceilings
        Authenticators authenticators = new Authenticators(tenancy, config.getAdminToken(), Duration.ofSeconds(1));
        // input limits, CORS, rate limits, database-outage handling (docs/operations.md); registered below
        Operations ops = Operations.build(dsf, dataSource, config.getRateLimits(), tenancy, authenticators);
        // the one settings cache (1 s, outage-aware), for the HTTP filters and the core use cases alike
        CompanySettingsCache settings = ops.companySettings();
        Tx tx = new Tx(jdbi);
        // concurrent write requests share one transaction and one commit (see core/GroupCommit)
        GroupCommit groupCommit = new GroupCommit(jdbi, tx, config.getGroupCommit().options(), env.metrics())
                .genericPlans(config.getDatabaseMode() != io.switchboard.db.DatabaseMode.CITUS);
        IdentityService identity = new IdentityService(tx, settings::get, groupCommit);
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                groupCommit.close();
            }
        });
        identity.addListener(new ProfileDataListener());
        // events: partitions ahead before serving, then daily; idempotency keys purged hourly
        EventMaintenance eventMaintenance = new EventMaintenance(jdbi, config.getEvents().getPartitionMonthsAhead(),
                config.getEvents().getRetentionMonths(), java.time.Clock.systemUTC());
        eventMaintenance.prepare();
        env.lifecycle().manage(eventMaintenance);
        IngestService ingest = new IngestService(tx, identity, config.getEvents().getMessageIdRetention().toJavaDuration(),
                config.getEvents().getKlaviyoDedupRetention().toJavaDuration()).withGroupCommit(groupCommit);
        EventReads eventReads = new EventReads(jdbi, identity);
        KlaviyoEventMapper klaviyoEvents = new KlaviyoEventMapper();
        ProfileQueries profileQueries = new ProfileQueries(jdbi, settings::get);
        io.switchboard.core.Cursors.installFor(jdbi, config.getCursorSecret()); // page[cursor] HMAC key

        // HTTP plumbing: JSON:API documents, errors in each dialect's shape, per-dialect credentials
        ResourceConverter converter = JsonApi.newConverter(mapper, CompanyDto.class, KeyDto.class,
                AdminProfileDto.class, HistoryDto.class, KlaviyoProfileDto.class,
                io.switchboard.api.admin.ProviderDto.class, io.switchboard.api.admin.CampaignDto.class,
                io.switchboard.api.admin.SendDto.class, io.switchboard.api.admin.PreviewDto.class,
                io.switchboard.api.admin.ChannelUnsubscribeDto.class, io.switchboard.api.admin.BroadcastDto.class);
        env.jersey().register(new JsonApiProvider(converter));
        env.jersey().register(new ApiExceptionMapper());
        env.jersey().register(new WebApplicationExceptionMapper());
        env.jersey().register(new JsonParseExceptionMapper());
        env.jersey().register(new CatchAllExceptionMapper());
        env.jersey().register(new io.switchboard.resources.ParameterGuard()); // NUL in path/query/header → 400
        env.jersey().register(new DialectAuthFeature(authenticators.keys(), authenticators.adminOrKeys(),
                authenticators.companyIds(), authenticators.adminTokenConfigured()));
        env.jersey().register(RolesAllowedDynamicFeature.class);
        env.jersey().register(new KlaviyoRevisionFilter.Feature());
        env.jersey().register(new AuthValueFactoryProvider.Binder<>(Caller.class));
        // input limits, CORS, rate limits, database-outage handling (docs/operations.md)
        ops.managed().forEach(env.lifecycle()::manage);
        env.lifecycle().addEventListener(ops.lifecycleListener());
        ops.jerseyComponents().forEach(env.jersey()::register);
        io.switchboard.http.AsyncRequestLog requestLog = io.switchboard.http.AsyncRequestLog.build(env.metrics(),
                config.getAccessLog());
        if (requestLog != null) {
            env.lifecycle().manage(requestLog);
            env.lifecycle().addEventListener(requestLog.installer());
        }
        // admin port auth, credential-free logs, request bodies read before a thread is taken, JSON errors
        io.switchboard.http.Edge edge = io.switchboard.http.Edge.install(env, config.getHttpEdge(), config.getAdminToken());
        env.healthChecks().register("http", edge.saturationHealthCheck());
        env.jersey().register(edge.healthResource());

        // the portal: people, sessions and pages under /portal (docs/portal.md)
        portal = io.switchboard.portal.PortalModule.build(env.metrics(), config.getPortal(), jdbi, tenancy, identity,
                eventReads, authenticators::invalidate);
        portal.jerseyComponents().forEach(env.jersey()::register);

        // dialect resources
        env.jersey().register(new AdminCompaniesResource(tenancy, authenticators, portal::ownerInvitationUrl));
        env.jersey().register(new AdminProfilesResource(tenancy, identity, profileQueries));
        env.jersey().register(new KlaviyoClientProfilesResource(identity));
        var audiences = io.switchboard.audiences.AudiencesModule.build(tx, identity, ingest); // docs/audiences.md
        audiences.jerseyComponents().forEach(env.jersey()::register);
        audiences.managed().forEach(env.lifecycle()::manage);
        env.jersey().register(new KlaviyoProfilesResource(identity, profileQueries, audiences.consent()));
        env.jersey().register(new KlaviyoProfileJobsResource.Import(identity));
        env.jersey().register(new KlaviyoProfileJobsResource.Merge(identity));
        env.jersey().register(new KlaviyoProfileJobsResource.Deletion(identity));
        env.jersey().register(new AdminProfileDataResource(tenancy, identity, eventReads));
        env.jersey().register(new ParcelvoyClientResource(ingest));
        env.jersey().register(new SegmentResource(ingest));
        env.jersey().register(new io.switchboard.resources.segment.SegmentRetryHeaders());
        env.jersey().register(new DittofeedResource(ingest));
        env.jersey().register(new KlaviyoClientEventsResource(ingest, klaviyoEvents));
        env.jersey().register(new KlaviyoServerEventsResource(ingest, klaviyoEvents, eventReads, identity));
        var pushTokens = new io.switchboard.core.devices.PushTokens(tx); // Klaviyo /api/push-tokens
        env.jersey().register(new io.switchboard.resources.klaviyo.KlaviyoPushTokensResource.Tokens(pushTokens, ingest,
                klaviyoEvents));
        env.jersey().register(new io.switchboard.resources.klaviyo.KlaviyoPushTokensResource.ProfileTokens(pushTokens,
                identity));
        env.jersey().register(new FormsResource());

        env.healthChecks().register("database", new DatabaseHealthCheck(jdbi, ops.databaseMonitor()));
        if (config.isBenchEndpoints()) {
            env.jersey().register(new BenchResource(jdbi, groupCommit));
        }

        // campaigns, templates, providers, the trigger endpoint and the delivery workers (docs/campaigns.md)
        config.getDelivery().setClaimPerCompany(config.getDatabaseMode() == io.switchboard.db.DatabaseMode.CITUS);
        io.switchboard.delivery.DeliveryModule delivery = io.switchboard.delivery.DeliveryModule.build(env.metrics(),
                config.getDelivery(), jdbi, tenancy, identity, settings, ingest);
        delivery.managed().forEach(env.lifecycle()::manage);
        env.jersey().register(new io.switchboard.resources.AdminProvidersResource(tenancy, delivery.campaigns(),
                delivery.senders()));
        env.jersey().register(new io.switchboard.resources.AdminCampaignsResource(tenancy, delivery.campaigns()));
        env.jersey().register(new io.switchboard.resources.AdminBroadcastsResource(tenancy, delivery.broadcasts()));
        env.jersey().register(new io.switchboard.resources.parcelvoy.ParcelvoyTriggerResource(delivery.triggers(),
                delivery.workers()::wakeUp));
        env.jersey().register(new io.switchboard.resources.UnsubscribeResource(delivery.unsubscribes()));
        env.jersey().register(new io.switchboard.resources.AdminChannelUnsubscribesResource(tenancy, identity,
                delivery.unsubscribes()));
        env.healthChecks().register("delivery", new io.switchboard.health.DeliveryHealthCheck(delivery.workers(),
                delivery.stallAfter()));
        env.jersey().register(portal.campaignPages((company, provider) -> {
            var check = delivery.testConnection(company, provider);
            return new io.switchboard.portal.CampaignPages.Check(check.ok(), check.message());
        }, delivery::providerChanged));

        // the Demo company (keyless first start only) and what the console shows once the server listens
        FirstStart.install(env, config, tenancy, this::demoOwnerInvitationUrl);
    }
}
