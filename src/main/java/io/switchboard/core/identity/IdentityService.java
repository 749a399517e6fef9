package io.switchboard.core.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.ulid.UlidCreator;
import io.switchboard.core.ChangedProfiles;
import io.switchboard.core.GroupCommit;
import io.switchboard.core.Tx;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.db.Daos;
import io.switchboard.db.ProfileDao;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.SqlObject;

/**
 * The one implementation of identity.md for every dialect: resolution, safe merges, alias, strict
 * (409) writes, explicit merges, history, deletion.
 *
 * <p>Concurrency: each write runs in one transaction ({@link Tx}); identifiers are claimed with
 * {@code INSERT … ON CONFLICT DO NOTHING} in canonical order; every profile involved is locked with
 * {@code SELECT … FOR UPDATE} in ascending id order and the owners are re-checked after locking; any
 * race (a claim lost, an owner changed) throws {@link Tx.Retry} and the whole unit runs again against
 * the committed state. Hence: an identifier never has two owners, a merge is all-or-nothing, and N
 * identical concurrent writes for a new person end in one profile — across server processes too,
 * since all of it is in PostgreSQL.
 */
public class IdentityService {
    public static final int MAX_ANONYMOUS_IDS = 100;
    /** The field of errors about a write's identifiers as a whole (dialects place it at their attributes object). */
    public static final String IDENTIFIERS = "identifiers";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tx tx;
    private final LongFunction<CompanySettings> settings;
    private final GroupCommit groupCommit;
    private final List<ProfileLifecycleListener> listeners = new CopyOnWriteArrayList<>();

    public IdentityService(Tx tx, LongFunction<CompanySettings> settings) {
        this(tx, settings, null);
    }

    /** {@code groupCommit}: client upserts share transactions and commits with other writes (null: one each). */
    public IdentityService(Tx tx, LongFunction<CompanySettings> settings, GroupCommit groupCommit) {
        this.tx = tx;
        this.settings = settings;
        this.groupCommit = groupCommit;
    }

    /** For this package's tests only: the unit-of-work policy is not part of the public API. */
    Tx tx() {
        return tx;
    }

    public void addListener(ProfileLifecycleListener l) {
        listeners.add(l);
    }

    // ------------------------------------------------------------------ normalisation

    /**
     * Normalises raw identifiers. Junk values silently drop out. A malformed email or phone is rejected
     * when {@code strict} (server dialects: 400 naming {@code /data/attributes/<field>}), else dropped.
     */
    public List<Identifier> normalize(long companyId, Identifiers raw, boolean strict) {
        CompanySettings s = settings.apply(companyId);
        List<Identifier> out = new ArrayList<>();
        Normalizer.plainId(raw.externalId(), s).ifPresent(v -> out.add(new Identifier(IdentifierKind.EXTERNAL_ID, v)));
        if (raw.email() != null && !Normalizer.isJunk(raw.email(), s)) {
            Optional<String> e = Normalizer.email(raw.email());
            if (e.isPresent()) out.add(new Identifier(IdentifierKind.EMAIL, e.get()));
            else if (strict) throw ApiException.invalid(null,
                    "`email` is not a valid email address.").onField("email");
        }
        if (raw.phoneNumber() != null && !Normalizer.isJunk(raw.phoneNumber(), s)) {
            Optional<String> p = Normalizer.phone(raw.phoneNumber(), s);
            if (p.isPresent()) out.add(new Identifier(IdentifierKind.PHONE_NUMBER, p.get()));
            else if (strict) throw ApiException.invalid(null,
                    "`phone_number` is not a valid phone number; use E.164, e.g. +15005550006.").onField("phone_number");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String a : raw.anonymousIds()) {
            Normalizer.plainId(a, s).filter(seen::add)
                    .ifPresent(v -> out.add(new Identifier(IdentifierKind.ANONYMOUS_ID, v)));
        }
        return out;
    }

    // ------------------------------------------------------------------ use cases (each owns its unit of work)

    /** A profile as the resource shows it, and whether the write created it. */
    public record Upserted(Profile profile, boolean created) {}

    /** Strict create (Klaviyo {@code POST /api/profiles}): 409 when any identifier is owned; the new profile. */
    public Profile create(long companyId, WriteContext ctx, Identifiers ids, ProfileWrite write) {
        return tx.run(h -> require(h, companyId,
                resolve(h, companyId, ids, write, WriteMode.STRICT_CREATE, ctx).profileId()));
    }

    /** Update one live profile by id (identifiers owned elsewhere → 409); the profile as written. */
    public Profile update(long companyId, WriteContext ctx, String profileId, Identifiers ids, ProfileWrite write) {
        return tx.run(h -> require(h, companyId, update(h, companyId, profileId, ids, write, ctx).profileId()));
    }

    /**
     * Import: update the profile {@code profileId} when given, else a strict upsert by identifiers (409 when
     * they span profiles); the profile as written and whether it is new.
     */
    public Upserted importUpsert(long companyId, WriteContext ctx, String profileId, Identifiers ids, ProfileWrite write) {
        return tx.run(h -> {
            ResolvedProfile r = profileId != null
                    ? update(h, companyId, profileId, ids, write, ctx)
                    : resolve(h, companyId, ids, write, WriteMode.STRICT_UPSERT, ctx);
            return new Upserted(require(h, companyId, r.profileId()), r.created());
        });
    }

