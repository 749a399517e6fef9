package io.switchboard.core.audiences;

import com.github.f4b6a3.ulid.UlidCreator;
import io.switchboard.core.ChangedProfiles;
import io.switchboard.core.Tx;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestService;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.db.ConsentDao;
import io.switchboard.db.Daos;
import io.switchboard.db.JobDao;
import io.switchboard.db.ListDao;
import io.switchboard.db.SuppressionDao;
import io.switchboard.errors.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Consent in bulk: subscribe / unsubscribe many profiles (per channel and purpose, optionally joining or
 * leaving a list) and suppress / unsuppress email addresses. One consent store — the {@code subscriptions}
 * table every dialect writes and delivery checks — plus {@code suppressions}, which delivery checks with it.
 * Each request is one transaction, done before the answer: a 202 means committed.
 */
public class SubscriptionService {
    public static final int MAX_PROFILES = 1000;
    public static final int MAX_SUPPRESSIONS = 100;

    private final Tx tx;
    private final IngestService ingest;

    public SubscriptionService(Tx tx, IngestService ingest) {
        this.tx = tx;
        this.ingest = ingest;
    }

    /** One profile of a bulk consent change: identified by email and/or phone number. */
    public record ConsentItem(String email, String phoneNumber, List<IngestOp.ChannelConsent> consents) {}

    /** Applies consent changes; {@code listId} (optional) is joined on subscribe and left on unsubscribe. */
    public int change(long companyId, WriteContext ctx, List<ConsentItem> items, String listId, boolean subscribe,
                      String customSource) {
        return tx.run(h -> {
            if (listId != null) requireList(h, companyId, listId);
            List<IngestOp> ops = new ArrayList<>();
            for (ConsentItem i : items) {
                List<IngestOp.Effect> effects = new ArrayList<>();
                effects.add(new IngestOp.Consent(i.consents(), subscribe ? listId : null, customSource, ctx.source()));
                if (!subscribe && listId != null) effects.add(new IngestOp.ListMembership(listId, false));
                ops.add(IngestOp.resolving(Identifiers.of(null, i.email(), i.phoneNumber(), null), ProfileWrite.NONE,
                        WriteMode.CLIENT, effects));
            }
            return ingest.ingest(h, companyId, ctx, null, ops, Instant.now()).profileIds().size();
        });
    }

    /**
     * Suppresses (or unsuppresses) the profiles of these emails — created when new, like Klaviyo — and,
     * with {@code listId}, every member of that list with an email. Recorded as a complete job.
     */
    public Job suppression(long companyId, WriteContext ctx, List<String> emails, String listId, boolean suppress) {
        Job.Kind kind = suppress ? Job.Kind.SUPPRESSION_CREATE : Job.Kind.SUPPRESSION_DELETE;
        return tx.run(h -> {
            if (listId != null) requireList(h, companyId, listId);
            Set<String> profiles = new LinkedHashSet<>();
            if (!emails.isEmpty()) {
                List<IngestOp> ops = new ArrayList<>();
                for (String e : emails) {
                    ops.add(IngestOp.resolving(Identifiers.of(null, e, null, null), ProfileWrite.NONE,
                            WriteMode.CLIENT, List.of()));
                }
                profiles.addAll(ingest.ingest(h, companyId, ctx, null, ops, Instant.now()).profileIds());
            }
            SuppressionDao s = Daos.attach(h, SuppressionDao.class);
            if (listId != null) profiles.addAll(s.listMembersWithEmail(companyId, listId));
            String[] ids = profiles.stream().sorted().toArray(String[]::new);
            Instant now = Instant.now();
            int changed = suppress ? s.suppress(companyId, ids, "USER_SUPPRESSED", now) : s.unsuppress(companyId, ids);
            ChangedProfiles.add(h, companyId, java.util.Arrays.asList(ids));
            String id = UlidCreator.getMonotonicUlid().toString();
            Daos.attach(h, JobDao.class).insert(companyId, id, kind.type(), "complete", "[]",
                    listId == null ? new String[0] : new String[] {listId}, ids.length, ids.length, changed,
                    ids.length - changed, new String[0], now, now, now);
            return Jobs.of(Daos.attach(h, JobDao.class).find(companyId, kind.type(), id).orElseThrow());
        });
    }

    public Job job(long companyId, Job.Kind kind, String id) {
        return tx.jdbi().withHandle(h -> Daos.attach(h, JobDao.class).find(companyId, kind.type(), id).map(Jobs::of)
                .orElseThrow(() -> Jobs.missing(kind, id)));
    }

    public record JobPage(List<Job> items, Job next) {}

    /** A company's jobs of one kind, newest first, keyset-paged after {@code after} (id and creation time). */
    public JobPage jobs(long companyId, Job.Kind kind, String afterId, Instant afterAt, int size) {
        List<JobDao.JobRow> rows = tx.jdbi().withHandle(h -> Daos.attach(h, JobDao.class).page(companyId, kind.type(),
                afterAt, afterId, size + 1));
        List<Job> out = new ArrayList<>();
        for (int i = 0; i < Math.min(size, rows.size()); i++) out.add(Jobs.of(rows.get(i)));
        return new JobPage(out, rows.size() > size ? out.get(out.size() - 1) : null);
    }

    /** A profile's consent as stored: per channel/purpose rows, and its email suppression if any. */
    public record ProfileConsent(List<ChannelState> subscriptions, Suppression suppression, boolean hasEmail,
                                 boolean hasPhone) {}

    /** Consent of one channel and purpose; {@code state}: subscribed | unsubscribed. */
    public record ChannelState(String channel, String purpose, String state, Instant consentedAt, Instant updatedAt,
                               String method, String methodDetail) {}

    public record Suppression(String reason, Instant at) {}

    /** Consent of many (live) profiles at once; {@code contacts}: profile id → (has email, has phone). */
    public Map<String, ProfileConsent> consents(long companyId, Map<String, boolean[]> contacts) {
        String[] ids = contacts.keySet().toArray(String[]::new);
        return tx.jdbi().withHandle(h -> {
            Map<String, List<ChannelState>> subs = new HashMap<>();
            for (ConsentDao.SubscriptionRow r : Daos.attach(h, ConsentDao.class).subscriptions(companyId, ids)) {
                subs.computeIfAbsent(r.profileId(), k -> new ArrayList<>()).add(new ChannelState(r.channel(),
                        r.purpose(), r.state(), r.consentedAt(), r.updatedAt(), r.source(), r.customSource()));
            }
            Map<String, Suppression> sup = new HashMap<>();
            for (SuppressionDao.SuppressionRow r : Daos.attach(h, SuppressionDao.class).of(companyId, ids)) {
                sup.put(r.profileId(), new Suppression(r.reason(), r.createdAt()));
            }
            Map<String, ProfileConsent> out = new HashMap<>();
            contacts.forEach((id, c) -> out.put(id, new ProfileConsent(subs.getOrDefault(id, List.of()), sup.get(id),
                    c[0], c[1])));
            return out;
        });
    }

    private static void requireList(Handle h, long companyId, String listId) {
        if (Daos.attach(h, ListDao.class).find(companyId, listId).isEmpty()) {
            throw ApiException.notFound("No list with id `" + listId + "`.");
        }
    }
}
