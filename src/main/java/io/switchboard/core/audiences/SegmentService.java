package io.switchboard.core.audiences;

import com.github.f4b6a3.ulid.UlidCreator;
import io.switchboard.core.Tx;
import io.switchboard.db.Daos;
import io.switchboard.db.EventDao;
import io.switchboard.db.MetricDao;
import io.switchboard.db.SegmentDao;
import io.switchboard.errors.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Dynamic segments: CRUD, and membership kept by set-based SQL ({@link SegmentSql}). Writes never compute:
 * a definition change bumps the segment's version and the worker ({@link SegmentWorker}) recomputes it
 * from scratch; profile, event, consent and list writes queue the profile (the core's write paths, through
 * core.ChangedProfiles and {@link SegmentQueue}, in their own transaction) and the worker re-evaluates just
 * those profiles every second. Entering and leaving are recorded as profile
 * events ("Entered Segment" / "Left Segment", source {@code segments}).
 */
public class SegmentService {
    public static final String ENTERED = "Entered Segment";
    public static final String LEFT = "Left Segment";
    static final int EVENT_BATCH = 5_000;

    private final Tx tx;
    private final Function<String, SegmentDefinition> parser;
    private final SegmentQueue queue;

    /**
     * {@code parser}: the dialect's reader of a stored definition (validated when it was written);
     * {@code queue}: the dirty-profiles queue's writer, told when a company gains or loses a segment.
     */
    public SegmentService(Tx tx, Function<String, SegmentDefinition> parser, SegmentQueue queue) {
        this.tx = tx;
        this.parser = parser;
        this.queue = queue;
    }

    public Segment create(long companyId, String name, String definitionText, SegmentDefinition def, boolean starred) {
        return tx.run(h -> {
            checkMetrics(h, companyId, def);
            String id = ListService.newId();
            Daos.attach(h, SegmentDao.class).insert(companyId, id, name, definitionText, starred, def.relative(),
                    Instant.now());
            h.afterCommit(() -> queue.segmentsChanged(companyId));
            return of(Daos.attach(h, SegmentDao.class).find(companyId, id).orElseThrow(), null);
        });
    }

    public Segment get(long companyId, String id, boolean withCount) {
        return tx.jdbi().withHandle(h -> {
            SegmentDao d = Daos.attach(h, SegmentDao.class);
            return of(d.find(companyId, id).orElseThrow(() -> missing(id)), withCount ? d.count(companyId, id) : null);
        });
    }

    /** Null arguments leave the field alone; a new definition starts a full recompute. */
    public Segment update(long companyId, String id, String name, Boolean starred, String definitionText,
                          SegmentDefinition def) {
        return tx.run(h -> {
            if (def != null) checkMetrics(h, companyId, def);
            SegmentDao d = Daos.attach(h, SegmentDao.class);
            if (d.update(companyId, id, name, starred, definitionText, def == null ? null : def.relative(),
                    Instant.now()) == 0) {
                throw missing(id);
            }
            return of(d.find(companyId, id).orElseThrow(), null);
        });
    }

    public void delete(long companyId, String id) {
        tx.use(h -> {
            if (Daos.attach(h, SegmentDao.class).delete(companyId, id) == 0) throw missing(id);
            h.afterCommit(() -> queue.segmentsChanged(companyId));
        });
    }

    public record Page(List<Segment> items, String nextAfter) {}

