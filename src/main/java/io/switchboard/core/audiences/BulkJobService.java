package io.switchboard.core.audiences;

import com.github.f4b6a3.ulid.UlidCreator;
import io.switchboard.core.Tx;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.db.Daos;
import io.switchboard.db.JobDao;
import io.switchboard.db.ListDao;
import io.switchboard.errors.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous bulk jobs (profile bulk import, bulk event creation). {@link #submit} stores the job with
 * its items (opaque serialized items, decoded later by the dialect's {@link ItemDecoder}) and answers at
 * once; {@link #workOne} — called by the background {@link JobWorker} — claims a job and works it in
 * chunks. Each chunk is one transaction that also advances the job's cursor, so a restart resumes after
 * the last committed chunk and no item is applied twice. An item that fails (bad data, identity
 * conflict) becomes an import error; the rest of the job goes on.
 */
public class BulkJobService {
    private static final Logger LOG = LoggerFactory.getLogger(BulkJobService.class);
    public static final int CHUNK = 200;
    public static final int MAX_ERRORS = 10_000;
    static final double LEASE_SECONDS = 120;

    /** Turns one stored item into the write it stands for; throws ApiException (with a pointer) when invalid. */
    public interface ItemDecoder {
        IngestOp decode(long companyId, String item);
    }

    private final Tx tx;
    private final IngestService ingest;
    private final Map<Job.Kind, ItemDecoder> decoders = new EnumMap<>(Job.Kind.class);
    private final String workerId = "w-" + UlidCreator.getMonotonicUlid();

    public BulkJobService(Tx tx, IngestService ingest) {
        this.tx = tx;
        this.ingest = ingest;
    }

    public BulkJobService decoder(Job.Kind kind, ItemDecoder d) {
        decoders.put(kind, d);
        return this;
    }

    /** Queues a job; every list must be one of this company's (404 otherwise). */
    public Job submit(long companyId, Job.Kind kind, String itemsJsonArray, int count, List<String> listIds) {
        return tx.run(h -> {
            ListDao lists = Daos.attach(h, ListDao.class);
            for (String l : listIds) {
                if (lists.find(companyId, l).isEmpty()) throw ApiException.notFound("No list with id `" + l + "`.");
            }
            String id = UlidCreator.getMonotonicUlid().toString();
            JobDao d = Daos.attach(h, JobDao.class);
            d.enqueue(companyId, id, kind.type(), itemsJsonArray, listIds.toArray(String[]::new), count, Instant.now());
            return Jobs.of(d.find(companyId, kind.type(), id).orElseThrow());
        });
    }

    public Job get(long companyId, Job.Kind kind, String id) {
        return tx.jdbi().withHandle(h -> Daos.attach(h, JobDao.class).find(companyId, kind.type(), id).map(Jobs::of)
                .orElseThrow(() -> Jobs.missing(kind, id)));
    }

    public SubscriptionService.JobPage page(long companyId, Job.Kind kind, String afterId, Instant afterAt, int size) {
        List<JobDao.JobRow> rows = tx.jdbi().withHandle(h -> Daos.attach(h, JobDao.class).page(companyId, kind.type(),
                afterAt, afterId, size + 1));
        List<Job> out = new ArrayList<>();
        for (int i = 0; i < Math.min(size, rows.size()); i++) out.add(Jobs.of(rows.get(i)));
        return new SubscriptionService.JobPage(out, rows.size() > size ? out.get(out.size() - 1) : null);
    }

    /** A page of the profiles a job imported (in import order; merged-away ones show their survivor). */
    public record ProfilePage(List<String> ids, List<io.switchboard.core.identity.Profile> profiles, Integer nextOffset) {}

    public ProfilePage profiles(long companyId, Job.Kind kind, String jobId, int offset, int size, boolean load) {
        Job job = get(companyId, kind, jobId);
        List<String> all = job.profileIds();
        List<String> ids = all.subList(Math.min(offset, all.size()), Math.min(offset + size, all.size()));
        List<io.switchboard.core.identity.Profile> profiles = List.of();
        if (load && !ids.isEmpty()) {
            profiles = tx.jdbi().withHandle(h -> {
                var dao = Daos.attach(h, io.switchboard.db.ProfileDao.class);
                Map<String, io.switchboard.core.identity.Profile> byId = new java.util.HashMap<>();
                for (var p : dao.findAll(companyId, ids.toArray(String[]::new))) {
                    if (p.isTombstone()) {
                        dao.find(companyId, p.mergedInto()).ifPresent(s -> byId.put(p.id(), s));
                    } else {
                        byId.put(p.id(), p);
                    }
                }
                return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).distinct().toList();
            });
        }
        return new ProfilePage(ids, profiles, offset + size < all.size() ? offset + size : null);
    }

    /**
     * Claims one queued (or abandoned) job and works it to the end. Returns false when there was none.
     * A worker that loses its lease (another took the job over) stops at its next chunk.
     */
    public boolean workOne() {
        // companies with work first (no locks), then one claim per company until one succeeds (Citus-safe)
        List<Long> companies = tx.jdbi().withHandle(h -> Daos.attach(h, JobDao.class).pendingCompanies(16));
        JobDao.JobRow claimed = null;
        for (long c : companies) {
            claimed = tx.run(h -> Daos.attach(h, JobDao.class).claim(c, workerId, LEASE_SECONDS,
                    java.time.Instant.now())).orElse(null);
            if (claimed != null) break;
        }
        final JobDao.JobRow job = claimed;
        if (job == null) return false;
        Job.Kind kind = Job.Kind.ofType(job.kind());
        ItemDecoder decoder = decoders.get(kind);
        if (decoder == null) {
            LOG.error("no decoder for job kind {}; job {} left for another server", kind, job.id());
            return false;
        }
        long companyId = job.companyId();
        WriteContext ctx = new WriteContext(null, "klaviyo_bulk_job");
        int cursor = job.cursor();
        while (cursor < job.totalCount()) {
            int from = cursor;
            List<String> items = tx.jdbi().withHandle(h -> Daos.attach(h, JobDao.class).items(companyId, job.id(),
                    from, CHUNK));
            if (items.isEmpty()) break;
            Integer next = chunk(companyId, job, kind, decoder, ctx, from, items);
            if (next == null) return true; // lease lost
            cursor = next;
        }
        tx.use(h -> Daos.attach(h, JobDao.class).complete(companyId, job.id(), workerId));
        return true;
    }

    /** Works items [from, from + items.size()); returns the new cursor, or null when the job was taken away. */
    private Integer chunk(long companyId, JobDao.JobRow job, Job.Kind kind, ItemDecoder decoder, WriteContext ctx,
                          int from, List<String> items) {
        List<IngestOp> ops = new ArrayList<>();
        List<Job.ItemError> errors = new ArrayList<>();
        List<Integer> opIndex = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                ops.add(withLists(decoder.decode(companyId, items.get(i)), job.listIds()));
                opIndex.add(from + i);
            } catch (ApiException e) {
                errors.add(new Job.ItemError(from + i, e.pointer(), e.detail()));
            }
        }
        int to = from + items.size();
        try {
            // the whole chunk in one transaction (the fast path)
            return tx.run(h -> {
                List<String> ids = ops.isEmpty() ? List.of()
                        : ingest.ingest(h, companyId, ctx, null, ops, Instant.now()).profileIds();
                return record(h, companyId, job.id(), from, to, ids, errors) ? to : null;
            });
        } catch (ApiException chunkFailed) {
            // one item spoiled the chunk (e.g. identifiers of two profiles): apply one item per transaction,
            // each advancing the cursor by itself, so the failing ones become import errors
            int cursor = from;
            int e = 0;
            for (int k = 0; k < ops.size(); k++) {
                int index = opIndex.get(k);
                List<Job.ItemError> before = new ArrayList<>();
                while (e < errors.size() && errors.get(e).index() < index) before.add(errors.get(e++));
                IngestOp op = ops.get(k);
                int at = cursor;
                Integer moved;
                try {
                    moved = tx.run(h -> {
                        List<String> ids = ingest.ingest(h, companyId, ctx, null, List.of(op), Instant.now()).profileIds();
                        return record(h, companyId, job.id(), at, index + 1, ids, before) ? index + 1 : null;
                    });
                } catch (ApiException itemFailed) {
                    before.add(new Job.ItemError(index, itemFailed.pointer(), itemFailed.detail()));
                    moved = tx.run(h -> record(h, companyId, job.id(), at, index + 1, List.of(), before) ? index + 1 : null);
                }
                if (moved == null) return null;
                cursor = moved;
            }
            List<Job.ItemError> rest = new ArrayList<>(errors.subList(e, errors.size()));
            int at = cursor;
            return tx.run(h -> record(h, companyId, job.id(), at, to, List.of(), rest) ? to : null);
        }
    }

    private static IngestOp withLists(IngestOp op, String[] listIds) {
        if (listIds.length == 0) return op;
        List<IngestOp.Effect> effects = new ArrayList<>(op.effects());
        for (String l : listIds) effects.add(new IngestOp.ListMembership(l, true));
        return new IngestOp(op.where(), op.key(), op.identity(), effects);
    }

    private boolean record(org.jdbi.v3.core.Handle h, long companyId, String jobId, int from, int to,
                           List<String> profileIds, List<Job.ItemError> errors) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < errors.size(); i++) {
            Job.ItemError e = errors.get(i);
            if (i > 0) json.append(',');
            json.append(Jobs.JSON.createObjectNode().put("index", e.index()).put("pointer", e.pointer())
                    .put("detail", e.detail()));
        }
        json.append(']');
        int done = to - from - errors.size();
        return Daos.attach(h, JobDao.class).progress(companyId, jobId, workerId, from, to, done, errors.size(), 0,
                profileIds.stream().distinct().toArray(String[]::new), json.toString(), LEASE_SECONDS) == 1;
    }
}
