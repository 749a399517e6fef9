package io.switchboard.resources;

import io.switchboard.auth.Caller;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.errors.ApiException;

/**
 * Who may act on {@code /admin/companies/{id}/…}: that company's secret key only. The bootstrap admin token
 * may create companies (and receives their first keys in that answer) and nothing else: reading a
 * company, minting, listing or revoking its keys with it is a 403, whether or not the company exists, so
 * a leaked admin token cannot take over existing tenants. The break-glass path for a company that lost
 * every secret key is the CLI on the server host ({@code key create}, docs/operations.md). Another
 * company's key gets the same 404 as a company that does not exist, so the admin API is no existence oracle.
 */
public final class AdminAccess {
    private AdminAccess() {}

    public static final String ADMIN_TOKEN_REFUSED = "The bootstrap admin token may only create companies "
            + "(POST /admin/companies, whose answer carries the first keys); use the company's secret key. A company "
            + "that lost every secret key gets a new one from the CLI on the server host: "
            + "`java -jar switchboard.jar key create --company ID --kind secret config.yml`.";

    public static Company company(TenancyService tenancy, Caller caller, String publicId) {
        if (caller.kind() == Caller.Kind.PUBLIC || caller.kind() == Caller.Kind.CLIENT) {
            throw ApiException.forbidden("The admin API needs a secret key (sk_…); public keys may only ingest.");
        }
        if (caller.isAdmin()) {
            throw ApiException.forbidden(ADMIN_TOKEN_REFUSED);
        }
        Company c = tenancy.companyByPublicId(publicId).orElse(null);
        if (c == null || c.id() != caller.companyId()) {
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
        return company(tenancy, caller, publicId).id();
    }
}
