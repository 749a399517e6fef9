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
public class ProviderSendWindow {
    private final Jdbi jdbi;

    public ProviderSendWindow(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Empty when the send may go now; otherwise the time to try again. */
    public Optional<Instant> acquire(Provider p) {
        if (p.rateLimit() == null) return Optional.empty();
        String unit = "minute".equals(p.rateInterval()) ? "minute" : "second";
        Duration window = unit.equals("minute") ? Duration.ofMinutes(1) : Duration.ofSeconds(1);
        Instant[] full = new Instant[1];
        jdbi.useHandle(h -> {
            DeliveryDao d = h.attach(DeliveryDao.class);
            if (d.takeRateUnit(p.companyId(), p.id(), unit, p.rateLimit()).isEmpty()) {
                full[0] = d.windowStart(unit);
            } else if (ThreadLocalRandom.current().nextInt(100) == 0) {
                d.pruneRateWindows(p.companyId(), p.id(), Instant.now().minus(Duration.ofMinutes(10)));
            }
        });
        if (full[0] == null) return Optional.empty();
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, window.toMillis() / 5));
        return Optional.of(full[0].plus(window).plusMillis(jitter));
    }
}
