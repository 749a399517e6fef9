package io.switchboard.core.events;

import io.switchboard.core.InputLimits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.f4b6a3.ulid.UlidCreator;
import io.switchboard.core.BatchHandler;
import io.switchboard.core.ChangedProfiles;
import io.switchboard.core.GroupCommit;
import io.switchboard.core.Tx;
import io.switchboard.core.events.IngestOp.Alias;
import io.switchboard.core.events.IngestOp.BackInStock;
import io.switchboard.core.events.IngestOp.ChannelConsent;
import io.switchboard.core.events.IngestOp.Consent;
import io.switchboard.core.events.IngestOp.Device;
import io.switchboard.core.events.IngestOp.Effect;
import io.switchboard.core.events.IngestOp.Event;
import io.switchboard.core.events.IngestOp.Group;
import io.switchboard.core.events.IngestOp.Resolve;
import io.switchboard.core.events.IngestOp.UnregisterToken;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.OwnerSnapshot;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.core.identity.ResolvedProfile;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.db.ConsentDao;
import io.switchboard.db.Daos;
import io.switchboard.db.DeviceDao;
import io.switchboard.db.EventDao;
import io.switchboard.db.IdempotencyDao;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The one write path behind every ingestion dialect: a request is a list of {@link IngestOp}s applied in
 * ONE transaction — a 2xx means all of it committed, a 4xx means none of it.
 *
 * <p>Built to be batched: per-item work is only the identity step (the identity core decides per item);
 * everything else is set-based — one idempotency claim for all keys, one events INSERT from arrays, one
 * metrics upsert, one last-event update. Under group commit ({@link GroupCommit}) the requests of one batch
 * are units of one {@link BatchHandler}: the identifier owners of all of them are read ahead at once, and
 * their events go in with one INSERT just before the COMMIT.
 */
public class IngestService {
    public static final String SCOPE_REQUEST = "request";
    public static final String SCOPE_KLAVIYO_EVENT = "kl_event";

    private final IdentityService identity;
    private final Duration messageKeyRetention;
    private final Duration klaviyoKeyRetention;
    /** (company, event name) pairs known to have a metrics row; filled only after commit. */
    private final Cache<String, Boolean> knownMetrics = Caffeine.newBuilder().maximumSize(200_000).build();

    public IngestService(Tx tx, IdentityService identity, Duration messageKeyRetention, Duration klaviyoKeyRetention) {
        this.tx = tx;
        this.identity = identity;
        this.messageKeyRetention = messageKeyRetention;
        this.klaviyoKeyRetention = klaviyoKeyRetention;
    }

    private final Tx tx;

    private Tx tx() {
        return tx;
    }

    /** Concurrent requests share transactions and commits (core/GroupCommit); null: one transaction each. */
    private GroupCommit groupCommit;

    public IngestService withGroupCommit(GroupCommit groupCommit) {
        this.groupCommit = groupCommit;
        return this;
    }

    /** A whole-request idempotency key (Parcelvoy {@code Idempotency-Key}) and the request body's fingerprint. */
    public record RequestKey(String key, String fingerprint) {}

    /** What a request did. */
    public record Result(boolean duplicateRequest, List<String> profileIds, List<String> eventIds, int skipped) {}

    public Result ingest(long companyId, WriteContext ctx, RequestKey requestKey, List<IngestOp> ops) {
        return ingest(companyId, ctx, requestKey, ops, Instant.now());
    }

    /** {@code receivedAt}: the server's receive time (the one the dialect used for default event times). */
    public Result ingest(long companyId, WriteContext ctx, RequestKey requestKey, List<IngestOp> ops, Instant receivedAt) {
        return GroupCommit.run(groupCommit, tx(), ops.size(), handler, new Unit(companyId, ctx, requestKey, ops, receivedAt));
    }

    /**
     * As {@link #ingest(long, WriteContext, RequestKey, List, Instant)} without holding the caller's thread:
     * the future completes after the commit (or with the unit's own exception). For JAX-RS
     * {@code AsyncResponse}: no Jetty thread waits for the commit.
     */
    public java.util.concurrent.CompletableFuture<Result> ingestAsync(long companyId, WriteContext ctx,
                                                                     RequestKey requestKey, List<IngestOp> ops,
                                                                     Instant receivedAt) {
        return GroupCommit.submit(groupCommit, tx(), ops.size(), handler, new Unit(companyId, ctx, requestKey, ops, receivedAt));
    }

    /** One request: the typed unit of a group-commit batch. */
    private record Unit(long companyId, WriteContext ctx, RequestKey requestKey, List<IngestOp> ops, Instant receivedAt) {}

