package io.switchboard.core.audiences;

import io.switchboard.core.identity.ProfileLifecycleListener;
import io.switchboard.db.Daos;
import io.switchboard.db.SuppressionDao;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Keeps audience data with the person (list memberships and consent are moved by ProfileDataListener):
 * a merged-away profile's suppression becomes the survivor's; a deletion erases it.
 */
public class AudienceProfileListener implements ProfileLifecycleListener {
    @Override
    public void onMerge(Handle h, long companyId, String survivorId, String loserId) {
        SuppressionDao s = Daos.attach(h, SuppressionDao.class);
        s.copy(companyId, loserId, survivorId);
        s.deleteFor(companyId, new String[] {loserId});
    }

    @Override
    public void onDelete(Handle h, long companyId, List<String> profileIds) {
        Daos.attach(h, SuppressionDao.class).deleteFor(companyId, profileIds.toArray(String[]::new));
    }
}
