package io.switchboard.core.audiences;

import java.time.Instant;

/** A metric: one per distinct event name per company, created by ingestion the first time the name is seen. */
public record Metric(String id, String name, Instant created) {}
