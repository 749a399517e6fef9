package io.switchboard.auth;

import io.dropwizard.auth.UnauthorizedHandler;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import jakarta.ws.rs.core.Response;

/** The same 401 for a missing, unknown, malformed or revoked key, in the dialect's error shape. */
public class DialectUnauthorizedHandler implements UnauthorizedHandler {
    /** Said on the admin API when no admin token is configured (the first start runs without one). */
    public static final String NO_ADMIN_TOKEN = "Missing or invalid credentials. Send `Authorization: Bearer sk_…` "
            + "(a company's secret key). No admin token is configured on this server, so none is accepted: to "
            + "create companies over HTTP, set SWITCHBOARD_ADMIN_TOKEN (adminToken in config.yml) and restart.";

    private final Dialect dialect;
    private final boolean adminTokenConfigured;

    public DialectUnauthorizedHandler(Dialect dialect) {
        this(dialect, true);
    }

    public DialectUnauthorizedHandler(Dialect dialect, boolean adminTokenConfigured) {
        this.dialect = dialect;
        this.adminTokenConfigured = adminTokenConfigured;
    }

    @Override
    public Response buildResponse(String prefix, String realm) {
        String detail = switch (dialect) {
            case KLAVIYO_SERVER -> "Missing or invalid private key. Send `Authorization: Klaviyo-API-Key sk_...`.";
            case PARCELVOY -> "Missing or invalid API key. Send `Authorization: Bearer pk_...`.";
            case DITTOFEED -> "Missing or invalid write key. Send `Authorization: Basic <write key>` or a `PublicWriteKey` header.";
            case SEGMENT -> "Missing or invalid write key. Send HTTP Basic auth with the write key as the user name, or `writeKey` in the JSON body.";
            case ADMIN -> adminTokenConfigured
                    ? "Missing or invalid credentials. Send `Authorization: Bearer <token>` with a company's secret "
                    + "key (sk_…) or, to create companies, the admin token."
                    : NO_ADMIN_TOKEN;
            default -> "Missing or invalid credentials. Send `Authorization: Bearer <token>`.";
        };
        return ErrorResponses.build(dialect, ErrorKind.NOT_AUTHENTICATED, detail, null, null, null, null, null);
    }
}
