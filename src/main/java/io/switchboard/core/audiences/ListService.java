package io.switchboard.core.audiences;

import io.switchboard.core.ChangedProfiles;
import io.switchboard.core.Tx;
import io.switchboard.db.Daos;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.Profile;
import io.switchboard.db.ListDao;
import io.switchboard.db.ProfileDao;
import io.switchboard.errors.ApiException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static lists: create, rename, delete, membership. The lists {@code /client/subscriptions} names are
 * the same rows (IngestService joins them), so a list is one audience whichever dialect filled it.
 * Each use case is one transaction ({@link Tx}); another company's list is "not found".
 */
public class ListService {
    /** Klaviyo's limit per membership request. */
    public static final int MAX_MEMBERS_PER_REQUEST = 1000;
    public static final int MAX_NAME_LENGTH = 255;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Tx tx;
    private final SegmentQueue segmentQueue;

    /** {@code segmentQueue}: a deleted list's members are queued for segment re-evaluation. */
    public ListService(Tx tx, SegmentQueue segmentQueue) {
        this.tx = tx;
        this.segmentQueue = segmentQueue;
    }

    public enum Sort {
        ID("id", "text"), NAME("name", "text"), CREATED("created_at", "timestamptz"), UPDATED("updated_at", "timestamptz");

        final String column;
        final String type;

        Sort(String column, String type) {
            this.column = column;
            this.type = type;
        }
    }

    /** Filters of {@code GET /api/lists}; null = no condition. */
    public record Filter(List<String> names, List<String> ids, Instant createdAfter, Instant updatedAfter) {}

    /** Keyset position: the sort column's value (text form) and the id of the last row of the previous page. */
    public record Position(String value, String id) {}

    public record Page(List<AudienceList> items, Position next) {}

    public AudienceList create(long companyId, String name, String optInProcess) {
        return tx.run(h -> {
            String id = newId();
            Instant now = Instant.now();
            // a clash of random ids is a unique violation, which Tx retries with a fresh id
            Daos.attach(h, ListDao.class).insert(companyId, id, name, optInProcess, now);
            return new AudienceList(id, name, optInProcess, now, now, null);
        });
    }

    public AudienceList get(long companyId, String listId, boolean withCount) {
        return tx.jdbi().withHandle(h -> {
            ListDao d = Daos.attach(h, ListDao.class);
            ListDao.ListRow r = d.find(companyId, listId).orElseThrow(() -> missing(listId));
            return of(r, withCount ? d.count(companyId, listId) : null);
        });
    }

    public AudienceList update(long companyId, String listId, String name, String optInProcess) {
        return tx.run(h -> {
            ListDao d = Daos.attach(h, ListDao.class);
            if (d.update(companyId, listId, name, optInProcess, Instant.now()) == 0) throw missing(listId);
            return of(d.find(companyId, listId).orElseThrow(), null);
        });
    }

    /** Deletes the list and its memberships (the foreign key cascades). */
    public void delete(long companyId, String listId) {
        tx.use(h -> {
            segmentQueue.queueListMembers(h, companyId, listId); // before the cascade takes the rows
            if (Daos.attach(h, ListDao.class).delete(companyId, listId) == 0) throw missing(listId);
        });
    }

    public Page page(long companyId, Filter f, Sort sort, boolean desc, int size, Position after) {
        List<ListDao.ListRow> rows = tx.jdbi().withHandle(h -> Daos.attach(h, ListDao.class).page(companyId,
                f.names() == null ? null : f.names().toArray(String[]::new),
                f.ids() == null ? null : f.ids().toArray(String[]::new), f.createdAfter(), f.updatedAfter(),
                sort.column, sort.type, desc ? "DESC" : "ASC", desc ? "<" : ">",
                after == null ? null : after.value(), after == null ? null : after.id(), size + 1));
        List<AudienceList> items = new ArrayList<>();
        for (int i = 0; i < Math.min(size, rows.size()); i++) items.add(of(rows.get(i), null));
        Position next = null;
        if (rows.size() > size) {
            ListDao.ListRow last = rows.get(size - 1);
            String v = switch (sort) {
                case ID -> last.id();
                case NAME -> last.name();
                case CREATED -> last.createdAt().toString();
                case UPDATED -> last.updatedAt().toString();
            };
            next = new Position(v, last.id());
        }
        return new Page(items, next);
    }

