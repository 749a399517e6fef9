package io.switchboard.core.tenancy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key's "last used" time, kept cheaply: {@link #used} costs a map lookup on the request path; at most
 * once per {@link #EVERY} per key (per process) it hands one UPDATE to a single background thread with a
 * bounded queue (when full, the mark is skipped, never the request). So {@code api_keys.last_used_at} is
 * accurate to about a minute.
 */
public final class KeyUsage {
    private static final Logger LOG = LoggerFactory.getLogger(KeyUsage.class);
    static final Duration EVERY = Duration.ofMinutes(1);
    private static final int MAX_TRACKED = 100_000;

    private final Jdbi jdbi;
    private final ConcurrentHashMap<String, Long> marked = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1_000), r -> {
                Thread t = new Thread(r, "key-last-used");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());

    public KeyUsage(Jdbi jdbi) {
        this.jdbi = jdbi;
        writer.allowCoreThreadTimeOut(true);
    }

    /** A request was authenticated with this key. */
    public void used(long companyId, String keyId) {
        if (keyId == null) return;
        long now = System.currentTimeMillis();
        // key ids are ULIDs, unique across companies: the id alone keys the map (no string built per request)
        String k = keyId;
        Long last = marked.get(k);
        if (last != null && now - last < EVERY.toMillis()) return;
        if (marked.size() > MAX_TRACKED) marked.clear();
        if (last == null ? marked.putIfAbsent(k, now) != null : !marked.replace(k, last, now)) return; // another thread marks it
        Instant at = Instant.ofEpochMilli(now);
        writer.execute(() -> {
            try {
                jdbi.useHandle(h -> h.createUpdate("UPDATE api_keys SET last_used_at = :at WHERE company_id = :c AND id = :id "
                        + "AND (last_used_at IS NULL OR last_used_at < :at)")
                        .bind("at", at).bind("c", companyId).bind("id", keyId).execute());
            } catch (RuntimeException e) {
                LOG.warn("could not record a key's last use: {}", e.getClass().getSimpleName());
            }
        });
    }
}