    /** Explicit merge of two live profiles; the destination survives and is returned. */
    public Profile merge(long companyId, WriteContext ctx, String destinationId, String sourceId) {
        return tx.run(h -> require(h, companyId, mergeExplicit(h, companyId, destinationId, sourceId, ctx).profileId()));
    }

    /**
     * Data-privacy deletion of the profile {@code ref} names, resolved in the same transaction as the
     * deletion (a tombstone's id, or an identifier that moved in a merge, stands for the survivor). When a
     * merge or deletion commits between resolving and locking, the unit runs again and resolves afresh, so
     * the deletion reaches whoever is the person now. Empty when no live profile matches.
     */
    public Optional<String> delete(long companyId, WriteContext ctx, ProfileRef ref) {
        return tx.run(h -> {
            Optional<String> target = live(h, companyId, ref);
            if (target.isEmpty()) return target;
            Hooks.beforeDeletionLock.accept(target.get());
            if (!delete(h, companyId, target.get(), ctx)) {
                throw new Tx.Retry("the deletion target was merged or deleted meanwhile");
            }
            return target;
        });
    }

    /**
     * A client-side upsert ({@link WriteMode#CLIENT}) under group commit; completes after the commit. The
     * identifiers named apart from the attributes win over those of the profile named by id, which win over
     * the attributes' own; an anonymous-only named profile's first anonymous id goes first.
     */
    public CompletableFuture<ResolvedProfile> clientUpsertAsync(long companyId, WriteContext ctx, ClientProfileWrite w) {
        return GroupCommit.submit(groupCommit, tx, 1, h -> {
            Profile named = w.namedId() == null ? null
                    : live(h, companyId, ProfileRef.byId(w.namedId().trim())).flatMap(id -> find(h, companyId, id))
                            .orElse(null);
            Identifiers a = w.attributes();
            Identifiers m = w.named();
            List<String> anon = new ArrayList<>(m.anonymousIds());
            anon.addAll(a.anonymousIds());
            if (named != null && named.externalId() == null && named.email() == null && named.phoneNumber() == null
                    && !named.anonymousIds().isEmpty()) {
                anon.add(0, named.anonymousIds().get(0));
            }
            Identifiers ids = new Identifiers(
                    firstOf(m.externalId(), named == null ? null : named.externalId(), a.externalId()),
                    firstOf(m.email(), named == null ? null : named.email(), a.email()),
                    firstOf(m.phoneNumber(), named == null ? null : named.phoneNumber(), a.phoneNumber()),
                    anon);
            return resolve(h, companyId, ids, w.write(), WriteMode.CLIENT, ctx);
        });
    }

    /** The id of the live profile {@code ref} names now (a tombstone stands for its survivor), or empty. */
    public Optional<String> liveId(long companyId, ProfileRef ref) {
        return tx.jdbi().withHandle(h -> live(h, companyId, ref));
    }

    /**
     * Inside a unit of work: the live profile a reference names. The one implementation of "a merged
     * profile's id stands for its survivor" (followed through successive merges).
     */
    public Optional<String> live(Handle h, long companyId, ProfileRef ref) {
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        if (ref instanceof ProfileRef.ByIdentifier bi) {
            if (bi.value() == null) return Optional.empty();
            Identifiers raw = switch (bi.kind()) {
                case EXTERNAL_ID -> Identifiers.of(bi.value(), null, null, null);
                case EMAIL -> Identifiers.of(null, bi.value(), null, null);
                case PHONE_NUMBER -> Identifiers.of(null, null, bi.value(), null);
                case ANONYMOUS_ID -> Identifiers.of(null, null, null, bi.value());
            };
            List<Identifier> ids = normalize(companyId, raw, false);
            if (ids.isEmpty()) return Optional.empty();
            String owner = owners(dao, companyId, ids).get(ids.get(0));
            if (owner == null) return Optional.empty();
            return follow(dao, companyId, owner);
        }
        String id = ((ProfileRef.ById) ref).id();
        return id == null || id.isBlank() ? Optional.empty() : follow(dao, companyId, id.trim());
    }

    private static Optional<String> follow(ProfileDao dao, long companyId, String id) {
        for (int hop = 0; hop < 16 && id != null; hop++) {
            Profile p = dao.find(companyId, id).orElse(null);
            if (p == null) return Optional.empty();
            if (!p.isTombstone()) return Optional.of(p.id());
            id = p.mergedInto();
        }
        return Optional.empty();
    }

    private static Optional<Profile> find(Handle h, long companyId, String id) {
        return Daos.attach(h, ProfileDao.class).find(companyId, id);
    }

    private static String firstOf(String... values) {
        for (String v : values) if (v != null) return v;
        return null;
    }

    /** Test seams: points inside a unit of work where a test can make a concurrent change land. */
    public static final class Hooks {
        static volatile java.util.function.Consumer<String> beforeDeletionLock = id -> {};

