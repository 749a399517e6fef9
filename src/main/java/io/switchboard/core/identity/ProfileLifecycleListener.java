package io.switchboard.core.identity;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Hook for stores that hang off profiles (devices, subscriptions, sends…). Called inside the merge or
 * deletion transaction, so the whole change commits or rolls back together.
 */
public interface ProfileLifecycleListener {
    /** {@code loserId} was merged into {@code survivorId}: move what belongs to the person. */
    default void onMerge(Handle h, long companyId, String survivorId, String loserId) {}

    /** These profiles (a survivor and its tombstones) are being erased (data-privacy deletion). */
    default void onDelete(Handle h, long companyId, List<String> profileIds) {}
}
