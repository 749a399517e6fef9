package io.switchboard.core.audiences;

import com.github.f4b6a3.ulid.Ulid;
import io.switchboard.db.EventDao;
import io.switchboard.db.MetricDao;
import io.switchboard.errors.ApiException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Reads of metrics and aggregates over their events. Read-only: no transaction beyond one statement's. */
public class MetricService {
    /** Klaviyo answers at most a year per aggregate query; so do we (and at most this many buckets). */
    public static final Duration MAX_RANGE = Duration.ofDays(366);
    public static final int MAX_BUCKETS = 10_000;

    private final Jdbi jdbi;

    public MetricService(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record Page(List<Metric> items, String nextAfter) {}

    /** Metrics by id; {@code afterId} from the previous page's {@code nextAfter}. */
    public Page page(long companyId, String afterId, int size) {
        List<MetricDao.MetricRow> rows = jdbi.withExtension(MetricDao.class, d -> d.page(companyId, afterId, size + 1));
        List<Metric> items = new ArrayList<>();
        for (int i = 0; i < Math.min(size, rows.size()); i++) items.add(of(rows.get(i)));
        return new Page(items, rows.size() > size ? items.get(items.size() - 1).id() : null);
    }

    public Metric get(long companyId, String metricId) {
        return jdbi.withExtension(MetricDao.class, d -> d.find(companyId, metricId)).map(MetricService::of)
                .orElseThrow(() -> ApiException.notFound("No metric with id `" + metricId + "`."));
    }

    /** The event's metric (empty for an unnamed event); 404 when the event does not exist in this company. */
    public Optional<Metric> ofEvent(long companyId, String eventId) {
        EventDao.EventRow e = event(companyId, eventId);
        if (e.name() == null) return Optional.empty();
        return jdbi.withExtension(MetricDao.class, d -> d.byName(companyId, e.name())).map(MetricService::of);
    }

    /** The (live) profile an event belongs to; 404 when the event does not exist in this company. */
    public String profileOfEvent(long companyId, String eventId) {
        return event(companyId, eventId).profileId();
    }

    private EventDao.EventRow event(long companyId, String eventId) {
        long ms;
        try {
            ms = Ulid.from(eventId).getTime();
        } catch (RuntimeException e) {
            throw ApiException.notFound("No event with id `" + eventId + "`.");
        }
        Instant from = Instant.ofEpochMilli(ms);
        return jdbi.withExtension(EventDao.class, d -> d.find(companyId, eventId, from, from.plusMillis(1)))
                .orElseThrow(() -> ApiException.notFound("No event with id `" + eventId + "`."));
    }

    public MetricAggregate.Result aggregate(long companyId, MetricAggregate.Query q) {
        Metric m = get(companyId, q.metricId());
        List<Instant> dates = dates(q);
        Map<Instant, Integer> index = new HashMap<>();
        for (int i = 0; i < dates.size(); i++) index.put(dates.get(i), i);
        List<String> fk = q.filters().stream().map(MetricAggregate.PropertyEquals::key).toList();
        List<String> fv = q.filters().stream().map(MetricAggregate.PropertyEquals::value).toList();
        List<MetricDao.AggregateRow> rows = jdbi.withExtension(MetricDao.class, d -> d.aggregate(companyId, m.name(),
                q.from(), q.to(), q.interval().sql(), q.zone().getId(), q.by(), fk, fv));
        Map<List<String>, Map<MetricAggregate.Measurement, BigDecimal[]>> groups = new LinkedHashMap<>();
        for (MetricDao.AggregateRow r : rows) {
            List<String> dims = new ArrayList<>();
            for (String s : r.dims()) dims.add(s == null ? "" : s);
            Map<MetricAggregate.Measurement, BigDecimal[]> g = groups.get(dims);
            if (g == null) {
                if (groups.size() >= q.maxRows()) continue;
                g = new EnumMap<>(MetricAggregate.Measurement.class);
                for (MetricAggregate.Measurement ms : q.measurements()) {
                    BigDecimal[] zeros = new BigDecimal[dates.size()];
                    java.util.Arrays.fill(zeros, BigDecimal.ZERO);
                    g.put(ms, zeros);
                }
                groups.put(dims, g);
            }
            Integer at = index.get(r.bucket());
            if (at == null) continue; // cannot happen: buckets are computed the same way
            for (var e : g.entrySet()) {
                e.getValue()[at] = switch (e.getKey()) {
                    case COUNT -> BigDecimal.valueOf(r.count());
                    case SUM_VALUE -> r.sumValue();
                    case UNIQUE -> BigDecimal.valueOf(r.uniq());
                };
            }
        }
        if (groups.isEmpty() && q.by().isEmpty()) {
            Map<MetricAggregate.Measurement, BigDecimal[]> g = new EnumMap<>(MetricAggregate.Measurement.class);
            for (MetricAggregate.Measurement ms : q.measurements()) {
                BigDecimal[] zeros = new BigDecimal[dates.size()];
                java.util.Arrays.fill(zeros, BigDecimal.ZERO);
                g.put(ms, zeros);
            }
            groups.put(List.of(), g);
        }
        List<MetricAggregate.Row> out = new ArrayList<>();
        groups.forEach((dims, g) -> {
            Map<MetricAggregate.Measurement, List<BigDecimal>> values = new EnumMap<>(MetricAggregate.Measurement.class);
            g.forEach((k, v) -> values.put(k, List.of(v)));
            out.add(new MetricAggregate.Row(dims, values));
        });
        return new MetricAggregate.Result(dates, out);
    }

    /** Bucket starts covering [from, to): truncated to the interval in the query's zone (weeks start Monday). */
    static List<Instant> dates(MetricAggregate.Query q) {
        ZonedDateTime start = q.from().atZone(q.zone());
        LocalDateTime l = start.toLocalDateTime();
        l = switch (q.interval()) {
            case HOUR -> l.truncatedTo(ChronoUnit.HOURS);
            case DAY -> l.truncatedTo(ChronoUnit.DAYS);
            case WEEK -> l.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
            case MONTH -> l.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
        List<Instant> out = new ArrayList<>();
        while (true) {
            Instant t = l.atZone(q.zone()).toInstant();
            if (!t.isBefore(q.to())) break;
            out.add(t);
            if (out.size() > MAX_BUCKETS) {
                throw ApiException.invalid("/data/attributes/interval", "The time range holds more than " + MAX_BUCKETS
                        + " `" + q.interval().sql() + "` buckets; use a longer interval or a shorter range.");
            }
            l = switch (q.interval()) {
                case HOUR -> l.plusHours(1);
                case DAY -> l.plusDays(1);
                case WEEK -> l.plusWeeks(1);
                case MONTH -> l.plusMonths(1);
            };
        }
        return out;
    }

    private static Metric of(MetricDao.MetricRow r) {
        return new Metric(r.id(), r.name(), r.createdAt());
    }
}
