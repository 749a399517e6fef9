package io.switchboard.core.audiences;

import java.time.Instant;

/**
 * A segment. {@code definition} is the dialect's own text of it (echoed back as sent); {@code processing}
 * is true until the membership of the current definition has been computed. {@code profileCount} only
 * when asked for.
 */
public record Segment(String id, String name, String definition, boolean starred, boolean processing,
                      Instant created, Instant updated, Long profileCount) {}
