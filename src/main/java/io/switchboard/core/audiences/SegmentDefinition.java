package io.switchboard.core.audiences;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A segment definition as core understands it: groups are ANDed, the conditions of a group ORed
 * (Klaviyo's {@code condition_groups}). Built by the dialect from its wire format.
 */
public record SegmentDefinition(List<Group> groups) {

    public record Group(List<Condition> conditions) {}

    public sealed interface Condition permits Property, Metric, Membership, Consent {}

    /**
     * A profile property or attribute compared with a value. {@code kind}: string | numeric | boolean |
     * existence; {@code operator}: Klaviyo's (equals, not-equals, contains, starts-with, greater-than, is-set…).
     */
    public record Property(String property, String kind, String operator, Object value) implements Condition {}

    /** "Has done {@code metricId} {@code operator} {@code value} times (count) / in value (sum) within {@code window}". */
    public record Metric(String metricId, boolean sum, String operator, BigDecimal value, Window window)
            implements Condition {}

    /** Member (or not) of any of these lists or segments. */
    public record Membership(boolean member, List<String> groupIds) implements Condition {}

    /**
     * Marketing consent of a channel (email | sms): {@code canReceive} as delivery decides it, and optionally
     * a stored state ({@code subscribed}, {@code unsubscribed}, {@code never_subscribed}; null = any).
     */
    public record Consent(String channel, boolean canReceive, String state) implements Condition {}

    /**
     * A time window: {@code inTheLast} (relative: [now - d, now]), {@code atLeastAgo} (relative:
     * before now - d), or static [{@code start}, {@code end}); all null = all time.
     */
    public record Window(Duration inTheLast, Duration atLeastAgo, Instant start, Instant end) {
        public static final Window ALL_TIME = new Window(null, null, null, null);

        public boolean relative() {
            return inTheLast != null || atLeastAgo != null;
        }
    }

    /** True when membership changes with the clock alone (re-evaluated on a schedule). */
    public boolean relative() {
        return groups.stream().flatMap(g -> g.conditions().stream())
                .anyMatch(c -> c instanceof Metric m && m.window().relative());
    }
}