        private Hooks() {}

        /** Runs once per attempt of a deletion, after the target is resolved and before it is locked. */
        public static void beforeDeletionLock(java.util.function.Consumer<String> hook) {
            beforeDeletionLock = hook == null ? id -> {} : hook;
        }
    }

    // ------------------------------------------------------------------ writes (inside a caller's unit of work)

    /** Resolve-and-write in its own transaction. */
    public ResolvedProfile identify(long companyId, Identifiers ids, ProfileWrite write, WriteMode mode,
                                    WriteContext ctx) {
        return tx.run(h -> resolve(h, companyId, ids, write, mode, ctx));
    }

    /**
     * Resolves the identifiers of a write to one profile (creating, attaching, merging as the rules
     * say) and applies the attribute writes to it. Runs inside the caller's transaction so events,
     * devices etc. of the same request commit with it.
     */
    public ResolvedProfile resolve(Handle h, long companyId, Identifiers raw, ProfileWrite write, WriteMode mode,
                                   WriteContext ctx) {
        return resolve(h, OwnerSnapshot.none(), companyId, raw, write, mode, ctx);
    }

    /**
     * {@link #resolve(Handle, long, Identifiers, ProfileWrite, WriteMode, WriteContext)} inside a unit of work
     * that read owners ahead ({@link #readAhead}): a write-nothing item naming identifiers of one known live
     * person is answered from {@code snapshot}; every identifier write of this call is recorded into it.
     */
    public ResolvedProfile resolve(Handle h, OwnerSnapshot snapshot, long companyId, Identifiers raw, ProfileWrite write,
                                   WriteMode mode, WriteContext ctx) {
        checkLimits(write);
        boolean strict = mode == WriteMode.STRICT_CREATE || mode == WriteMode.STRICT_UPSERT;
        List<Identifier> ids = normalize(companyId, raw, strict);
        if (ids.isEmpty()) {
            ApiException e = ApiException.invalid(null,
                    "No usable identifier: send at least one of external_id, email, phone_number or anonymous_id "
                            + "(junk values such as \"null\" or \"undefined\" do not count).");
            throw strict ? e.onField(IDENTIFIERS) : e;
        }
        if (!strict && (write == null || write.isEmpty())) {
            // an item that writes nothing and names only identifiers of one live person (read ahead for
            // the whole group-commit batch): nothing to create, attach or merge — that person it is
            String known = snapshot.knownOwner(companyId, ids);
            if (known != null) return new ResolvedProfile(known, false);
        }
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        IdentifierWrites w = snapshot.writes(dao, companyId);
        Instant now = Instant.now();
        // read ahead for the whole group-commit batch when it can be (one statement for all its items); the
        // owners are locked and read again below before anything is written
        Map<Identifier, String> readAhead = snapshot.ownersIfSettled(companyId, ids);
        Map<Identifier, String> owners = readAhead != null ? readAhead : owners(dao, companyId, ids);
        Set<String> ownerIds = new LinkedHashSet<>(owners.values());

        if (mode == WriteMode.STRICT_CREATE) {
            if (!ownerIds.isEmpty()) throw duplicate(ownerIds.iterator().next());
            return create(w, ids, write, now, ctx, "strict_create");
        }
        if (ownerIds.isEmpty()) {
            return create(w, ids, write, now, ctx, "new_identifiers");
        }
        // owners settled by the read-ahead cannot have changed (it locked them FOR UPDATE, then re-read
        // them): no second look-up under this lock
        Map<String, Draft> locked = lockAndRecheck(dao, companyId, ids, owners, readAhead != null ? snapshot : null);
        if (mode == WriteMode.STRICT_UPSERT) {
            if (ownerIds.size() > 1) {
                throw duplicate(ownerIds.stream().sorted().skip(1).findFirst().orElseThrow());
            }
            Draft target = locked.get(ownerIds.iterator().next());
            attach(w, target, ids, owners, true, true, ctx, "import", now);
            target.apply(write, now);
            save(w, target, now);
            return new ResolvedProfile(target.id, false);
        }

        // --- rule 2: the anchor
        Identifier ext = first(ids, IdentifierKind.EXTERNAL_ID);
        Draft anchor;
        String rule;
        if (ext != null && owners.containsKey(ext)) {
            anchor = locked.get(owners.get(ext));
            rule = "external_id_owner";
        } else {
            Identifier best = ids.stream().filter(i -> i.kind() != IdentifierKind.EXTERNAL_ID && owners.containsKey(i))
                    .findFirst().orElse(null);
            Draft candidate = best == null ? null : locked.get(owners.get(best));
            if (ext == null) {
                anchor = candidate;
                rule = "highest_ranked_identifier";
            } else if (candidate != null && candidate.externalId == null) {
                anchor = candidate;
                rule = "external_id_joins_" + best.kind().column() + "_owner";
            } else {
                // the candidate belongs to someone else: a new person with this external_id
                List<Identifier> unowned = ids.stream().filter(i -> !owners.containsKey(i)).toList();
                ResolvedProfile created = create(w, unowned, write, now, ctx,
                        "external_id_differs_from_" + best.kind().column() + "_owner");
                for (String other : ownerIds) {
                    conflict(dao, companyId, created.profileId(), locked.get(other), ids, owners, ctx,
                            "different_external_id");
                }
                return created;
            }
        }

        // --- rule 3: merge every other owner into the anchor when safe
        Draft survivor = anchor;
        String effectiveExt = anchor.externalId != null ? anchor.externalId : ext == null ? null : ext.value();
        List<String> others = ids.stream().filter(owners::containsKey).map(owners::get).distinct()
                .filter(o -> !o.equals(anchor.id)).toList();
        Set<String> conflicting = new LinkedHashSet<>();
        for (String otherId : others) {
            Draft other = locked.get(otherId);
            if (other.externalId == null || effectiveExt == null || other.externalId.equals(effectiveExt)) {
                Draft s = survivor;
                Draft l = other;
                if (s.externalId == null && l.externalId != null) {
                    s = other;
                    l = survivor;
                }
                merge(w, s, l, ctx, "safe_merge:" + rule, now);
                survivor = s;
                if (survivor.externalId != null) effectiveExt = survivor.externalId;
            } else {
                conflicting.add(otherId);
                conflict(dao, companyId, survivor.id, other, ids, owners, ctx, "different_external_id");
            }
        }

        // --- rule 4: attach what no one owns now
        Map<Identifier, String> current = new HashMap<>();
        owners.forEach((i, o) -> {
            if (conflicting.contains(o)) current.put(i, o);
        });
        attach(w, survivor, ids, current, mode == WriteMode.NORMAL, false, ctx, rule, now);

        // --- rule 5: the attribute writes
        survivor.apply(write, now);
        save(w, survivor, now);
        return new ResolvedProfile(survivor.id, false);
    }