    /**
     * What the ingestion units of one group-commit attempt share (or one unit, in a transaction of its own):
     * the identifier owners read ahead for all of them, which every identity write of these units updates,
     * and their event rows, inserted with one statement just before the COMMIT.
     */
    private static final class Batch {
        final OwnerSnapshot owners;
        /** By company: the rows of every unit, for one INSERT each. */
        final Map<Long, BufferedRows> events = new HashMap<>();

        Batch(OwnerSnapshot owners) {
            this.owners = owners;
        }
    }

    private final Handler handler = new Handler();

    /** Ingestion requests in a group-commit batch: read ahead for all, apply each, insert every event at once. */
    private final class Handler implements BatchHandler<Unit, Batch, Result> {
        /**
         * The identifiers of every write-nothing item of every unit, by company, for the identity core to
         * read ahead in one statement.
         */
        @Override
        public Batch prepare(Handle h, List<Unit> units) {
            Map<Long, List<Identifiers>> byCompany = new HashMap<>();
            boolean writes = false; // any identify-like item: then the owners are settled (one statement more)
            for (Unit unit : units) {
                for (IngestOp op : unit.ops()) {
                    // every resolving item (identify included): write-nothing items of known people are then
                    // answered without a statement, the others skip their first owners look-up
                    if (op.identity() instanceof Resolve r
                            && (r.mode() == WriteMode.NORMAL || r.mode() == WriteMode.CLIENT)) {
                        byCompany.computeIfAbsent(unit.companyId(), k -> new ArrayList<>()).add(r.ids());
                        writes |= r.write() != null && !r.write().isEmpty();
                    }
                }
            }
            return new Batch(byCompany.isEmpty() ? OwnerSnapshot.none() : identity.readAhead(h, byCompany, writes));
        }

        @Override
        public Batch alone(Handle h, Unit unit) {
            return new Batch(OwnerSnapshot.none());
        }

        @Override
        public Result apply(Handle h, Batch batch, Unit u) {
            return ingest(h, batch, u.companyId(), u.ctx(), u.requestKey(), u.ops(), u.receivedAt());
        }

        @Override
        public void beforeCommit(Handle h, Batch batch) {
            flushEvents(h, batch);
        }
    }

    /**
     * Inside the caller's unit of work (core's own bulk jobs and subscriptions): the ops applied in {@code h}'s
     * transaction as one unit on its own — nothing read ahead, its events inserted before this returns.
     */
    public Result ingest(Handle h, long companyId, WriteContext ctx, RequestKey requestKey, List<IngestOp> ops,
                         Instant receivedAt) {
        return handler.runAlone(h, new Unit(companyId, ctx, requestKey, ops, receivedAt));
    }

    private Result ingest(Handle h, Batch batch, long companyId, WriteContext ctx, RequestKey requestKey,
                          List<IngestOp> ops, Instant receivedAt) {
        Instant now = receivedAt;
        IdempotencyDao idem = Daos.attach(h, IdempotencyDao.class);
        if (requestKey != null) {
            int fresh = idem.claimRequest(companyId, SCOPE_REQUEST, requestKey.key(), requestKey.fingerprint(),
                    now.plus(messageKeyRetention));
            if (fresh == 0) {
                String seen = idem.fingerprint(companyId, SCOPE_REQUEST, requestKey.key()).orElse(null);
                if (seen != null && !seen.equals(requestKey.fingerprint())) {
                    throw new ApiException(ErrorKind.INVALID, "This Idempotency-Key was already used with a "
                            + "different request body; use a new key for a new request.", null, "Idempotency-Key", null);
                }
                return new Result(true, List.of(), List.of(), ops.size());
            }
        }

        // per-item keys: one claim for all; a key already seen (or repeated in this request) skips its item
        Set<String> claimed = claimItemKeys(idem, companyId, ops, now);
        Set<String> used = new HashSet<>();
        List<String> profileIds = new ArrayList<>();
        List<PendingEvent> pending = new ArrayList<>();
        int skipped = 0;
        Map<Object, String> resolved = new HashMap<>();
        for (IngestOp op : ops) {
            if (op.key() != null) {
                String k = op.key().scope() + " " + op.key().key();
                if (!claimed.contains(k) || !used.add(k)) {
                    skipped++;
                    continue;
                }
            }
            String profileId;
            try {
                checkLimits(op);
                profileId = apply(h, batch.owners, companyId, ctx, op, now, pending, resolved);
            } catch (ApiException e) {
                throw located(op, e);
            }
            profileIds.add(profileId);
        }
        List<String> eventIds = writeEvents(h, batch, companyId, pending, now);
        skipped += pending.size() - eventIds.size();
        return new Result(false, profileIds, eventIds, skipped);
    }

