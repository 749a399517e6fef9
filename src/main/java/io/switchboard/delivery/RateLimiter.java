package io.switchboard.delivery;

import io.switchboard.core.campaigns.Provider;
import io.switchboard.db.DeliveryDao;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;

/**
 * A provider's send rate limit ({@code rate_limit} per {@code rate_interval}), shared by every server
 * process through PostgreSQL: a fixed window per provider whose counter is taken with one atomic upsert
 * (its own short transaction, so a send does not hold the counter row). A full window answers when to try
 * again: the next window, plus up to a fifth of a window of jitter so throttled sends do not stampede.
 */
public class RateLimiter {
    private final Jdbi jdbi;

    public RateLimiter(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Empty when the send may go now; otherwise the time to try again. */
    public Optional<Instant> acquire(Provider p) {
        if (p.rateLimit() == null) return Optional.empty();
        Duration window = "minute".equals(p.rateInterval()) ? Duration.ofMinutes(1) : Duration.ofSeconds(1);
        long now = System.currentTimeMillis();
        long startMs = now - Math.floorMod(now, window.toMillis());
        Instant start = Instant.ofEpochMilli(startMs);
        boolean ok = jdbi.withHandle(h -> {
            DeliveryDao d = h.attach(DeliveryDao.class);
            boolean taken = d.takeRateUnit(p.companyId(), p.id(), start, p.rateLimit()).isPresent();
            if (taken && ThreadLocalRandom.current().nextInt(100) == 0) {
                d.pruneRateWindows(p.companyId(), p.id(), start.minus(Duration.ofMinutes(10)));
            }
            return taken;
        });
        if (ok) return Optional.empty();
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, window.toMillis() / 5));
        return Optional.of(start.plus(window).plusMillis(jitter));
    }
}
