package io.switchboard.core.audiences;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.switchboard.core.ChangedProfiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The dirty-profiles queue's writer: the core's write paths hand it the profiles a transaction changed
 * ({@link ChangedProfiles}), and it queues them in {@code segment_dirty_profiles} with ONE multi-row
 * statement, in that transaction — only for companies that have at least one segment. The segment
 * worker drains the queue ({@link SegmentService#drainDirty}). This replaced database triggers (Citus
 * cannot distribute a table with triggers, and they cost ~120 µs per event; docs/audiences.md).
 *
 * <p>"Has segments" is cached per company: a yes for {@link #YES_TTL} (a stale yes only queues a few
 * rows the worker discards), a no for {@link #NO_TTL}; both dropped on this node when a segment is
 * created or deleted. Another node may keep a stale no for up to {@code NO_TTL}: the first full recompute
 * of a new segment waits {@link #FIRST_COMPUTE_DELAY} (SegmentDao.claimStale), so the writes that were
 * not queued are committed before it reads.
 */
public final class SegmentQueue implements ChangedProfiles.Sink {
    static final Duration YES_TTL = Duration.ofSeconds(60);
    static final Duration NO_TTL = Duration.ofSeconds(1);
    public static final Duration FIRST_COMPUTE_DELAY = Duration.ofSeconds(2);

    private final Cache<Long, Boolean> hasSegments = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfter(new Expiry<Long, Boolean>() {
                @Override
                public long expireAfterCreate(Long key, Boolean value, long currentTime) {
                    return (value ? YES_TTL : NO_TTL).toNanos();
                }

                @Override
                public long expireAfterUpdate(Long key, Boolean value, long currentTime, long currentDuration) {
                    return expireAfterCreate(key, value, currentTime);
                }

                @Override
                public long expireAfterRead(Long key, Boolean value, long currentTime, long currentDuration) {
                    return currentDuration;
                }
            })
            .build();

    @Override
    public boolean wants(Handle h, long companyId) {
        return hasSegments.get(companyId, c -> h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM segments WHERE company_id = :c)")
                .bind("c", c).mapTo(Boolean.class).one());
    }

    @Override
    public void accept(Handle h, Map<Long, ? extends Collection<String>> byCompany) {
        List<Long> companies = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        byCompany.forEach((c, ps) -> ps.forEach(p -> {
            companies.add(c);
            ids.add(p);
        }));
        if (ids.isEmpty()) return;
        // append-only (no unique key): a writer never waits on the worker or on another writer
        h.createUpdate("INSERT INTO segment_dirty_profiles (company_id, profile_id) "
                        + "SELECT c, p FROM unnest(:companies::bigint[], :ids::text[]) AS t(c, p)")
                .bind("companies", companies.toArray(Long[]::new))
                .bind("ids", ids.toArray(String[]::new))
                .execute();
    }

    /** Queues every member of a list (the list is being deleted: its members may leave segments). */
    public void queueListMembers(Handle h, long companyId, String listId) {
        if (!wants(h, companyId)) return;
        h.createUpdate("INSERT INTO segment_dirty_profiles (company_id, profile_id) SELECT company_id, profile_id "
                        + "FROM list_memberships WHERE company_id = :c AND list_id = :l")
                .bind("c", companyId).bind("l", listId).execute();
    }

    /** A segment of this company was created or deleted (after commit). */
    public void segmentsChanged(long companyId) {
        hasSegments.invalidate(companyId);
    }
}
