package io.switchboard.core.audiences;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A metric-aggregate query and its answer (Klaviyo's {@code POST /api/metric-aggregates}). */
public final class MetricAggregate {
    private MetricAggregate() {}

    public enum Measurement { COUNT, SUM_VALUE, UNIQUE }

    public enum Interval {
        HOUR, DAY, WEEK, MONTH;

        public String sql() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Equality on an event property (or {@code $value_currency}). */
    public record PropertyEquals(String key, String value) {}

    /**
     * {@code [from, to)} is required; {@code by} groups rows by event properties ({@code $value_currency} is
     * the event's currency); {@code maxRows} caps the number of groups returned.
     */
    public record Query(String metricId, Set<Measurement> measurements, Interval interval, Instant from, Instant to,
                        ZoneId zone, List<String> by, List<PropertyEquals> filters, int maxRows) {}

    /** One group: its property values (empty when not grouped) and one value per date per measurement. */
    public record Row(List<String> dimensions, Map<Measurement, List<BigDecimal>> measurements) {}

    /** {@code dates}: each bucket's start (an instant; local midnight/hour in the query's zone). */
    public record Result(List<Instant> dates, List<Row> rows) {}
}
