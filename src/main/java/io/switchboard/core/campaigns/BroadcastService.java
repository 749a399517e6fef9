package io.switchboard.core.campaigns;

import io.switchboard.core.Tx;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.db.BroadcastDao;
import io.switchboard.db.CampaignDao;
import io.switchboard.db.Daos;
import io.switchboard.db.Ids;
import io.switchboard.db.ListDao;
import io.switchboard.db.SegmentDao;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast campaigns (docs/audiences.md, "Broadcasts"): a campaign sent to a list or a segment, now, at
 * a time, or at a wall-clock time in each recipient's time zone. {@link #create} only records the
 * broadcast; {@link #workOne} — run by the background {@link BroadcastWorker} — claims a due broadcast
 * under a lease and enqueues its audience in pages keyset by profile id, each page one transaction that
 * writes the page's sends (consent checked per recipient) and moves the cursor: no giant transaction, a
 * restart resumes after the last committed page, and the unique (company, broadcast, profile) send key
 * keeps anybody from being enqueued twice. Delivery then takes the sends like any other.
 */
public class BroadcastService {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastService.class);
    static final double LEASE_SECONDS = 60;
    /** The furthest ahead a broadcast may be scheduled. */
    public static final Duration MAX_AHEAD = Duration.ofDays(366);
    /** The earliest time zone's offset: a local-time broadcast's audience is read when the first zone gets there. */
    static final ZoneOffset EARLIEST_ZONE = ZoneOffset.ofHours(14);
    static final int LIST_LIMIT = 100;
    static final int COMPANIES_PER_POLL = 16;
    /**
     * Pages a claim works before handing the broadcast back, so one company's huge audience does not hold
     * the job while another company's broadcast waits: the next claim takes the longest-waiting one.
     */
    static final int PAGES_PER_TURN = 20;

    private final Tx tx;
    private final LongFunction<CompanySettings> settings;
    private final int pageSize;
    private final Runnable wakeDelivery;
    private final String workerId = "b-" + Ids.newId();

    public BroadcastService(Tx tx, LongFunction<CompanySettings> settings, int pageSize, Runnable wakeDelivery) {
        this.tx = tx;
        this.settings = settings;
        this.pageSize = pageSize;
        this.wakeDelivery = wakeDelivery;
    }

    /** Records a broadcast of this company's campaign to this company's list or segment. */
    public Broadcast create(long companyId, String campaignId, Broadcast.Command cmd) {
        Instant now = Instant.now();
        Instant sendAt = cmd.localSendAt() != null ? cmd.localSendAt().toInstant(EARLIEST_ZONE)
                : cmd.sendAt() != null ? cmd.sendAt() : now;
        if (sendAt.isAfter(now.plus(MAX_AHEAD))) {
            throw ApiException.invalid(cmd.localSendAt() != null ? "/data/attributes/local_send_at" : "/data/attributes/send_at",
                    "A broadcast can be scheduled at most 366 days ahead.");
        }
        if (sendAt.isBefore(now)) sendAt = now;
        Instant due = sendAt;
        return tx.run(h -> {
            Campaign c = Daos.attach(h, CampaignDao.class).find(companyId, campaignId)
                    .orElseThrow(() -> ApiException.notFound("No campaign " + campaignId + "."));
            if (!c.isActive() && !Campaign.PAUSED.equals(c.state())) {
                throw new ApiException(ErrorKind.CONFLICT, "Campaign " + campaignId + " is " + c.state()
                        + "; a broadcast needs an active (or paused) campaign.", "/data/attributes/state", null, null);
            }
            boolean exists = "list".equals(cmd.audienceType())
                    ? Daos.attach(h, ListDao.class).find(companyId, cmd.audienceId()).isPresent()
                    : Daos.attach(h, SegmentDao.class).find(companyId, cmd.audienceId()).isPresent();
            if (!exists) {
                throw new ApiException(ErrorKind.UNPROCESSABLE, "No " + cmd.audienceType() + " with id `" + cmd.audienceId()
                        + "`.", "/data/attributes/audience/id", null, null);
            }
            String id = Ids.newId();
            BroadcastDao d = Daos.attach(h, BroadcastDao.class);
            d.insert(companyId, id, campaignId, cmd.audienceType(), cmd.audienceId(), due, cmd.localSendAt());
            return of(d, d.find(companyId, campaignId, id).orElseThrow());
        });
    }

    public Broadcast get(long companyId, String campaignId, String id) {
        return tx.jdbi().withHandle(h -> {
            BroadcastDao d = Daos.attach(h, BroadcastDao.class);
            return of(d, d.find(companyId, campaignId, id).orElseThrow(() -> missing(id)));
        });
    }

    /** A campaign's newest broadcasts (at most 100), with their progress; 404 for another company's campaign. */
    public List<Broadcast> list(long companyId, String campaignId) {
        return tx.jdbi().withHandle(h -> {
            Daos.attach(h, CampaignDao.class).find(companyId, campaignId)
                    .orElseThrow(() -> ApiException.notFound("No campaign " + campaignId + "."));
            BroadcastDao d = Daos.attach(h, BroadcastDao.class);
            return d.list(companyId, campaignId, LIST_LIMIT).stream().map(r -> of(d, r)).toList();
        });
    }

    /**
     * Cancels a broadcast: the job stops before its next page (the page transaction locks the same row, so
     * a page either committed before — its sends are cancelled here — or sees the cancel and writes
     * nothing), and every send still waiting becomes aborted ({@code broadcast_cancelled}). Sends a worker
     * holds at that moment finish. Cancelling twice is the same as once.
     */
    public Broadcast cancel(long companyId, String campaignId, String id) {
        return tx.run(h -> {
            BroadcastDao d = Daos.attach(h, BroadcastDao.class);
            d.find(companyId, campaignId, id).orElseThrow(() -> missing(id));
            d.cancel(companyId, campaignId, id);   // row lock first: serialises with a page in progress
            d.cancelSends(companyId, id);          // then every send committed so far
            return of(d, d.find(companyId, campaignId, id).orElseThrow());
        });
    }

    private static ApiException missing(String id) {
        return ApiException.notFound("No broadcast " + id + ".");
    }

    private enum Step { MORE, DONE, STOP }

    /**
     * Claims one due broadcast (or one whose worker died) and enqueues it page by page until done,
     * cancelled, taken over, or {@code stop} says so. Returns whether it found one.
     */
    public boolean workOne(BooleanSupplier stop) {
        BroadcastDao.Row b = claim();
        if (b == null) return false;
        long cid = b.companyId();
        Campaign c = tx.jdbi().withHandle(h -> Daos.attach(h, CampaignDao.class).find(cid, b.campaignId())).orElse(null);
        if (c == null) return true; // deleted with its broadcasts meanwhile
        String address = switch (c.channel()) {
            case EMAIL -> BroadcastDao.EMAIL_ADDRESS;
            case SMS -> BroadcastDao.SMS_ADDRESS;
            case PUSH -> BroadcastDao.PUSH_ADDRESS;
            case WEBHOOK -> BroadcastDao.NO_ADDRESS;
        };
        String zone = settings.apply(cid).timezoneOrUtc();
        long t0 = System.nanoTime();
        int pages = 0;
        Step s = Step.MORE;
        while (s == Step.MORE && !stop.getAsBoolean() && pages < PAGES_PER_TURN) {
            s = tx.run(h -> page(h, b, c, address, zone));
            if (s == Step.MORE) {
                pages++;
                wakeDelivery.run();
            }
        }
        if (s == Step.DONE) {
            LOG.info("broadcast {}/{}: enqueued ({} pages in this run, {} ms)", cid, b.id(), pages,
                    (System.nanoTime() - t0) / 1_000_000);
        } else if (s == Step.MORE) {
            // end of its turn, or stopping (graceful shutdown): hand the broadcast back at once, not after the lease
            tx.use(h -> Daos.attach(h, BroadcastDao.class).release(cid, b.id(), workerId));
        }
        return true;
    }

    /** A due broadcast of the first company that has one (companies read lock-free, then claimed one by one). */
    private BroadcastDao.Row claim() {
        List<Long> companies = tx.jdbi().withHandle(h -> Daos.attach(h, BroadcastDao.class).dueCompanies(COMPANIES_PER_POLL));
        for (long companyId : companies) {
            BroadcastDao.Row b = tx.run(h -> Daos.attach(h, BroadcastDao.class).claim(companyId, workerId, LEASE_SECONDS, Instant.now()))
                    .orElse(null);
            if (b != null) return b;
        }
        return null;
    }

    private Step page(org.jdbi.v3.core.Handle h, BroadcastDao.Row b, Campaign c, String address, String zone) {
        long cid = b.companyId();
        BroadcastDao d = Daos.attach(h, BroadcastDao.class);
        BroadcastDao.Row now = d.lock(cid, b.id()).orElse(null);
        if (now == null || !"enqueuing".equals(now.state()) || !workerId.equals(now.claimedBy())) return Step.STOP;
        String cursor = now.cursor() == null ? "" : now.cursor();
        List<String> ids = "list".equals(b.audienceType()) ? d.listPage(cid, b.audienceId(), cursor, pageSize)
                : d.segmentPage(cid, b.audienceId(), cursor, pageSize);
        if (ids.isEmpty()) {
            d.finish(cid, b.id(), workerId);
            return Step.DONE;
        }
        String[] sendIds = new String[ids.size()];
        for (int i = 0; i < sendIds.length; i++) sendIds[i] = Ids.newId();
        int inserted = d.enqueuePage(cid, b.id(), c.id(), c.channel().wire(), c.subscription(), c.providerId(),
                ids.toArray(String[]::new), sendIds, now.localSendAt(), zone, address);
        d.advance(cid, b.id(), workerId, ids.get(ids.size() - 1), inserted, LEASE_SECONDS);
        return Step.MORE;
    }

    private static Broadcast of(BroadcastDao d, BroadcastDao.Row r) {
        long enqueued = 0, pending = 0, sent = 0, failed = 0, consent = 0, noAddress = 0, cancelled = 0, aborted = 0;
        for (BroadcastDao.StateCount s : d.counts(r.companyId(), r.id())) {
            enqueued += s.count();
            switch (s.state()) {
                case "pending", "throttled", "sending" -> pending += s.count();
                case "sent" -> sent += s.count();
                case "failed" -> failed += s.count();
                default -> {
                    if ("unsubscribed".equals(s.reason())) consent += s.count();
                    else if ("no_address".equals(s.reason())) noAddress += s.count();
                    else if ("broadcast_cancelled".equals(s.reason())) cancelled += s.count();
                    else aborted += s.count();
                }
            }
        }
        String state = "enqueued".equals(r.state()) && pending == 0 ? "completed" : r.state();
        return new Broadcast(r.id(), r.campaignId(), r.audienceType(), r.audienceId(), state, r.sendAt(), r.localSendAt(),
                new Broadcast.Progress(enqueued, pending, sent, failed, consent, noAddress, cancelled, aborted),
                r.createdAt(), r.updatedAt(), r.startedAt(), r.enqueuedAt(), r.cancelledAt());
    }
}
