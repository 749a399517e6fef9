package io.switchboard.auth;

import io.dropwizard.auth.UnauthorizedHandler;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import jakarta.ws.rs.core.Response;

/** The same 401 for a missing, unknown, malformed or revoked key, in the dialect's error shape. */
public class DialectUnauthorizedHandler implements UnauthorizedHandler {
    private final Dialect dialect;

    public DialectUnauthorizedHandler(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public Response buildResponse(String prefix, String realm) {
        String detail = switch (dialect) {
            case KLAVIYO_SERVER -> "Missing or invalid private key. Send `Authorization: Klaviyo-API-Key sk_...`.";
            case PARCELVOY -> "Missing or invalid API key. Send `Authorization: Bearer pk_...`.";
            case DITTOFEED -> "Missing or invalid write key. Send `Authorization: Basic <write key>` or a `PublicWriteKey` header.";
            case SEGMENT -> "Missing or invalid write key. Send HTTP Basic auth with the write key as the user name, or `writeKey` in the JSON body.";
            default -> "Missing or invalid credentials. Send `Authorization: Bearer <token>`.";
        };
        return ErrorResponses.build(dialect, ErrorKind.NOT_AUTHENTICATED, detail, null, null, null, null, null);
    }
}
