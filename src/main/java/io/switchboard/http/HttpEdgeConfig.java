package io.switchboard.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;

/**
 * Limits at the HTTP edge (docs/operations.md, "The HTTP edge"). Connector-level limits (idle timeout,
 * header sizes, bind address) are in {@code server:} of config.yml.
 */
public class HttpEdgeConfig {
    /** A request body must have arrived this long after the request began (else 408). */
    private Duration bodyTimeout = Duration.seconds(30);
    /** After {@link #minRateGrace}, a body arriving slower than this on average is cut (408); 0 = off. */
    private long minBodyBytesPerSecond = 1024;
    private Duration minRateGrace = Duration.seconds(5);
    /** Open connections across all connectors; beyond it Jetty stops accepting until some close. */
    private int maxConnections = 10_000;
    /** Jobs queued for a request thread beyond which the {@code http} health check reports saturation. */
    private int saturationQueuedJobs = 256;

    @JsonProperty public Duration getBodyTimeout() { return bodyTimeout; }
    @JsonProperty public void setBodyTimeout(Duration d) { this.bodyTimeout = d; }
    @JsonProperty public long getMinBodyBytesPerSecond() { return minBodyBytesPerSecond; }
    @JsonProperty public void setMinBodyBytesPerSecond(long b) { this.minBodyBytesPerSecond = b; }
    @JsonProperty public Duration getMinRateGrace() { return minRateGrace; }
    @JsonProperty public void setMinRateGrace(Duration d) { this.minRateGrace = d; }
    @JsonProperty public int getMaxConnections() { return maxConnections; }
    @JsonProperty public void setMaxConnections(int m) { this.maxConnections = m; }
    @JsonProperty public int getSaturationQueuedJobs() { return saturationQueuedJobs; }
    @JsonProperty public void setSaturationQueuedJobs(int q) { this.saturationQueuedJobs = q; }
}