    /**
     * {@link #resolve} for the person a profile id names: the live profile (following merges) and its
     * identifiers, with the attribute writes. An unknown id is a 400 at the dialect's {@code pointer}.
     */
    public ResolvedProfile resolveById(Handle h, OwnerSnapshot snapshot, long companyId, String profileId,
                                       ProfileWrite write, WriteMode mode, WriteContext ctx, String pointer) {
        Profile p = live(h, companyId, ProfileRef.byId(profileId)).flatMap(id -> find(h, companyId, id)).orElse(null);
        if (p == null) throw ApiException.invalid(pointer, "No profile with id `" + profileId + "`.");
        return resolve(h, snapshot, companyId, new Identifiers(p.externalId(), p.email(), p.phoneNumber(), p.anonymousIds()),
                write, mode, ctx);
    }

    /**
     * Alias ({@code previousId → userId}): identity.md "Alias". A refused alias changes nothing but is
     * recorded as a conflict; it is not an error.
     */
    public ResolvedProfile alias(Handle h, long companyId, String anonymousId, String externalId, WriteContext ctx) {
        return alias(h, OwnerSnapshot.none(), companyId, anonymousId, externalId, ctx);
    }

    /** {@link #alias(Handle, long, String, String, WriteContext)} recording its identifier writes into {@code snapshot}. */
    public ResolvedProfile alias(Handle h, OwnerSnapshot snapshot, long companyId, String anonymousId, String externalId,
                                 WriteContext ctx) {
        List<Identifier> ids = normalize(companyId, Identifiers.of(externalId, null, null, anonymousId), false);
        Identifier ext = first(ids, IdentifierKind.EXTERNAL_ID);
        Identifier anon = first(ids, IdentifierKind.ANONYMOUS_ID);
        if (ext == null || anon == null) {
            // one side is junk: what remains is a plain identify of the other
            if (ids.isEmpty()) {
                throw ApiException.invalid(null, "Alias needs a usable anonymous id and external id.");
            }
            return resolve(h, snapshot, companyId, Identifiers.of(externalId, null, null, anonymousId), ProfileWrite.NONE,
                    WriteMode.NORMAL, ctx);
        }
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        Map<Identifier, String> owners = owners(dao, companyId, ids);
        String oa = owners.get(anon);
        String ox = owners.get(ext);
        if (oa != null && !oa.equals(ox)) {
            Map<String, Draft> locked = lockAndRecheck(dao, companyId, ids, owners);
            Draft a = locked.get(oa);
            if (a.externalId != null && !a.externalId.equals(ext.value())) {
                conflict(dao, companyId, ox, a, ids, owners, ctx, "alias_refused_anonymous_id_tied_to_other_external_id");
                return new ResolvedProfile(ox != null ? ox : oa, false);
            }
        }
        return resolve(h, snapshot, companyId, Identifiers.of(externalId, null, null, anonymousId), ProfileWrite.NONE,
                WriteMode.NORMAL, ctx);
    }