    /**
     * Records events of an already-resolved profile inside the caller's transaction (e.g. delivery's
     * {@code email_sent}, {@code campaign_trigger}): the same set-based insert, metric upsert and
     * last-event update as ingestion. Returns the new event ids (Klaviyo-dedup'd events may be dropped).
     */
    public List<String> record(Handle h, long companyId, String profileId, List<Event> events, Instant now) {
        List<PendingEvent> pending = new ArrayList<>();
        for (Event e : events) pending.add(new PendingEvent(profileId, e));
        return writeEvents(h, null, companyId, pending, now);
    }

    private Set<String> claimItemKeys(IdempotencyDao idem, long companyId, List<IngestOp> ops, Instant now) {
        List<String> scopes = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (IngestOp op : ops) {
            if (op.key() != null) {
                scopes.add(op.key().scope());
                keys.add(op.key().key());
            }
        }
        if (keys.isEmpty()) return Set.of();
        return new HashSet<>(idem.claim(companyId, scopes.toArray(String[]::new), keys.toArray(String[]::new),
                now.plus(messageKeyRetention)));
    }

    private record PendingEvent(String profileId, Event event) {}

    /**
     * Within one request, an item naming exactly one identifier and writing nothing resolves to the same
     * profile as an earlier such item (it can neither merge nor attach anything), so the identity step is
     * done once: a batch of 100 tracks of one user costs one resolution. Any other item may merge
     * profiles, so it clears the memo.
     */
    private static Object memoKey(IngestOp op) {
        if (!(op.identity() instanceof Resolve r) || !r.write().isEmpty() || r.write().timestamp() != null) return null;
        var ids = r.ids();
        int n = (ids.externalId() != null ? 1 : 0) + (ids.email() != null ? 1 : 0) + (ids.phoneNumber() != null ? 1 : 0)
                + ids.anonymousIds().size();
        return n == 1 ? List.of(ids, r.mode()) : null;
    }

    private String apply(Handle h, OwnerSnapshot owners, long companyId, WriteContext ctx, IngestOp op, Instant now,
                         List<PendingEvent> pending, Map<Object, String> memo) {
        Object key = memoKey(op);
        String profileId = key == null ? null : memo.get(key);
        if (profileId == null) {
            ResolvedProfile p;
            if (op.identity() instanceof Alias a) {
                p = identity.alias(h, owners, companyId, a.anonymousId(), a.externalId(), ctx);
            } else if (op.identity() instanceof IngestOp.ById b) {
                p = identity.resolveById(h, owners, companyId, b.profileId(), b.write(), b.mode(), ctx, b.pointer());
            } else {
                Resolve r = (Resolve) op.identity();
                p = identity.resolve(h, owners, companyId, r.ids(), r.write(), r.mode(), ctx);
            }
            profileId = p.profileId();
            if (key == null) memo.clear();
            else memo.put(key, profileId);
        }
        for (Effect effect : op.effects()) {
            if (effect instanceof Event e) {
                pending.add(new PendingEvent(profileId, e));
            } else if (effect instanceof Device d) {
                upsertDevice(h, companyId, profileId, d, now);
            } else if (effect instanceof UnregisterToken u) {
                Daos.attach(h, DeviceDao.class).disableToken(companyId, u.token(), now);
            } else if (effect instanceof Consent c) {
                consent(h, companyId, profileId, c, now);
            } else if (effect instanceof IngestOp.ListMembership lm) {
                ConsentDao dao = Daos.attach(h, ConsentDao.class);
                if (lm.member()) {
                    dao.ensureList(companyId, lm.listId());
                    dao.join(companyId, lm.listId(), profileId);
                } else {
                    dao.leave(companyId, lm.listId(), identity.idsOf(h, companyId, profileId).toArray(String[]::new));
                }
                ChangedProfiles.add(h, companyId, profileId);
            } else if (effect instanceof BackInStock b) {
                Daos.attach(h, ConsentDao.class).backInStock(companyId, profileId, b.variantId(),
                        b.channels().toArray(String[]::new), now);
            } else if (effect instanceof Group g) {
                group(h, companyId, profileId, g);
            }
        }
        return profileId;
    }

