package io.switchboard.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.HashMap;
import java.util.Map;

/** Jersey's own errors (unknown route 404, 405, 415, 406, auth 401/403) in the dialect's shape. */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Context
    private UriInfo uriInfo;

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original == null ? 500 : original.getStatus();
        if (status < 400) {
            return original;
        }
        ErrorKind kind = ErrorKind.forStatus(status);
        String detail = switch (status) {
            case 401 -> "Missing or invalid credentials.";
            // the only role checked by Jersey is @RolesAllowed(Caller.ROLE_SECRET): same words as the resources' checks
            case 403 -> Dialect.forPath(uriInfo.getPath()).secretKeyRequired();
            case 404 -> "No resource at " + "/" + uriInfo.getPath() + ".";
            case 405 -> "Method not allowed on /" + uriInfo.getPath() + ".";
            case 415 -> "Unsupported content type; send application/json"
                    + (Dialect.forPath(uriInfo.getPath()).isJsonApi() ? " or application/vnd.api+json." : ".");
            default -> kind.title();
        };
        Map<String, String> headers = new HashMap<>();
        if (original != null) {
            for (String h : new String[] {"WWW-Authenticate", "Allow", "Retry-After"}) {
                String v = original.getHeaderString(h);
                if (v != null) headers.put(h, v);
            }
        }
        return ErrorResponses.build(Dialect.forPath(uriInfo.getPath()), kind, detail, null, null, null, headers, null);
    }
}