    /**
     * Klaviyo server {@code PATCH /api/profiles/{id}}: identifiers owned by another profile → 409; may
     * replace external_id, email and phone.
     */
    ResolvedProfile update(Handle h, long companyId, String profileId, Identifiers raw, ProfileWrite write,
                                  WriteContext ctx) {
        checkLimits(write);
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        List<Identifier> ids = normalize(companyId, raw, true);
        Map<Identifier, String> owners = owners(dao, companyId, ids);
        for (var e : owners.entrySet()) {
            if (!e.getValue().equals(profileId)) throw duplicate(e.getValue());
        }
        IdentifierWrites w = OwnerSnapshot.none().writes(dao, companyId); // its own transaction: nothing read ahead
        Draft target = lockLive(dao, companyId, profileId);
        Map<Identifier, String> recheck = owners(dao, companyId, ids);
        if (!recheck.equals(owners)) throw new Tx.Retry("owners changed");
        Instant now = Instant.now();
        attach(w, target, ids, owners, true, true, ctx, "server_update", now);
        target.apply(write, now);
        target.dirty = true;
        save(w, target, now);
        return new ResolvedProfile(target.id, false);
    }

    /** Explicit merge (Klaviyo profile-merge, admin merge): any two live profiles; the destination survives. */
    ResolvedProfile mergeExplicit(Handle h, long companyId, String destinationId, String sourceId,
                                         WriteContext ctx) {
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        if (destinationId.equals(sourceId)) {
            lockLive(dao, companyId, destinationId);
            return new ResolvedProfile(destinationId, false);
        }
        IdentifierWrites w = OwnerSnapshot.none().writes(dao, companyId); // its own transaction: nothing read ahead
        List<Profile> rows = dao.lock(companyId, new String[] {destinationId, sourceId});
        Map<String, Profile> byId = new HashMap<>();
        rows.forEach(p -> byId.put(p.id(), p));
        Profile d = byId.get(destinationId);
        Profile s = byId.get(sourceId);
        if (d == null || d.isTombstone()) throw notFound(destinationId, d);
        if (s == null || s.isTombstone()) throw notFound(sourceId, s);
        Draft survivor = new Draft(d);
        Instant now = Instant.now();
        merge(w, survivor, new Draft(s), ctx, "explicit_merge", now);
        save(w, survivor, now);
        return new ResolvedProfile(survivor.id, false);
    }

    /** Data-privacy deletion: the profile, its tombstones, their identifiers and history, and listeners' data. */
    boolean delete(Handle h, long companyId, String profileId, WriteContext ctx) {
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        List<Profile> rows = dao.lock(companyId, new String[] {profileId});
        if (rows.isEmpty() || rows.get(0).isTombstone()) return false;
        List<String> all = new ArrayList<>();
        all.add(profileId);
        all.addAll(dao.tombstonesOf(companyId, profileId));
        for (ProfileLifecycleListener l : listeners) l.onDelete(h, companyId, all);
        OwnerSnapshot.none().writes(dao, companyId).delete(all);
        dao.history(companyId, "delete", profileId, null, "[]", "data_privacy_deletion", ctx.credential(),
                ctx.source(), null);
        return true;
    }

    // ------------------------------------------------------------------ reads

    /** A live profile, or 404; a tombstone's 404 names the survivor in {@code meta.merged_into}. */
    public Profile get(long companyId, String profileId) {
        return tx.jdbi().withHandle(h -> require(h, companyId, profileId));
    }

    public Profile require(Handle h, long companyId, String profileId) {
        Profile p = Daos.attach(h, ProfileDao.class).find(companyId, profileId).orElse(null);
        if (p == null || p.isTombstone()) throw notFound(profileId, p);
        return p;
    }

    public Optional<Profile> find(long companyId, String profileId) {
        return tx.jdbi().withHandle(h -> Daos.attach(h, ProfileDao.class).find(companyId, profileId));
    }

    /** The profile and every tombstone merged into it: whose events, devices… are the person's. */
    public List<String> idsOf(Handle h, long companyId, String survivorId) {
        List<String> out = new ArrayList<>();
        out.add(survivorId);
        out.addAll(Daos.attach(h, ProfileDao.class).tombstonesOf(companyId, survivorId));
        return out;
    }

    public List<ProfileDao.HistoryRow> history(long companyId, String profileId) {
        return tx.jdbi().withHandle(h -> {
            List<String> ids = idsOf(h, companyId, profileId);
            return Daos.attach(h, ProfileDao.class).history(companyId, ids.toArray(String[]::new));
        });
    }

    // ------------------------------------------------------------------ read-ahead for a group-commit batch

    /**
     * For a group-commit batch: reads, in two statements per company, the live owners of the identifiers
     * that the batch's write-nothing items (events, devices… of people who may be known) will resolve,
     * locking each owner {@code FOR KEY SHARE} until the commit — so a concurrent merge or deletion of such a
     * person waits, exactly as it would wait for the {@code FOR UPDATE} of the full path. The snapshot is
     * then handed to {@link #resolve(Handle, OwnerSnapshot, long, Identifiers, ProfileWrite, WriteMode,
     * WriteContext) resolve}, which answers such an item without a statement when every identifier it names
     * belongs to the same live owner and nothing in this unit of work has changed that owner or those
     * identifiers since (every claim, release, merge and deletion records into the snapshot what it changed,
     * through {@link IdentifierWrites}). Any other item takes the full path, unchanged.
     */
    public OwnerSnapshot readAhead(Handle h, Map<Long, List<Identifiers>> byCompany) {
        return readAhead(h, byCompany, false);
    }

