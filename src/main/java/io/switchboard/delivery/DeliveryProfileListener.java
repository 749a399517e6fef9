package io.switchboard.delivery;

import io.switchboard.core.identity.ProfileLifecycleListener;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Keeps delivery's per-profile rows with the person: on a merge, the loser's queued sends, opt-outs,
 * unsubscribe links and push tokens move to the survivor (an opt-out of either person holds for both);
 * on a data-privacy deletion they are erased.
 */
public class DeliveryProfileListener implements ProfileLifecycleListener {
    @Override
    public void onMerge(Handle h, long companyId, String survivorId, String loserId) {
        h.createUpdate("INSERT INTO channel_unsubscribes (company_id, profile_id, channel, subscription, source, created_at) "
                        + "SELECT company_id, :survivor, channel, subscription, source, created_at FROM channel_unsubscribes "
                        + "WHERE company_id = :c AND profile_id = :loser ON CONFLICT DO NOTHING")
                .bind("c", companyId).bind("survivor", survivorId).bind("loser", loserId).execute();
        for (String sql : List.of(
                "DELETE FROM channel_unsubscribes WHERE company_id = :c AND profile_id = :loser",
                "UPDATE sends SET profile_id = :survivor, updated_at = now() WHERE company_id = :c AND profile_id = :loser "
                        + "AND state IN ('pending', 'throttled', 'sending')",
                "UPDATE unsubscribe_tokens SET profile_id = :survivor WHERE company_id = :c AND profile_id = :loser",
                "UPDATE delivery_push_tokens SET profile_id = :survivor WHERE company_id = :c AND profile_id = :loser")) {
            h.createUpdate(sql).bind("c", companyId).bind("survivor", survivorId).bind("loser", loserId).execute();
        }
    }

    @Override
    public void onDelete(Handle h, long companyId, List<String> profileIds) {
        String[] ids = profileIds.toArray(String[]::new);
        for (String table : List.of("send_events", "sends", "unsubscribe_tokens", "channel_unsubscribes", "delivery_push_tokens")) {
            h.createUpdate("DELETE FROM " + table + " WHERE company_id = :c AND profile_id = ANY(:ids)")
                    .bind("c", companyId).bind("ids", ids).execute();
        }
    }
}