    private static void upsertDevice(Handle h, long companyId, String profileId, Device d, Instant now) {
        DeviceDao dao = Daos.attach(h, DeviceDao.class);
        if (d.token() != null && d.deviceId() != null) {
            dao.dropTokenOnlyRows(companyId, d.token(), d.deviceId());
            dao.releaseToken(companyId, d.token(), d.deviceId(), now);
        }
        var u = new DeviceDao.Upsert(UlidCreator.getMonotonicUlid().toString(), d.deviceId(), profileId, d.token(),
                d.platform(), d.vendor(), d.os(), d.osVersion(), d.model(), d.appBuild(), d.appVersion(), d.enabled(),
                d.enablementStatus(), d.background(), d.metadata() == null ? null : d.metadata().toString(), d.source(),
                now);
        if (d.deviceId() != null) dao.upsertByDeviceId(companyId, u);
        else dao.upsertByToken(companyId, u);
    }

    private static void consent(Handle h, long companyId, String profileId, Consent c, Instant now) {
        ConsentDao dao = Daos.attach(h, ConsentDao.class);
        for (ChannelConsent cc : c.consents()) {
            dao.upsertSubscription(companyId, profileId, cc.channel(), cc.purpose(), cc.state(), cc.consentedAt(),
                    c.source(), c.customSource(), now);
        }
        if (c.listId() != null) {
            dao.ensureList(companyId, c.listId());
            dao.join(companyId, c.listId(), profileId);
        }
        ChangedProfiles.add(h, companyId, profileId);
    }

    private void group(Handle h, long companyId, String profileId, Group g) {
        ConsentDao dao = Daos.attach(h, ConsentDao.class);
        dao.upsertGroup(companyId, g.groupId(), g.traits() == null || !g.traits().isObject() ? "{}" : g.traits().toString());
        if (g.assigned()) {
            dao.joinGroup(companyId, g.groupId(), profileId);
        } else {
            dao.leaveGroup(companyId, g.groupId(), identity.idsOf(h, companyId, profileId).toArray(String[]::new));
        }
    }

