package io.switchboard.core.identity;

/** How a write resolves identity (identity.md, "Resolving a write" and "Strict endpoints"). */
public enum WriteMode {
    /** Resolve, merge when safe, attach; a new email/phone replaces the old one. */
    NORMAL,
    /** Klaviyo {@code /client/*}: as NORMAL, but never replaces an existing external_id, email or phone. */
    CLIENT,
    /** Klaviyo {@code POST /api/profiles}: any owned identifier → 409 duplicate_profile; else create. */
    STRICT_CREATE,
    /** Klaviyo {@code POST /api/profile-import}: identifiers spanning profiles → 409; one → update; none → create. */
    STRICT_UPSERT
}
