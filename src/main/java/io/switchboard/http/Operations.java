package io.switchboard.http;

import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.lifecycle.Managed;
import io.switchboard.auth.Authenticators;
import io.switchboard.auth.Caller;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.health.DatabaseMonitor;
import io.switchboard.limits.Bucket4jBuckets;
import io.switchboard.core.tenancy.CompanySettingsCache;
import io.switchboard.core.InputLimits;
import io.switchboard.limits.RateLimitConfig;
import io.switchboard.limits.RateLimiter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.tomcat.jdbc.pool.DataSourceProxy;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the cross-cutting HTTP concerns (issue 7): input limits, CORS, rate limits and database-outage
 * handling. {@link #initialize} runs in {@code Application.initialize}, {@link #build} in {@code run}; the
 * wiring root registers what it returns.
 */
public final class Operations {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final DatabaseMonitor monitor;
    private final RateLimiter limiter;
    private final CompanySettingsCache settings;
    private final RateLimitFilter rateLimitFilter;
    private final List<Object> components;
    private final List<Managed> managed;

    private Operations(DatabaseMonitor monitor, RateLimiter limiter, CompanySettingsCache settings,
                       RateLimitFilter rateLimitFilter, List<Object> components, List<Managed> managed) {
        this.monitor = monitor;
        this.limiter = limiter;
        this.settings = settings;
        this.rateLimitFilter = rateLimitFilter;
        this.components = components;
        this.managed = managed;
    }

    /** JSON nesting and string-length limits on the application ObjectMapper (before anything copies it). */
    public static void initialize(Bootstrap<?> bootstrap) {
        InputLimits.applyTo(bootstrap.getObjectMapper());
    }

    /**
     * Builds the cross-cutting HTTP components; registers nothing. The wiring root registers
     * {@link #jerseyComponents()}, manages {@link #managed()} and adds {@link #lifecycleListener()}.
     */
    public static Operations build(DataSourceFactory dsf, ManagedDataSource dataSource,
                                   RateLimitConfig rateLimits, TenancyService tenancy, Authenticators auth) {
        DatabaseMonitor monitor = new DatabaseMonitor(dsf.getUrl(), dsf.getUser(), dsf.getPassword(),
                dsf.getProperties(), 1_000, 250, () -> purge(dataSource));

        CompanySettingsCache settings = new CompanySettingsCache(
                id -> tenancy.company(id).map(Company::settings), monitor::isUp, 1_000);
        tenancy.onSettingsChanged(settings::invalidate);
        Bucket4jBuckets buckets = Bucket4jBuckets.postgres(dataSource);
        RateLimiter limiter = new RateLimiter(buckets, rateLimits);
        RateLimitFilter rateLimitFilter = new RateLimitFilter(limiter, settings);

        var companyIds = auth.companyIds();
        List<Object> components = List.of(
                new PathGuardFilter(),
                new CorsPreflightFilter(publicId -> {
                    try {
                        Optional<Caller> c = companyIds.authenticate(publicId);
                        return c.map(caller -> settings.get(caller.companyId()));
                    } catch (io.dropwizard.auth.AuthenticationException e) {
                        return Optional.<CompanySettings>empty();
                    }
                }),
                new DatabaseOutageFilter(monitor),
                new BodyLimitFilter(),
                new CorsFilter(settings),
                rateLimitFilter,
                new InputExceptionMappers.BodyTooLarge(),
                new InputExceptionMappers.CharConversion());
        return new Operations(monitor, limiter, settings, rateLimitFilter, components,
                List.of(monitor, new BucketCleaner(buckets, monitor)));
    }

    /** The JAX-RS filters and exception mappers, in registration order. */
    public List<Object> jerseyComponents() { return components; }

    /** The database monitor and the expired-bucket cleaner, started and stopped with the server. */
    public List<Managed> managed() { return managed; }

    /** Keeps the unsubscribe token of {@code /u/{token}} out of the request log. */
    public LifeCycle.Listener lifecycleListener() { return MaskedRequestLog.installer(); }

    /** Deletes expired bucket rows once a minute (by whichever process gets there). */
    private static final class BucketCleaner implements Managed {
        private final Bucket4jBuckets buckets;
        private final DatabaseMonitor monitor;
        private ScheduledExecutorService cleaner;

        BucketCleaner(Bucket4jBuckets buckets, DatabaseMonitor monitor) {
            this.buckets = buckets;
            this.monitor = monitor;
        }

        @Override
        public void start() {
            cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rate-limit-cleaner");
                t.setDaemon(true);
                return t;
            });
            cleaner.scheduleWithFixedDelay(() -> {
                if (!monitor.isUp()) return;
                try {
                    while (buckets.removeExpired(1_000) >= 1_000) {
                        // keep going while full batches come back
                    }
                } catch (RuntimeException e) {
                    LOG.debug("expired bucket cleanup failed: {}", e.toString());
                }
            }, 60, 60, TimeUnit.SECONDS);
        }

        @Override
        public void stop() {
            if (cleaner != null) cleaner.shutdownNow();
        }
    }

    /** Drops every pooled connection (in-use ones when returned), so none points at a dead server. */
    private static void purge(ManagedDataSource ds) {
        if (ds instanceof DataSourceProxy p && p.getPool() != null) {
            p.getPool().purge();
        }
    }

    public DatabaseMonitor databaseMonitor() { return monitor; }
    public RateLimiter rateLimiter() { return limiter; }
    public CompanySettingsCache companySettings() { return settings; }
    /** For resources that authenticate from the body: {@code rateLimitFilter().enforce(ctx, caller)}. */
    public RateLimitFilter rateLimitFilter() { return rateLimitFilter; }
}