    /** Klaviyo dedup, then one INSERT for all events, one metrics upsert, one last-event update. */
    /** {@code batch}: buffer the rows for its one INSERT before the COMMIT; null: insert them now. */
    private List<String> writeEvents(Handle h, Batch batch, long companyId, List<PendingEvent> pending, Instant now) {
        if (pending.isEmpty()) return List.of();
        // Klaviyo: (profile, metric, unique_id), else (profile, metric, time in whole seconds)
        Map<Integer, String> klKeys = new LinkedHashMap<>();
        for (int i = 0; i < pending.size(); i++) {
            PendingEvent pe = pending.get(i);
            if (pe.event().klaviyoDedup()) {
                Event e = pe.event();
                String k = pe.profileId() + "|" + e.name() + "|" + (e.dedupKey() != null ? "u:" + e.dedupKey()
                        : "t:" + e.occurredAt().truncatedTo(ChronoUnit.SECONDS).getEpochSecond());
                klKeys.put(i, k);
            }
        }
        Set<Integer> drop = new HashSet<>();
        if (!klKeys.isEmpty()) {
            String[] keys = klKeys.values().toArray(String[]::new);
            String[] scopes = new String[keys.length];
            java.util.Arrays.fill(scopes, SCOPE_KLAVIYO_EVENT);
            Set<String> fresh = new HashSet<>(Daos.attach(h, IdempotencyDao.class).claim(companyId, scopes, keys,
                    now.plus(klaviyoKeyRetention)));
            Set<String> used = new HashSet<>();
            klKeys.forEach((i, k) -> {
                String full = SCOPE_KLAVIYO_EVENT + " " + k;
                if (!fresh.contains(full) || !used.add(full)) drop.add(i);
            });
        }
        int n = pending.size() - drop.size();
        if (n == 0) return List.of();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < pending.size(); i++) {
            if (drop.contains(i)) continue;
            PendingEvent pe = pending.get(i);
            long ms = Math.max(0, pe.event().occurredAt().toEpochMilli());
            // the id's time is the event's time exactly (GET /api/events/{id} finds the row's partition by it); a
            // monotonic ULID would keep the previous id's later time for an event that happened earlier
            rows.add(new Row(UlidCreator.getUlid(ms).toString(), pe.profileId(), pe.event()));
        }
        if (batch != null) {
            // every unit's events go in with one INSERT just before the COMMIT
            batch.events.computeIfAbsent(companyId, c -> new BufferedRows()).add(now, rows);
        } else {
            insertEvents(h, companyId, now, rows);
        }
        return rows.stream().map(Row::id).toList();
    }

    /** An event row to insert, with its id. */
    private record Row(String id, String profileId, Event event) {}

    /** The rows of several units of one batch, for one company, gathered for one INSERT. */
    private static final class BufferedRows {
        Instant receivedAt;
        final List<Row> rows = new ArrayList<>();

        void add(Instant receivedAt, List<Row> more) {
            // received_at: the latest request's receive time of the batch (they differ by milliseconds)
            if (this.receivedAt == null || receivedAt.isAfter(this.receivedAt)) this.receivedAt = receivedAt;
            rows.addAll(more);
        }
    }

    private void flushEvents(Handle h, Batch batch) {
        Map<Long, BufferedRows> buffer = batch.events;
        if (buffer.isEmpty()) return;
        List<Long> companies = new ArrayList<>(buffer.keySet());
        java.util.Collections.sort(companies);
        for (Long companyId : companies) {
            BufferedRows b = buffer.get(companyId);
            insertEvents(h, companyId, b.receivedAt, b.rows);
        }
        buffer.clear();
    }

    /** One INSERT for all rows, one metrics upsert for names not known yet, one last-event update. */
    private void insertEvents(Handle h, long companyId, Instant now, List<Row> rows) {
        int n = rows.size();
        String[] occurred = new String[n], ids = new String[n], profiles = new String[n], types = new String[n],
                names = new String[n], props = new String[n], values = new String[n], currencies = new String[n],
                sources = new String[n], dedups = new String[n], raws = new String[n];
        Map<String, Instant> lastEvent = new HashMap<>();
        Set<String> metricNames = new LinkedHashSet<>();
        Set<String> changed = new HashSet<>();
        for (int j = 0; j < n; j++) {
            Row r = rows.get(j);
            Event e = r.event();
            occurred[j] = e.occurredAt().toString();
            ids[j] = r.id();
            profiles[j] = r.profileId();
            types[j] = e.type();
            names[j] = e.name();
            props[j] = e.properties() == null || e.properties().isNull() ? "{}" : e.properties().toString();
            values[j] = e.value() == null ? null : e.value().toPlainString();
            currencies[j] = e.valueCurrency();
            sources[j] = e.source();
            dedups[j] = e.dedupKey();
            raws[j] = e.raw() == null ? null : e.raw().toString();
            if (e.name() != null && !knownMetrics.asMap().containsKey(companyId + "\u0000" + e.name())) {
                metricNames.add(e.name());
            }
            changed.add(r.profileId());
            if (isActivity(e.type())) lastEvent.merge(r.profileId(), e.occurredAt(), (a, b) -> a.isAfter(b) ? a : b);
        }
        EventDao dao = Daos.attach(h, EventDao.class);
        // segments: the profiles with new events are queued in this transaction (inside a group-commit batch,
        // with every other unit's changes, in one statement just before the COMMIT)
        ChangedProfiles.add(h, companyId, changed);
        io.switchboard.db.EventCopy.insert(h, companyId, now, occurred, ids, profiles, types, names, props, values,
                currencies, sources, dedups, raws);
        if (!metricNames.isEmpty()) {
            String[] mn = metricNames.toArray(String[]::new);
            String[] mid = new String[mn.length];
            for (int k = 0; k < mn.length; k++) mid[k] = UlidCreator.getMonotonicUlid().toString();
            dao.upsertMetrics(companyId, mid, mn);
            h.afterCommit(() -> {
                for (String name : mn) knownMetrics.put(companyId + "\u0000" + name, Boolean.TRUE);
            });
        }
        if (!lastEvent.isEmpty()) {
            List<String> ps = new ArrayList<>(lastEvent.keySet());
            java.util.Collections.sort(ps); // lock order: ascending id, as the identity core does
            dao.markLastEvent(companyId, ps.toArray(String[]::new),
                    ps.stream().map(p -> lastEvent.get(p).toString()).toArray(String[]::new));
        }
    }

    private static boolean isActivity(String type) {
        return type.equals("track") || type.equals("page") || type.equals("screen");
    }

    /** operations.md input limits on what this item stores: event properties and profile properties. */
    private static void checkLimits(IngestOp op) {
        for (IngestOp.Effect effect : op.effects()) {
            if (effect instanceof Event e) {
                InputLimits.checkProperties(e.properties(),
                        e.propertiesPointer() == null ? "/properties" : e.propertiesPointer());
            }
        }
        // profile properties: checked by IdentityService on every write
    }

    private static ApiException located(IngestOp op, ApiException e) {
        if (op.where() == null || e.kind() != ErrorKind.INVALID) return e;
        String pointer = e.pointer() == null ? "/" + op.where() : e.pointer();
        return new ApiException(e.kind(), "Item " + op.where() + ": " + e.detail(), pointer, e.parameter(), e.meta(),
                e.headers());
    }
}
