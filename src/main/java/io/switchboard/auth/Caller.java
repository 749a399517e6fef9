package io.switchboard.auth;

import java.security.Principal;

/**
 * The authenticated caller: which company, and with what kind of credential.
 * Every DAO call takes {@link #companyId()} from here, never from the request body.
 */
public record Caller(long companyId, String publicId, Kind kind, String keyId, String keyPrefix) implements Principal {

    public enum Kind {
        /** Bootstrap admin token: may create companies and their first keys, nothing else. */
        ADMIN,
        /** {@code sk_} key: everything within its company. */
        SECRET,
        /** {@code pk_} key: ingestion only. */
        PUBLIC,
        /** Klaviyo client endpoints: only the public company id, no key. */
        CLIENT
    }

    public static final String ROLE_SECRET = "secret";
    public static final String ROLE_ADMIN = "admin";

    public static Caller admin() {
        return new Caller(0, null, Kind.ADMIN, null, "admin");
    }

    public static Caller client(long companyId, String publicId) {
        return new Caller(companyId, publicId, Kind.CLIENT, null, "company_id");
    }

    public boolean isSecret() { return kind == Kind.SECRET; }

    public boolean isAdmin() { return kind == Kind.ADMIN; }

    /** A short, non-secret description of the credential for audit rows: e.g. "secret:sk_AbC12". */
    public String credentialLabel() {
        return kind.name().toLowerCase() + (keyPrefix == null ? "" : ":" + keyPrefix);
    }

    @Override
    public String getName() { return credentialLabel(); }

    @Override
    public String toString() {
        return "Caller{company=" + companyId + ", kind=" + kind + ", key=" + keyPrefix + "}";
    }
}
