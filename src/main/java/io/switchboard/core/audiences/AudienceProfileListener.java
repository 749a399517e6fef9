package io.switchboard.core.audiences;

import io.switchboard.core.ChangedProfiles;
import io.switchboard.core.identity.ProfileLifecycleListener;
import io.switchboard.db.Daos;
import io.switchboard.db.SegmentDao;
import io.switchboard.db.SuppressionDao;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Keeps audience data with the person (list memberships and consent are moved by ProfileDataListener):
 * a merged-away profile's suppression and segment memberships become the survivor's (and the survivor is
 * queued for re-evaluation); a deletion erases them.
 */
public class AudienceProfileListener implements ProfileLifecycleListener {
    @Override
    public void onMerge(Handle h, long companyId, String survivorId, String loserId) {
        SuppressionDao s = Daos.attach(h, SuppressionDao.class);
        s.copy(companyId, loserId, survivorId);
        s.deleteFor(companyId, new String[] {loserId});
        SegmentDao g = Daos.attach(h, SegmentDao.class);
        g.copyMemberships(companyId, loserId, survivorId);
        g.deleteMemberships(companyId, new String[] {loserId});
        g.deleteDirty(companyId, new String[] {loserId});
        ChangedProfiles.add(h, companyId, survivorId); // the merged person is re-evaluated
    }

    @Override
    public void onDelete(Handle h, long companyId, List<String> profileIds) {
        String[] ids = profileIds.toArray(String[]::new);
        Daos.attach(h, SuppressionDao.class).deleteFor(companyId, ids);
        Daos.attach(h, SegmentDao.class).deleteMemberships(companyId, ids);
        Daos.attach(h, SegmentDao.class).deleteDirty(companyId, ids);
    }
}