    /**
     * Adds profiles to a list. Every id must be a profile of this company (a merged-away id adds its
     * survivor); an unknown id fails the whole request (nothing written) naming its position.
     */
    public int addProfiles(long companyId, String listId, List<String> profileIds) {
        return tx.run(h -> {
            ListDao d = Daos.attach(h, ListDao.class);
            d.lock(companyId, listId).orElseThrow(() -> missing(listId));
            String[] live = live(d, companyId, profileIds);
            int n = d.add(companyId, listId, live, Instant.now());
            if (n > 0) d.update(companyId, listId, null, null, Instant.now());
            ChangedProfiles.add(h, companyId, java.util.Arrays.asList(live));
            return n;
        });
    }

    public int removeProfiles(long companyId, String listId, List<String> profileIds) {
        return tx.run(h -> {
            ListDao d = Daos.attach(h, ListDao.class);
            d.lock(companyId, listId).orElseThrow(() -> missing(listId));
            String[] live = live(d, companyId, profileIds);
            int n = d.remove(companyId, listId, live);
            if (n > 0) d.update(companyId, listId, null, null, Instant.now());
            ChangedProfiles.add(h, companyId, java.util.Arrays.asList(live));
            return n;
        });
    }

    /** Filters and position of a member page; null filters = no condition. */
    public record MemberQuery(List<String> emails, List<String> phoneNumbers, Instant joinedFrom, Instant joinedTo,
                              boolean desc, int size, Member after) {}

    public record Member(String profileId, Instant joinedAt) {}

    /** {@code profiles}: the members' profiles in page order (only when asked for). */
    public record MemberPage(List<Member> members, List<Profile> profiles, Member next) {}

    /** Members in join order (or reversed), keyset-paged; with their profiles when {@code withProfiles}. */
    public MemberPage members(long companyId, String listId, MemberQuery q, boolean withProfiles) {
        return tx.jdbi().withHandle(h -> {
            ListDao d = Daos.attach(h, ListDao.class);
            d.find(companyId, listId).orElseThrow(() -> missing(listId));
            List<ListDao.MemberRow> rows = d.members(companyId, listId,
                    q.emails() == null ? null : q.emails().stream().map(e -> Normalizer.email(e).orElse(e))
                            .toArray(String[]::new),
                    q.phoneNumbers() == null ? null : q.phoneNumbers().toArray(String[]::new),
                    q.joinedFrom(), q.joinedTo(), q.after() == null ? null : q.after().joinedAt(),
                    q.after() == null ? null : q.after().profileId(), q.desc() ? "DESC" : "ASC", q.desc() ? "<" : ">",
                    q.size() + 1);
            List<Member> page = new ArrayList<>();
            for (int i = 0; i < Math.min(q.size(), rows.size()); i++) {
                page.add(new Member(rows.get(i).profileId(), rows.get(i).joinedAt()));
            }
            List<Profile> profiles = List.of();
            if (withProfiles && !page.isEmpty()) {
                Map<String, Profile> byId = new java.util.HashMap<>();
                for (Profile p : Daos.attach(h, ProfileDao.class).findAll(companyId,
                        page.stream().map(Member::profileId).toArray(String[]::new))) {
                    byId.put(p.id(), p);
                }
                profiles = page.stream().map(m -> byId.get(m.profileId())).filter(java.util.Objects::nonNull).toList();
            }
            return new MemberPage(page, profiles, rows.size() > q.size() ? page.get(page.size() - 1) : null);
        });
    }

    /** The lists a live profile is on (the caller has checked the profile exists). */
    public List<AudienceList> listsOf(long companyId, String profileId, int limit) {
        return tx.jdbi().withHandle(h -> Daos.attach(h, ListDao.class).ofProfile(companyId, profileId, limit)
                .stream().map(r -> of(r, null)).toList());
    }

    private static String[] live(ListDao d, long companyId, List<String> asked) {
        Map<String, String> resolved = new LinkedHashMap<>();
        for (ListDao.Resolved r : d.resolve(companyId, asked.toArray(String[]::new))) resolved.put(r.asked(), r.live());
        Set<String> out = new java.util.TreeSet<>();
        for (int i = 0; i < asked.size(); i++) {
            String live = resolved.get(asked.get(i));
            if (live == null) {
                throw ApiException.invalid("/data/" + i + "/id", "No profile with id `" + asked.get(i) + "`.");
            }
            out.add(live);
        }
        return out.toArray(String[]::new);
    }

    private static ApiException missing(String listId) {
        return ApiException.notFound("No list with id `" + listId + "`.");
    }

    private static AudienceList of(ListDao.ListRow r, Long count) {
        return new AudienceList(r.id(), r.name(), r.optInProcess(), r.createdAt(), r.updatedAt(), count);
    }

    static String newId() {
        char[] c = new char[6];
        for (int i = 0; i < c.length; i++) c[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
        return new String(c);
    }
}