    /**
     * As {@link #readAhead(Handle, Map)}; with {@code settle} (a batch with items that write), the owners are
     * locked {@code FOR UPDATE} instead of {@code FOR KEY SHARE}, all at once in id order, and read once more
     * after the lock (one statement more per batch); the identifiers whose owner was the same
     * both times and is live — or that nobody owned both times — are marked settled: their owners cannot
     * change until the commit (every identity write locks the owners it changes {@code FOR UPDATE}, which
     * waits for this lock), so {@link #resolve(Handle, OwnerSnapshot, long, Identifiers, ProfileWrite,
     * WriteMode, WriteContext) resolve} takes them from the snapshot instead of looking them up and re-reading
     * them under its own lock. (An identifier nobody owned may still be claimed by another transaction
     * meanwhile: this batch's claim of it then fails on the unique key, and that unit runs alone, on the full
     * path.)
     */
    public OwnerSnapshot readAhead(Handle h, Map<Long, List<Identifiers>> byCompany, boolean settle) {
        Map<Long, Map<Identifier, String>> byOwner = new HashMap<>();
        Map<Long, Set<Identifier>> settled = new HashMap<>();
        Map<Long, List<Profile>> lockedRows = new HashMap<>();
        ProfileDao dao = Daos.attach(h, ProfileDao.class);
        byCompany.forEach((companyId, raws) -> {
            Set<Identifier> all = new LinkedHashSet<>();
            for (Identifiers raw : raws) all.addAll(normalize(companyId, raw, false));
            Set<Identifier> ok = new HashSet<>(all); // unowned, or owned by a live person (below)
            Map<Identifier, String> m = new HashMap<>();
            if (!all.isEmpty()) {
                String[] kinds = all.stream().map(i -> i.kind().column()).toArray(String[]::new);
                String[] values = all.stream().map(Identifier::value).toArray(String[]::new);
                List<ProfileDao.Owner> found = new ArrayList<>();
                Set<String> live = new HashSet<>();
                if (!settle) {
                    // a batch whose items write nothing: owners found and locked FOR KEY SHARE in one statement
                    for (ProfileDao.SharedOwner o : dao.ownersKeyShared(companyId, kinds, values)) {
                        found.add(new ProfileDao.Owner(o.kind(), o.value(), o.profileId()));
                        if (o.live()) live.add(o.profileId());
                    }
                } else {
                    found = dao.owners(companyId, kinds, values);
                    if (!found.isEmpty()) {
                        String[] ownerIds = found.stream().map(ProfileDao.Owner::profileId).distinct().sorted()
                                .toArray(String[]::new);
                        // settling a batch that writes: its owners locked FOR UPDATE at once, in id order (the
                        // units would take that lock one by one anyway). A FOR KEY SHARE here, upgraded later by
                        // a unit, deadlocks against a concurrent batch doing the same (two committers, two servers)
                        List<Profile> rows = dao.lock(companyId, ownerIds).stream().filter(p -> !p.isTombstone())
                                .toList();
                        lockedRows.put(companyId, rows); // the units take these rows instead of locking again
                        for (Profile p : rows) live.add(p.id());
                    }
                }
                for (ProfileDao.Owner o : found) {
                    Identifier i = new Identifier(IdentifierKind.of(o.kind()), o.value());
                    if (live.contains(o.profileId())) {
                        m.put(i, o.profileId());
                    } else {
                        ok.remove(i); // owned by someone not live: only the full path may decide
                    }
                }
                if (settle) {
                    // the second look, under the lock: whatever moved between the two is left to the full path
                    Map<Identifier, String> again = new HashMap<>();
                    for (ProfileDao.Owner o : dao.owners(companyId, kinds, values)) {
                        again.put(new Identifier(IdentifierKind.of(o.kind()), o.value()), o.profileId());
                    }
                    for (Identifier i : all) {
                        String first = m.get(i);
                        String second = again.get(i);
                        if (!java.util.Objects.equals(first, second) || (second != null && !live.contains(second))) {
                            ok.remove(i);
                        }
                    }
                    settled.put(companyId, ok);
                }
            }
            byOwner.put(companyId, m);
        });
        return OwnerSnapshot.of(byOwner, settled, lockedRows);
    }

    // ------------------------------------------------------------------ internals

    private static Identifier first(List<Identifier> ids, IdentifierKind k) {
        return ids.stream().filter(i -> i.kind() == k).findFirst().orElse(null);
    }

    private static Map<Identifier, String> owners(ProfileDao dao, long companyId, Collection<Identifier> ids) {
        String[] kinds = ids.stream().map(i -> i.kind().column()).toArray(String[]::new);
        String[] values = ids.stream().map(Identifier::value).toArray(String[]::new);
        Map<Identifier, String> out = new LinkedHashMap<>();
        Map<Identifier, String> found = new HashMap<>();
        for (ProfileDao.Owner o : dao.owners(companyId, kinds, values)) {
            found.put(new Identifier(IdentifierKind.of(o.kind()), o.value()), o.profileId());
        }
        for (Identifier i : ids) if (found.containsKey(i)) out.put(i, found.get(i));
        return out;
    }

