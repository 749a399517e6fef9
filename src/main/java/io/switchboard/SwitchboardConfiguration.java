package io.switchboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.switchboard.limits.RateLimitConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** Top-level configuration. Every value can be overridden from the environment (see config.yml). */
public class SwitchboardConfiguration extends Configuration {

    @Valid @NotNull
    private DataSourceFactory database = new DataSourceFactory();

    @Valid @NotNull
    private EmbeddedDatabaseConfig embeddedDatabase = new EmbeddedDatabaseConfig();

    private boolean migrateOnStartup = true;

    /**
     * {@code single} (default): one PostgreSQL, embedded or at {@code database.url}. {@code citus}: the URL is a
     * Citus coordinator; migrations distribute the tenant tables by company_id and the delivery queue is
     * claimed per company (docs/scale.md).
     */
    @NotNull
    private io.switchboard.db.DatabaseMode databaseMode = io.switchboard.db.DatabaseMode.SINGLE;

    @JsonProperty
    public io.switchboard.db.DatabaseMode getDatabaseMode() { return databaseMode; }

    @JsonProperty
    public void setDatabaseMode(io.switchboard.db.DatabaseMode m) { this.databaseMode = m; }

    /** Bootstrap admin token; empty disables the admin token (and enables the demo company on first start). */
    private String adminToken = "";

    /**
     * HMAC secret sealing list cursors ({@code page[cursor]}), at least 32 characters; empty (the default)
     * uses a random secret kept in the database (table server_secrets), shared by every server on it.
     */
    private String cursorSecret = "";

    @JsonProperty
    public String getCursorSecret() { return cursorSecret == null ? "" : cursorSecret; }

    @JsonProperty
    public void setCursorSecret(String s) { this.cursorSecret = s; }

    /**
     * The Demo company on a database with no company: {@code auto} creates it (and prints its keys once) only
     * when no admin token is configured; {@code true} creates it anyway; {@code false} never (FirstStart).
     */
    private String createDemoCompany = "auto";

    @Valid @NotNull
    private EventsConfig events = new EventsConfig();

    @JsonProperty
    public EventsConfig getEvents() { return events; }

    @JsonProperty
    public void setEvents(EventsConfig e) { this.events = e; }

    /** Limits at the HTTP edge: body read deadline and rate, connection cap (docs/operations.md). */
    @Valid @NotNull
    private io.switchboard.http.HttpEdgeConfig httpEdge = new io.switchboard.http.HttpEdgeConfig();

    @JsonProperty
    public io.switchboard.http.HttpEdgeConfig getHttpEdge() { return httpEdge; }

    @JsonProperty
    public void setHttpEdge(io.switchboard.http.HttpEdgeConfig h) { this.httpEdge = h; }

    /** Rate limits per company and endpoint class (docs/operations.md). */
    @Valid @NotNull
    private RateLimitConfig rateLimits = new RateLimitConfig();

    @JsonProperty
    public RateLimitConfig getRateLimits() { return rateLimits; }

    @JsonProperty
    public void setRateLimits(RateLimitConfig r) { this.rateLimits = r; }

    @JsonProperty("database")
    public DataSourceFactory getDataSourceFactory() { return database; }

    @JsonProperty("database")
    public void setDataSourceFactory(DataSourceFactory f) { this.database = f; }

    @JsonProperty
    public EmbeddedDatabaseConfig getEmbeddedDatabase() { return embeddedDatabase; }

    @JsonProperty
    public void setEmbeddedDatabase(EmbeddedDatabaseConfig c) { this.embeddedDatabase = c; }

    @JsonProperty
    public boolean isMigrateOnStartup() { return migrateOnStartup; }

    @JsonProperty
    public void setMigrateOnStartup(boolean b) { this.migrateOnStartup = b; }

    @JsonProperty
    public String getAdminToken() { return adminToken == null ? "" : adminToken; }

    @JsonProperty
    public void setAdminToken(String t) { this.adminToken = t; }

    @JsonProperty
    public String getCreateDemoCompany() { return createDemoCompany; }

    @JsonProperty
    public void setCreateDemoCompany(String s) {
        FirstStart.DemoMode.parse(s); // an unknown value fails at start, naming the setting
        this.createDemoCompany = s;
    }

    /** Group commit sizing (see core/GroupCommit and docs/performance.md). */
    @Valid @NotNull
    private GroupCommitConfig groupCommit = new GroupCommitConfig();

    /** Registers /bench/* (no-op and commit-only endpoints for the benchmark's ceilings). Never in production. */
    private boolean benchEndpoints = false;

    @JsonProperty public GroupCommitConfig getGroupCommit() { return groupCommit; }
    @JsonProperty public void setGroupCommit(GroupCommitConfig g) { this.groupCommit = g; }
    /** The asynchronous request log (http/AsyncRequestLog, docs/operations.md "Request logs"). */
    private io.switchboard.http.AsyncRequestLog.Config accessLog = new io.switchboard.http.AsyncRequestLog.Config();

