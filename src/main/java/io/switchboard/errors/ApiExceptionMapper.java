package io.switchboard.errors;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Renders {@link ApiException} in the calling dialect's error shape. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
    @Context
    private UriInfo uriInfo;

    @Override
    public Response toResponse(ApiException e) {
        return ErrorResponses.build(Dialect.forPath(uriInfo.getPath()), e);
    }
}