    /** Locks every owner in ascending id order, then checks no owner changed meanwhile. */
    private Map<String, Draft> lockAndRecheck(ProfileDao dao, long companyId, List<Identifier> ids,
                                              Map<Identifier, String> owners) {
        return lockAndRecheck(dao, companyId, ids, owners, null);
    }

    /**
     * As {@link #lockAndRecheck(ProfileDao, long, List, Map)}; with {@code settledBy}, the snapshot whose
     * read-ahead settled these owners (locked them FOR UPDATE and read them twice): no re-check, and their rows
     * as that read-ahead read them when no unit of the batch has taken or written them since (else locked and
     * read again: an earlier unit of the batch may have changed them).
     */
    private Map<String, Draft> lockAndRecheck(ProfileDao dao, long companyId, List<Identifier> ids,
                                              Map<Identifier, String> owners, OwnerSnapshot settledBy) {
        String[] idArr = owners.values().stream().distinct().sorted().toArray(String[]::new);
        List<Profile> rows = settledBy == null ? null : settledBy.takeLockedRows(companyId, idArr);
        if (rows == null) {
            rows = dao.lock(companyId, idArr);
            boolean moved = settledBy == null && !owners(dao, companyId, ids).equals(owners);
            if (rows.size() != idArr.length || moved || rows.stream().anyMatch(Profile::isTombstone)) {
                throw new Tx.Retry("identifier owners changed while locking");
            }
        }
        Map<String, Draft> out = new HashMap<>();
        rows.forEach(p -> out.put(p.id(), new Draft(p)));
        return out;
    }

    private Draft lockLive(ProfileDao dao, long companyId, String profileId) {
        List<Profile> rows = dao.lock(companyId, new String[] {profileId});
        Profile p = rows.isEmpty() ? null : rows.get(0);
        if (p == null || p.isTombstone()) throw notFound(profileId, p);
        return new Draft(p);
    }

    private ResolvedProfile create(IdentifierWrites w, List<Identifier> ids, ProfileWrite write,
                                   Instant now, WriteContext ctx, String rule) {
        ProfileDao dao = w.dao();
        long companyId = w.companyId();
        Draft d = new Draft(UlidCreator.getMonotonicUlid().toString(), true, now);
        List<Identifier> take = new ArrayList<>();
        for (Identifier i : ids) {
            if (i.kind() == IdentifierKind.ANONYMOUS_ID) {
                if (d.anonymousIds.size() < MAX_ANONYMOUS_IDS) {
                    d.set(i.kind(), i.value());
                    take.add(i);
                }
            } else if (d.get(i.kind()) == null) {
                d.set(i.kind(), i.value());
                take.add(i);
            }
        }
        d.apply(write, now);
        // the row, its claims and its history record in one statement (one round trip instead of three)
        List<Identifier> sorted = sortedForClaim(take);
        requireAllClaimed(w.create(d, sorted, json(d.attributes), json(d.properties), json(d.writeTimes), now,
                idsJson(take), rule, ctx.credential(), ctx.source()), sorted);
        ChangedProfiles.add(((SqlObject) dao).getHandle(), companyId, d.id); // derived data (segments) follows
        return new ResolvedProfile(d.id, true);
    }

    /**
     * Attaches identifiers that no live profile owns to {@code s}. {@code replace}: a new email/phone
     * replaces the old one (released). {@code replaceExternal}: so may a new external_id (server PATCH
     * and import only).
     */
    private void attach(IdentifierWrites w, Draft s, List<Identifier> ids, Map<Identifier, String> ownedElsewhere,
                        boolean replace, boolean replaceExternal, WriteContext ctx, String rule, Instant now) {
        ProfileDao dao = w.dao();
        long companyId = w.companyId();
        List<Identifier> claim = new ArrayList<>();
        List<Identifier> released = new ArrayList<>();
        for (Identifier i : ids) {
            String owner = ownedElsewhere.get(i);
            if ((owner != null && !owner.equals(s.id)) || s.owns(i)) continue;
            if (i.kind() == IdentifierKind.ANONYMOUS_ID) {
                if (s.anonymousIds.size() < MAX_ANONYMOUS_IDS) {
                    s.set(i.kind(), i.value());
                    claim.add(i);
                }
                continue;
            }
            String old = s.get(i.kind());
            boolean mayReplace = i.kind() == IdentifierKind.EXTERNAL_ID ? replaceExternal : replace;
            if (old == null) {
                s.set(i.kind(), i.value());
                claim.add(i);
            } else if (mayReplace) {
                w.release(s.id, new Identifier(i.kind(), old));
                released.add(new Identifier(i.kind(), old));
                s.set(i.kind(), i.value());
                claim.add(i);
            } else if (i.kind() == IdentifierKind.EXTERNAL_ID) {
                dao.history(companyId, "conflict", s.id, null, idsJson(List.of(i)), "external_id_not_replaced",
                        ctx.credential(), ctx.source(), null);
            }
        }
        if (!released.isEmpty()) {
            dao.history(companyId, "release", s.id, null, idsJson(released), rule, ctx.credential(), ctx.source(), null);
        }
        if (!claim.isEmpty()) {
            claim(w, s.id, claim);
            dao.history(companyId, "attach", s.id, null, idsJson(claim), rule, ctx.credential(), ctx.source(), null);
        }
    }

