package io.switchboard.core.events;

import com.github.f4b6a3.ulid.Ulid;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.db.ConsentDao;
import io.switchboard.db.DeviceDao;
import io.switchboard.db.EventDao;
import io.switchboard.db.EventDao.EventRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads of the event store: by id, by profile (the survivor and its tombstones) and by company/name,
 * keyset-paged on (occurred_at, id) with an opaque cursor.
 */
public class EventReads {
    public static final String[] ACTIVITY = {"track", "page", "screen"};
    public static final String[] ALL_TYPES = {"track", "page", "screen", "identify", "group", "alias"};
    private static final Instant MIN = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-01-01T00:00:00Z");

    private final Jdbi jdbi;
    private final IdentityService identity;

    public EventReads(Jdbi jdbi, IdentityService identity) {
        this.jdbi = jdbi;
        this.identity = identity;
    }

    /** A query: optional profile (survivor id), optional name, time window, order, page. */
    /** {@code namedOnly}: skip events without a name (Parcelvoy allows them; Klaviyo's API has no such event). */
    public record Query(String profileId, String name, Instant from, Instant to, boolean descending, int limit,
                        Cursor after, String[] types, boolean namedOnly) {}

    /** Position after the last row of a page; its wire form is sealed ({@link io.switchboard.core.Cursors}). */
    public record Cursor(Instant time, String id) {
        public String encode() {
            return io.switchboard.core.Cursors.seal(time + "|" + id);
        }

        /** Empty for anything this server did not seal (or whose time is outside years 1–9999). */
        public static Optional<Cursor> decode(String s) {
            return io.switchboard.core.Cursors.open(s).flatMap(v -> {
                int bar = v.indexOf('|');
                if (bar < 0 || v.indexOf('\0') >= 0) return Optional.empty();
                return io.switchboard.core.Times.parse(v.substring(0, bar)).map(t -> new Cursor(t, v.substring(bar + 1)));
            });
        }
    }

    public Optional<EventRow> byId(long companyId, String id) {
        long ms;
        try {
            ms = Ulid.from(id).getTime();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        Instant at = Instant.ofEpochMilli(ms);
        // ids minted before exact-time ULIDs came from a monotonic generator, whose time may run up to its 10 s
        // drift tolerance ahead of the event's time
        return jdbi.withExtension(EventDao.class, d -> d.find(companyId, id, at.minusSeconds(10), at.plusMillis(1)));
    }

    /** Fetches limit+1 rows so the caller knows whether a next page exists. */
    public List<EventRow> list(long companyId, Query q) {
        Instant from = q.from() == null ? MIN : q.from();
        Instant to = q.to() == null ? MAX : q.to();
        String dir = q.descending() ? "DESC" : "ASC";
        String cmp = q.descending() ? "<" : ">";
        Instant afterTime = q.after() == null ? null : q.after().time();
        String afterId = q.after() == null ? null : q.after().id();
        return jdbi.withHandle(h -> {
            EventDao dao = h.attach(EventDao.class);
            if (q.profileId() != null) {
                String[] ids = identity.idsOf(h, companyId, q.profileId()).toArray(String[]::new);
                return dao.byProfiles(companyId, ids, q.types(), q.name(), q.namedOnly(), from, to, afterTime, afterId, dir, cmp,
                        q.limit() + 1);
            }
            return dao.byCompany(companyId, q.types(), q.name(), q.namedOnly(), from, to, afterTime, afterId, dir, cmp, q.limit() + 1);
        });
    }

    public Optional<String> metricName(long companyId, String metricId) {
        return jdbi.withExtension(EventDao.class, d -> d.metricName(companyId, metricId));
    }

    public List<DeviceDao.DeviceRow> devices(long companyId, String profileId) {
        return jdbi.withHandle(h -> h.attach(DeviceDao.class).forProfiles(companyId,
                identity.idsOf(h, companyId, profileId).toArray(String[]::new)));
    }

    public List<ConsentDao.SubscriptionRow> subscriptions(long companyId, String profileId) {
        return jdbi.withHandle(h -> h.attach(ConsentDao.class).subscriptions(companyId,
                identity.idsOf(h, companyId, profileId).toArray(String[]::new)));
    }

    public List<ConsentDao.MembershipRow> memberships(long companyId, String profileId) {
        return jdbi.withHandle(h -> h.attach(ConsentDao.class).memberships(companyId,
                identity.idsOf(h, companyId, profileId).toArray(String[]::new)));
    }

    /**
     * Everything the portal's profile page shows about a profile's activity, read on one connection with
     * the merged-ids set resolved once: the profile and the profiles merged into it ({@code ids}), the
     * event timeline page (limit+1 rows), devices, consent, list memberships and the identity history.
     */
    public record ProfileView(List<String> ids, List<EventRow> events, List<DeviceDao.DeviceRow> devices,
                              List<ConsentDao.SubscriptionRow> subscriptions, List<ConsentDao.MembershipRow> memberships,
                              List<io.switchboard.db.ProfileDao.HistoryRow> history) {}

    public ProfileView profileView(long companyId, String profileId, int limit, Cursor after) {
        return jdbi.withHandle(h -> {
            List<String> idList = identity.idsOf(h, companyId, profileId);
            String[] ids = idList.toArray(String[]::new);
            List<EventRow> events = h.attach(EventDao.class).byProfiles(companyId, ids, ALL_TYPES, null, false, MIN, MAX,
                    after == null ? null : after.time(), after == null ? null : after.id(), "DESC", "<", limit + 1);
            ConsentDao consent = h.attach(ConsentDao.class);
            return new ProfileView(idList, events, h.attach(DeviceDao.class).forProfiles(companyId, ids),
                    consent.subscriptions(companyId, ids), consent.memberships(companyId, ids),
                    h.attach(io.switchboard.db.ProfileDao.class).history(companyId, ids));
        });
    }
}