    @JsonProperty public io.switchboard.http.AsyncRequestLog.Config getAccessLog() { return accessLog; }
    @JsonProperty public void setAccessLog(io.switchboard.http.AsyncRequestLog.Config a) { this.accessLog = a; }
    @JsonProperty public boolean isBenchEndpoints() { return benchEndpoints; }
    @JsonProperty public void setBenchEndpoints(boolean b) { this.benchEndpoints = b; }

    public static class GroupCommitConfig {
        private int committers = 1;
        private int maxBatch = 128;
        private int maxWeight = 500;
        private long lingerMicros = 0;
        private int queueCapacity = 20_000;
        /** Threads completing committed batches' futures (writing the answers); 0: the committer does it. */
        private int answerThreads = io.switchboard.core.GroupCommit.Options.DEFAULT_ANSWER_THREADS;

        @JsonProperty public int getCommitters() { return committers; }
        @JsonProperty public void setCommitters(int c) { this.committers = c; }
        @JsonProperty public int getMaxBatch() { return maxBatch; }
        @JsonProperty public void setMaxBatch(int m) { this.maxBatch = m; }
        @JsonProperty public int getMaxWeight() { return maxWeight; }
        @JsonProperty public void setMaxWeight(int w) { this.maxWeight = w; }
        @JsonProperty public long getLingerMicros() { return lingerMicros; }
        @JsonProperty public void setLingerMicros(long l) { this.lingerMicros = l; }
        @JsonProperty public int getQueueCapacity() { return queueCapacity; }
        @JsonProperty public void setQueueCapacity(int q) { this.queueCapacity = q; }
        @JsonProperty public int getAnswerThreads() { return answerThreads; }
        @JsonProperty public void setAnswerThreads(int a) { this.answerThreads = a; }

        public io.switchboard.core.GroupCommit.Options options() {
            return new io.switchboard.core.GroupCommit.Options(committers, maxBatch, maxWeight,
                    java.time.Duration.ofNanos(lingerMicros * 1000), queueCapacity, answerThreads);
        }
    }
    /** Campaign delivery: queue workers, leases, retries, links (docs/campaigns.md). */
    @Valid @NotNull
    private io.switchboard.delivery.DeliveryConfig delivery = new io.switchboard.delivery.DeliveryConfig();

    @JsonProperty
    public io.switchboard.delivery.DeliveryConfig getDelivery() { return delivery; }

    @JsonProperty
    public void setDelivery(io.switchboard.delivery.DeliveryConfig d) { this.delivery = d; }

    /** The portal: cookies, sessions, system mail (docs/portal.md). */
    @Valid @NotNull
    private io.switchboard.portal.PortalConfig portal = new io.switchboard.portal.PortalConfig();

    @JsonProperty
    public io.switchboard.portal.PortalConfig getPortal() { return portal; }

    @JsonProperty
    public void setPortal(io.switchboard.portal.PortalConfig p) { this.portal = p; }

    /** Settings for the embedded PostgreSQL used when {@code database.url} is empty. */
    public static class EmbeddedDatabaseConfig {
        @NotNull
        private String dataDir = "./data";
        private int port = 0;

        @JsonProperty public String getDataDir() { return dataDir; }
        @JsonProperty public void setDataDir(String d) { this.dataDir = d; }
        @JsonProperty public int getPort() { return port; }
        @JsonProperty public void setPort(int p) { this.port = p; }
    }

    /** The event store: partitions, retention and idempotency windows (docs/events.md). */
    public static class EventsConfig {
        /** Monthly partitions created ahead of the current month. */
        private int partitionMonthsAhead = 3;
        /** Drop event partitions older than this many months; 0 keeps everything. */
        private int retentionMonths = 0;
        /** How long Segment/Dittofeed messageIds, Parcelvoy message_ids and Idempotency-Keys are remembered (≥ 7 days). */
        private io.dropwizard.util.Duration messageIdRetention = io.dropwizard.util.Duration.days(30);
        /** How long Klaviyo (profile, metric, unique_id / second) dedup keys are remembered. */
        private io.dropwizard.util.Duration klaviyoDedupRetention = io.dropwizard.util.Duration.days(400);

        @JsonProperty public int getPartitionMonthsAhead() { return partitionMonthsAhead; }
        @JsonProperty public void setPartitionMonthsAhead(int m) { this.partitionMonthsAhead = m; }
        @JsonProperty public int getRetentionMonths() { return retentionMonths; }
        @JsonProperty public void setRetentionMonths(int m) { this.retentionMonths = m; }
        @JsonProperty public io.dropwizard.util.Duration getMessageIdRetention() { return messageIdRetention; }
        @JsonProperty public void setMessageIdRetention(io.dropwizard.util.Duration d) { this.messageIdRetention = d; }
        @JsonProperty public io.dropwizard.util.Duration getKlaviyoDedupRetention() { return klaviyoDedupRetention; }
        @JsonProperty public void setKlaviyoDedupRetention(io.dropwizard.util.Duration d) { this.klaviyoDedupRetention = d; }
    }
}
