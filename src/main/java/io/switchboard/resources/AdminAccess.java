package io.switchboard.resources;

import io.switchboard.auth.Caller;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.errors.ApiException;

/**
 * Who may act on {@code /admin/companies/{id}/…}: that company's secret key, or (where allowed) the
 * bootstrap admin token. Another company's key gets the same 404 as a company that does not exist,
 * so the admin API is no existence oracle.
 */
public final class AdminAccess {
    private AdminAccess() {}

    public static Company company(TenancyService tenancy, Caller caller, String publicId, boolean adminAllowed) {
        if (caller.kind() == Caller.Kind.PUBLIC || caller.kind() == Caller.Kind.CLIENT) {
            throw ApiException.forbidden("The admin API needs a secret key (sk_…); public keys may only ingest.");
        }
        if (caller.isAdmin() && !adminAllowed) {
            throw ApiException.forbidden("The bootstrap admin token may only create companies and their keys; use the company's secret key.");
        }
        Company c = tenancy.companyByPublicId(publicId).orElse(null);
        if (c == null || (!caller.isAdmin() && c.id() != caller.companyId())) {
            throw ApiException.notFound("No company " + publicId + ".");
        }
        return c;
    }

    /** The company id for a secret-key-only admin endpoint. */
    public static long secretCompanyId(TenancyService tenancy, Caller caller, String publicId) {
        if (caller.isSecret()) {
            if (!caller.publicId().equals(publicId)) {
                throw ApiException.notFound("No company " + publicId + ".");
            }
            return caller.companyId();
        }
        return company(tenancy, caller, publicId, false).id();
    }
}