    /** Claims go in one canonical order (kind, value), so two transactions claiming the same identifiers queue. */
    private static List<Identifier> sortedForClaim(List<Identifier> ids) {
        return ids.stream().sorted(Comparator.comparing((Identifier i) -> i.kind().column())
                .thenComparing(Identifier::value)).toList();
    }

    private static void claim(IdentifierWrites w, String profileId, List<Identifier> ids) {
        if (ids.isEmpty()) return;
        List<Identifier> sorted = sortedForClaim(ids);
        requireAllClaimed(w.claim(profileId, sorted), sorted);
    }

    /** Fewer claimed than asked: another transaction owns one of them now — roll back and resolve again. */
    private static void requireAllClaimed(List<String> claimed, List<Identifier> asked) {
        if (claimed.size() != asked.size()) throw new Tx.Retry("an identifier was claimed concurrently");
    }

    /** Merges loser {@code l} into survivor {@code s} (both locked). */
    private void merge(IdentifierWrites w, Draft s, Draft l, WriteContext ctx, String rule, Instant now) {
        ProfileDao dao = w.dao();
        long companyId = w.companyId();
        ObjectNode snapshot = l.snapshot();
        List<Identifier> moved = new ArrayList<>();
        List<Identifier> released = new ArrayList<>();
        for (IdentifierKind k : List.of(IdentifierKind.EXTERNAL_ID, IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER)) {
            String v = l.get(k);
            if (v == null) continue;
            if (s.get(k) == null) {
                w.move(l.id, s.id, new Identifier(k, v));
                s.set(k, v);
                moved.add(new Identifier(k, v));
            } else {
                w.release(l.id, new Identifier(k, v));
                released.add(new Identifier(k, v));
            }
            l.set(k, null);
        }
        w.moveAnonymousIds(l.id, s.id);
        for (String a : l.anonymousIds) {
            s.set(IdentifierKind.ANONYMOUS_ID, a);
            moved.add(new Identifier(IdentifierKind.ANONYMOUS_ID, a));
        }
        s.absorb(l);
        w.tombstone(l.id, s.id, now);
        Handle h = ((SqlObject) dao).getHandle();
        for (ProfileLifecycleListener listener : listeners) listener.onMerge(h, companyId, s.id, l.id);
        ObjectNode ids = JSON.createObjectNode();
        ids.set("moved", JSON.valueToTree(moved.stream().map(Identifier::toString).toList()));
        ids.set("released", JSON.valueToTree(released.stream().map(Identifier::toString).toList()));
        dao.history(companyId, "merge", s.id, l.id, json(ids), rule, ctx.credential(), ctx.source(), json(snapshot));
    }

    private void conflict(ProfileDao dao, long companyId, String survivorId, Draft other, List<Identifier> ids,
                          Map<Identifier, String> owners, WriteContext ctx, String rule) {
        List<Identifier> theirs = ids.stream().filter(i -> other.id.equals(owners.get(i))).toList();
        dao.history(companyId, "conflict", survivorId, other.id, idsJson(theirs), rule, ctx.credential(), ctx.source(),
                null);
    }

    private void save(IdentifierWrites w, Draft d, Instant now) {
        // nothing changed (an event for a known person): no UPDATE, no new row version, updated_at stays
        if (!d.dirty) return;
        w.update(d, json(d.attributes), json(d.properties), json(d.writeTimes), now);
        // a merge's survivor is saved too (absorb marks it dirty): it is queued here
        ChangedProfiles.add(((SqlObject) w.dao()).getHandle(), w.companyId(), d.id);
    }

    private static ApiException duplicate(String profileId) {
        return new ApiException(ErrorKind.DUPLICATE_PROFILE, "A profile already exists with one of these identifiers.",
                null, null, Map.of("duplicate_profile_id", profileId)).onField(IDENTIFIERS);
    }

    private static ApiException notFound(String id, Profile p) {
        if (p != null && p.isTombstone()) {
            return new ApiException(ErrorKind.NOT_FOUND, "Profile " + id + " was merged into " + p.mergedInto() + ".",
                    null, null, Map.of("merged_into", p.mergedInto()));
        }
        return ApiException.notFound("No profile with id `" + id + "`.");
    }

    private static String idsJson(List<Identifier> ids) {
        ArrayNode a = JSON.createArrayNode();
        ids.forEach(i -> a.addObject().put("kind", i.kind().column()).put("value", i.value()));
        return json(a);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    /** operations.md input limits on a write's custom properties (≤ 400 keys, no NUL), named at the dialect's pointer. */
    private static void checkLimits(ProfileWrite write) {
        if (write == null || write.properties().isEmpty()) return;
        io.switchboard.core.InputLimits.checkProperties(write.properties(), write.propertiesPointerOrDefault());
    }
}
