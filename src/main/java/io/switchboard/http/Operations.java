package io.switchboard.http;

import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
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
import io.switchboard.limits.CompanySettingsCache;
import io.switchboard.core.InputLimits;
import io.switchboard.limits.RateLimitConfig;
import io.switchboard.limits.RateLimiter;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.tomcat.jdbc.pool.DataSourceProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the cross-cutting HTTP concerns (issue 7): input limits, CORS, rate limits and database-outage
 * handling. {@link #initialize} runs in {@code Application.initialize}, {@link #install} in {@code run}.
 */
public final class Operations {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final DatabaseMonitor monitor;
    private final RateLimiter limiter;
    private final CompanySettingsCache settings;
    private final RateLimitFilter rateLimitFilter;

    private Operations(DatabaseMonitor monitor, RateLimiter limiter, CompanySettingsCache settings,
                       RateLimitFilter rateLimitFilter) {
        this.monitor = monitor;
        this.limiter = limiter;
        this.settings = settings;
        this.rateLimitFilter = rateLimitFilter;
    }

    /** JSON nesting and string-length limits on the application ObjectMapper (before anything copies it). */
    public static void initialize(Bootstrap<?> bootstrap) {
        InputLimits.applyTo(bootstrap.getObjectMapper());
    }

    public static Operations install(Environment env, DataSourceFactory dsf, ManagedDataSource dataSource,
                                     RateLimitConfig rateLimits, TenancyService tenancy, Authenticators auth) {
        DatabaseMonitor monitor = new DatabaseMonitor(dsf.getUrl(), dsf.getUser(), dsf.getPassword(),
                dsf.getProperties(), 1_000, 250, () -> purge(dataSource));
        env.lifecycle().manage(monitor);
        // the request log never shows the unsubscribe token of /u/{token}
        env.lifecycle().addEventListener(MaskedRequestLog.installer());

        CompanySettingsCache settings = new CompanySettingsCache(
                id -> tenancy.company(id).map(Company::settings), monitor::isUp, 1_000);
        tenancy.onSettingsChanged(settings::invalidate);
        Bucket4jBuckets buckets = Bucket4jBuckets.postgres(dataSource);
        RateLimiter limiter = new RateLimiter(buckets, rateLimits);
        RateLimitFilter rateLimitFilter = new RateLimitFilter(limiter, settings);

        var companyIds = auth.companyIds();
        env.jersey().register(new PathGuardFilter());
        env.jersey().register(new CorsPreflightFilter(publicId -> {
            try {
                Optional<Caller> c = companyIds.authenticate(publicId);
                return c.map(caller -> settings.get(caller.companyId()));
            } catch (io.dropwizard.auth.AuthenticationException e) {
                return Optional.<CompanySettings>empty();
            }
        }));
        env.jersey().register(new DatabaseOutageFilter(monitor));
        env.jersey().register(new BodyLimitFilter());
        env.jersey().register(new CorsFilter(settings));
        env.jersey().register(rateLimitFilter);
        env.jersey().register(new InputExceptionMappers.BodyTooLarge());
        env.jersey().register(new InputExceptionMappers.CharConversion());

        // expired bucket rows are deleted once a minute (by whichever process gets there)
        ScheduledExecutorService cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
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
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                cleaner.shutdownNow();
            }
        });
        return new Operations(monitor, limiter, settings, rateLimitFilter);
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
