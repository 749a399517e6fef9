package io.switchboard.core.devices;

import io.switchboard.core.Tx;
import io.switchboard.db.Daos;
import io.switchboard.db.DeviceDao;
import io.switchboard.errors.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and deletes of push tokens (Klaviyo's {@code /api/push-tokens}); writes go through ingestion
 * ({@code IngestOp.Device}). Every query is scoped by company: another company's token is "not found".
 */
public class PushTokens {
    public static final int MAX_PER_PROFILE = 1000;

    private final Tx tx;

    public PushTokens(Tx tx) {
        this.tx = tx;
    }

    /** Equality filters of {@code GET /api/push-tokens}; null means "any". */
    public record Filter(String profileId, String platform, String enablementStatus, String id) {
        public static final Filter NONE = new Filter(null, null, null, null);
    }

    /** One page ordered by id; {@code nextAfter} is the id to continue after, null on the last page. */
    public record Page(List<PushToken> items, String nextAfter) {}

    public Page page(long companyId, Filter f, int size, String afterId) {
        List<DeviceDao.DeviceRow> rows = tx.jdbi().withHandle(h -> Daos.attach(h, DeviceDao.class)
                .pushTokenPage(companyId, f.profileId(), f.platform(), f.enablementStatus(), f.id(), afterId,
                        size + 1));
        List<PushToken> items = new ArrayList<>();
        for (int i = 0; i < Math.min(size, rows.size()); i++) items.add(of(rows.get(i)));
        return new Page(items, rows.size() > size ? rows.get(size - 1).id() : null);
    }

    public PushToken get(long companyId, String id) {
        return tx.jdbi().withHandle(h -> Daos.attach(h, DeviceDao.class).findPushToken(companyId, id))
                .map(PushTokens::of).orElseThrow(() -> missing(id));
    }

    /** The profile's tokens (at most {@link #MAX_PER_PROFILE}); {@code profileId} must already be resolved. */
    public List<PushToken> ofProfile(long companyId, String profileId) {
        return page(companyId, new Filter(profileId, null, null, null), MAX_PER_PROFILE, null).items();
    }

    /** Deletes the token's device row. */
    public void delete(long companyId, String id) {
        tx.use(h -> {
            if (Daos.attach(h, DeviceDao.class).deletePushToken(companyId, id) == 0) throw missing(id);
        });
    }

    private static ApiException missing(String id) {
        return ApiException.notFound("No push token with id `" + id + "`.");
    }

    static PushToken of(DeviceDao.DeviceRow r) {
        String status = r.enablementStatus() == null ? "AUTHORIZED" : r.enablementStatus();
        if (!r.enabled() && !status.equals("DENIED")) status = "UNAUTHORIZED";
        String vendor = r.vendor() != null ? r.vendor() : r.platform().equals("ios") ? "apns" : "fcm";
        return new PushToken(r.id(), r.profileId(), r.token(), r.platform(), vendor, status,
                r.background() == null ? "AVAILABLE" : r.background(),
                r.metadata() == null ? "{}" : r.metadata(), r.createdAt(), r.updatedAt());
    }
}
