package io.switchboard.core.events;

import io.switchboard.core.identity.ProfileLifecycleListener;
import io.switchboard.db.ConsentDao;
import io.switchboard.db.Daos;
import io.switchboard.db.DeviceDao;
import io.switchboard.db.EventDao;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Keeps the person's data with the person. Merge: devices (and so push tokens), consent, list and group
 * memberships and back-in-stock requests move to the survivor inside the merge transaction. Events are
 * NOT rewritten — they are read through the survivor's tombstones (IdentityService.idsOf), which keeps a
 * merge O(1) in the number of events. Deletion: everything of the profile and its tombstones goes.
 */
public class ProfileDataListener implements ProfileLifecycleListener {

    @Override
    public void onMerge(Handle h, long companyId, String survivorId, String loserId) {
        Daos.attach(h, DeviceDao.class).move(companyId, loserId, survivorId);
        ConsentDao c = Daos.attach(h, ConsentDao.class);
        String[] loser = {loserId};
        c.copySubscriptions(companyId, loserId, survivorId);
        c.deleteSubscriptions(companyId, loser);
        c.copyListMemberships(companyId, loserId, survivorId);
        c.deleteListMemberships(companyId, loser);
        c.copyBackInStock(companyId, loserId, survivorId);
        c.deleteBackInStock(companyId, loser);
        c.copyGroupMemberships(companyId, loserId, survivorId);
        c.deleteGroupMemberships(companyId, loser);
    }

    @Override
    public void onDelete(Handle h, long companyId, List<String> profileIds) {
        String[] ids = profileIds.toArray(String[]::new);
        Daos.attach(h, EventDao.class).deleteForProfiles(companyId, ids);
        Daos.attach(h, DeviceDao.class).deleteForProfiles(companyId, ids);
        ConsentDao c = Daos.attach(h, ConsentDao.class);
        c.deleteSubscriptions(companyId, ids);
        c.deleteListMemberships(companyId, ids);
        c.deleteBackInStock(companyId, ids);
        c.deleteGroupMemberships(companyId, ids);
    }
}