    public Page page(long companyId, String after, int size) {
        List<SegmentDao.SegmentRow> rows = tx.jdbi().withHandle(h -> Daos.attach(h, SegmentDao.class).page(companyId,
                after, size + 1));
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < Math.min(size, rows.size()); i++) out.add(of(rows.get(i), null));
        return new Page(out, rows.size() > size ? out.get(out.size() - 1).id() : null);
    }

    /** Member ids in id order with when each joined ({@code joinedAt}, same order). */
    public record MemberPage(List<String> profileIds, List<Instant> joinedAt, String nextAfter) {}

    public MemberPage members(long companyId, String id, String after, int size) {
        return tx.jdbi().withHandle(h -> {
            SegmentDao d = Daos.attach(h, SegmentDao.class);
            d.find(companyId, id).orElseThrow(() -> missing(id));
            List<SegmentDao.MemberRow> rows = d.members(companyId, id, after, size + 1);
            List<String> page = new ArrayList<>();
            List<Instant> joined = new ArrayList<>();
            for (int i = 0; i < Math.min(size, rows.size()); i++) {
                page.add(rows.get(i).profileId());
                joined.add(rows.get(i).joinedAt());
            }
            return new MemberPage(page, joined, rows.size() > size ? page.get(page.size() - 1) : null);
        });
    }

    public List<Segment> segmentsOf(long companyId, String profileId) {
        return tx.jdbi().withHandle(h -> Daos.attach(h, SegmentDao.class).ofProfile(companyId, profileId).stream()
                .map(r -> of(r, null)).toList());
    }

    // ------------------------------------------------------------------ computing (the worker's side)

    /** What one computation changed. */
    public record Change(String segmentId, int entered, int left) {}

    /** Recomputes one stale segment (definition changed, or relative-time and due); empty when none. */
    public java.util.Optional<Change> recomputeOneStale(double refreshSeconds) {
        double delay = SegmentQueue.FIRST_COMPUTE_DELAY.toMillis() / 1000.0;
        // companies with work first (a plain read), then a locking claim per company: on Citus
        // FOR UPDATE SKIP LOCKED only runs within one shard (docs/scale.md)
        List<Long> companies = tx.jdbi().withHandle(h -> Daos.attach(h, SegmentDao.class)
                .staleCompanies(refreshSeconds, delay, COMPANIES_PER_PASS));
        for (long companyId : companies) {
            java.util.Optional<Change> done = tx.run(h -> {
                SegmentDao d = Daos.attach(h, SegmentDao.class);
                SegmentDao.SegmentRow s = d.claimStale(companyId, refreshSeconds, delay).orElse(null);
                if (s == null) return java.util.Optional.<Change>empty();
                Change c = compute(h, s, null);
                d.computed(s.companyId(), s.id(), s.version());
                return java.util.Optional.of(c);
            });
            if (done.isPresent()) return done;
        }
        return java.util.Optional.empty();
    }

    static final int COMPANIES_PER_PASS = 64;

    /**
     * Re-evaluates queued profiles against every computed segment of their company: up to {@code limit}
     * per company, one transaction per company. Returns how many were taken.
     */
    public int drainDirty(int limit) {
        List<Long> companies = tx.jdbi().withHandle(h -> Daos.attach(h, SegmentDao.class)
                .dirtyCompanies(COMPANIES_PER_PASS));
        int taken = 0;
        for (long companyId : companies) {
            taken += tx.run(h -> {
                SegmentDao d = Daos.attach(h, SegmentDao.class);
                List<String> ids = d.takeDirty(companyId, limit).stream().map(SegmentDao.Dirty::profileId).distinct().sorted().toList();
                if (ids.isEmpty()) return 0;
                for (SegmentDao.SegmentRow s : d.all(companyId)) {
                    // a segment still waiting for its full recompute is left to it
                    if (s.computedVersion() == s.version()) compute(h, s, ids);
                }
                return ids.size();
            });
        }
        return taken;
    }

    /** Brings one segment's memberships in line with its definition, for everyone or for {@code scope} only. */
    Change compute(Handle h, SegmentDao.SegmentRow s, List<String> scope) {
        long companyId = s.companyId();
        SegmentDefinition def = parser.apply(s.definition());
        Map<String, String> metricNames = new HashMap<>();
        MetricDao metrics = Daos.attach(h, MetricDao.class);
        for (SegmentDefinition.Group g : def.groups()) {
            for (SegmentDefinition.Condition c : g.conditions()) {
                if (c instanceof SegmentDefinition.Metric m) {
                    metrics.find(companyId, m.metricId()).ifPresent(r -> metricNames.put(m.metricId(), r.name()));
                }
            }
        }
        SegmentDao d = Daos.attach(h, SegmentDao.class);
        String[] live = null;
        String[] all = null;
        if (scope != null) {
            live = d.live(companyId, scope.toArray(String[]::new)).toArray(String[]::new);
            all = d.withTombstones(companyId, live).toArray(String[]::new);
        }
        SegmentSql q = SegmentSql.compile(companyId, def, metricNames, scope != null, Instant.now());
        String sql = "WITH target AS (" + q.sql + "), "
                + "ins AS (INSERT INTO segment_memberships (company_id, segment_id, profile_id, created_at) "
                + "SELECT :c, :segment, t.id, now() FROM target t ON CONFLICT DO NOTHING RETURNING profile_id), "
                + "del AS (DELETE FROM segment_memberships m WHERE m.company_id = :c AND m.segment_id = :segment "
                + (scope != null ? "AND m.profile_id = ANY(:scope) " : "")
                + "AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = m.profile_id) RETURNING m.profile_id) "
                + "SELECT true AS entered, profile_id FROM ins UNION ALL SELECT false, profile_id FROM del";
        Query query = h.createQuery(sql).bind("segment", s.id());
        q.binds.forEach(query::bind);
        if (scope != null) query.bind("scope", live).bind("scopeAll", all);
        List<String> entered = new ArrayList<>();
        List<String> left = new ArrayList<>();
        query.map((rs, ctx) -> {
            (rs.getBoolean(1) ? entered : left).add(rs.getString(2));
            return null;
        }).list();
        // scoped profiles that no longer exist (deleted) leave too: their rows went with the deletion
        record(h, companyId, s, entered, ENTERED);
        record(h, companyId, s, left, LEFT);
        return new Change(s.id(), entered.size(), left.size());
    }

    private static void record(Handle h, long companyId, SegmentDao.SegmentRow s, List<String> profiles, String name) {
        if (profiles.isEmpty()) return;
        EventDao events = Daos.attach(h, EventDao.class);
        Instant now = Instant.now();
        String props = Jobs.JSON.createObjectNode().put("segment_id", s.id()).put("segment_name", s.name()).toString();
        for (int from = 0; from < profiles.size(); from += EVENT_BATCH) {
            int n = Math.min(EVENT_BATCH, profiles.size() - from);
            String[] occurred = new String[n];
            String[] ids = new String[n];
            String[] ps = new String[n];
            String[] types = new String[n];
            String[] names = new String[n];
            String[] propsA = new String[n];
            String[] nulls = new String[n];
            String[] sources = new String[n];
            for (int i = 0; i < n; i++) {
                var ulid = UlidCreator.getMonotonicUlid();
                occurred[i] = Instant.ofEpochMilli(ulid.getTime()).toString();
                ids[i] = ulid.toString();
                ps[i] = profiles.get(from + i);
                types[i] = "track";
                names[i] = name;
                propsA[i] = props;
                sources[i] = "segments";
            }
            events.insert(companyId, now, occurred, ids, ps, types, names, propsA, nulls, nulls, sources, nulls, nulls);
        }
        events.upsertMetrics(companyId, new String[] {UlidCreator.getMonotonicUlid().toString()}, new String[] {name});
    }

    private static void checkMetrics(Handle h, long companyId, SegmentDefinition def) {
        MetricDao metrics = Daos.attach(h, MetricDao.class);
        for (int g = 0; g < def.groups().size(); g++) {
            List<SegmentDefinition.Condition> cs = def.groups().get(g).conditions();
            for (int c = 0; c < cs.size(); c++) {
                if (cs.get(c) instanceof SegmentDefinition.Metric m && metrics.find(companyId, m.metricId()).isEmpty()) {
                    throw ApiException.invalid("/data/attributes/definition/condition_groups/" + g + "/conditions/" + c
                            + "/metric_id", "No metric with id `" + m.metricId() + "`.");
                }
            }
        }
        // the SQL is compiled once here too, so an unknown property is a 400 now rather than a stuck segment later
        SegmentSql.compile(companyId, def, new LinkedHashMap<>(), false, Instant.now());
    }

    private static ApiException missing(String id) {
        return ApiException.notFound("No segment with id `" + id + "`.");
    }

    private static Segment of(SegmentDao.SegmentRow r, Long count) {
        return new Segment(r.id(), r.name(), r.definition(), r.isStarred(), r.computedVersion() < r.version(),
                r.createdAt(), r.updatedAt(), count);
    }
}
