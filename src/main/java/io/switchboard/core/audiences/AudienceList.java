package io.switchboard.core.audiences;

import java.time.Instant;

/** A static list. {@code profileCount} is filled only when asked for (it costs a count). */
public record AudienceList(String id, String name, String optInProcess, Instant created, Instant updated,
                           Long profileCount) {}
