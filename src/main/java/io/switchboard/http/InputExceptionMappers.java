package io.switchboard.http;

import io.switchboard.errors.Dialect;
import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.io.CharConversionException;

/** Input failures that surface as plain I/O exceptions while a body is parsed: 4xx, never 500. */
public final class InputExceptionMappers {
    private InputExceptionMappers() {}

    /** A body that grew past its limit while being read. */
    public static class BodyTooLarge implements ExceptionMapper<BodyTooLargeException> {
        @Context
        private UriInfo uriInfo;

        @Override
        public Response toResponse(BodyTooLargeException e) {
            String path = "/" + uriInfo.getPath();
            return ErrorResponses.build(Dialect.forPath(path), BodyLimitFilter.tooLarge(path, e.limit()));
        }
    }

    /** Bytes that are not valid in the detected encoding (Jackson's UTF-32 reader, for one). */
    public static class CharConversion implements ExceptionMapper<CharConversionException> {
        @Context
        private UriInfo uriInfo;

        @Override
        public Response toResponse(CharConversionException e) {
            Dialect d = Dialect.forPath(uriInfo.getPath());
            Response r = ErrorResponses.build(d, ErrorKind.INVALID,
                    "The request body is not valid UTF-8 JSON: " + e.getMessage(), null, null, null, null, null);
            return r.getStatus() == 400 ? r : Response.fromResponse(r).status(400).build();
        }
    }
}
