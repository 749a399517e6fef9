package io.switchboard.delivery;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** The {@code delivery} block of the configuration: queue workers, leases, retries and links. */
public class DeliveryConfig {
    /** Worker threads per server process (0 disables delivery in this process). */
    @Min(0) @Max(64)
    private int workers = 2;

    /**
     * Claim due sends company by company (one single-shard claim each) instead of with one cross-company
     * statement. Not configured: set from {@code databaseMode: citus} (docs/scale.md).
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    private boolean claimPerCompany = false;

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isClaimPerCompany() { return claimPerCompany; }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public void setClaimPerCompany(boolean b) { this.claimPerCompany = b; }

    /** Sends claimed per query. */
    @Min(1) @Max(500)
    private int batchSize = 10;

    /**
     * Fairness across companies: the most sends one company may have claimed at once, over every worker
     * and server process (and the most one claim takes of one company). A company's flood of slow sends
     * then occupies at most this many claims, and other companies' sends are claimed next to it.
     */
    @Min(1) @Max(500)
    private int maxInFlightPerCompany = 4;

    /** How long an idle worker waits before looking for due sends again (a trigger in this process wakes it earlier). */
    @NotNull
    private Duration pollInterval = Duration.milliseconds(500);

    /** How long a claimed send belongs to its worker; after that another worker may take it (at-least-once). */
    @NotNull
    private Duration lease = Duration.seconds(60);

    /** Attempts (provider calls) before a transiently failing send becomes {@code failed}. */
    @Min(1) @Max(100)
    private int maxAttempts = 6;

    /** Retry delay after the first failed attempt; doubled each time, with jitter, up to {@link #backoffMax}. */
    @NotNull
    private Duration backoffBase = Duration.seconds(5);

    @NotNull
    private Duration backoffMax = Duration.minutes(30);

    /** Timeout of one provider call (HTTP request, SMTP session). */
    @NotNull
    private Duration providerTimeout = Duration.seconds(15);

    /** On shutdown, how long in-flight sends may finish before unprocessed claims are handed back. */
    @NotNull
    private Duration shutdownGrace = Duration.seconds(10);

    /** Recipients a broadcast enqueues per transaction (one page of the audience; docs/audiences.md). */
    private int broadcastPageSize = 1000;

    @JsonProperty public int getBroadcastPageSize() { return broadcastPageSize; }
    @JsonProperty public void setBroadcastPageSize(int v) { broadcastPageSize = Math.max(1, Math.min(v, 10_000)); }

    /** Public base URL of this server, for links in messages (e.g. {@code https://api.example.com}). */
    @NotNull
    private String publicBaseUrl = "http://localhost:8080";

    /**
     * Whether providers (webhook, Twilio, FCM, SMTP, APNs) may connect to loopback, private and link-local addresses.
     * Off by default so a tenant cannot aim a webhook at this server's admin port or a metadata service.
     */
    private boolean allowPrivateNetworks = false;

    @JsonProperty public boolean isAllowPrivateNetworks() { return allowPrivateNetworks; }
    @JsonProperty public void setAllowPrivateNetworks(boolean v) { allowPrivateNetworks = v; }
    @JsonProperty public int getMaxInFlightPerCompany() { return maxInFlightPerCompany; }
    @JsonProperty public void setMaxInFlightPerCompany(int v) { maxInFlightPerCompany = v; }
    @JsonProperty public int getWorkers() { return workers; }
    @JsonProperty public void setWorkers(int v) { workers = v; }
    @JsonProperty public int getBatchSize() { return batchSize; }
    @JsonProperty public void setBatchSize(int v) { batchSize = v; }
    @JsonProperty public Duration getPollInterval() { return pollInterval; }
    @JsonProperty public void setPollInterval(Duration v) { pollInterval = v; }
    @JsonProperty public Duration getLease() { return lease; }
    @JsonProperty public void setLease(Duration v) { lease = v; }
    @JsonProperty public int getMaxAttempts() { return maxAttempts; }
    @JsonProperty public void setMaxAttempts(int v) { maxAttempts = v; }
    @JsonProperty public Duration getBackoffBase() { return backoffBase; }
    @JsonProperty public void setBackoffBase(Duration v) { backoffBase = v; }
    @JsonProperty public Duration getBackoffMax() { return backoffMax; }
    @JsonProperty public void setBackoffMax(Duration v) { backoffMax = v; }
    @JsonProperty public Duration getProviderTimeout() { return providerTimeout; }
    @JsonProperty public void setProviderTimeout(Duration v) { providerTimeout = v; }
    @JsonProperty public Duration getShutdownGrace() { return shutdownGrace; }
    @JsonProperty public void setShutdownGrace(Duration v) { shutdownGrace = v; }
    @JsonProperty public String getPublicBaseUrl() { return publicBaseUrl; }
    @JsonProperty public void setPublicBaseUrl(String v) { publicBaseUrl = v; }
}
