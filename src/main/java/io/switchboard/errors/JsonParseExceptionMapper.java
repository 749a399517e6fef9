package io.switchboard.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Malformed JSON, invalid UTF-8, JSON over the parser limits (nesting depth, string length: see
 * {@code limits.InputLimits}), or a value of the wrong type for a typed DTO: 400 naming the spot.
 * Unparseable input is 400 in every dialect (Parcelvoy answers 400 for it too); only a well-formed value
 * of the wrong type is a validation error (422 in the Parcelvoy dialect).
 */
@Provider
public class JsonParseExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Context
    private UriInfo uriInfo;

    @Override
    public Response toResponse(JsonProcessingException e) {
        Dialect dialect = Dialect.forPath(uriInfo.getPath());
        String pointer = null;
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference r : jme.getPath()) {
                sb.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            pointer = sb.toString();
        }
        StreamConstraintsException limit = find(e, StreamConstraintsException.class);
        JsonParseException parse = find(e, JsonParseException.class);
        String detail;
        boolean unparseable = limit != null || parse != null || !(e instanceof JsonMappingException);
        if (limit != null) {
            detail = "Input limit exceeded" + (pointer == null ? "" : " at " + pointer) + ": "
                    + firstLine(limit.getOriginalMessage());
        } else if (unparseable) {
            JsonProcessingException src = parse != null ? parse : e;
            var loc = src.getLocation();
            detail = "Malformed JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + firstLine(src.getOriginalMessage());
        } else {
            detail = pointer == null ? "Invalid value: " + firstLine(e.getOriginalMessage()) : "Invalid value at " + pointer + ".";
        }
        Response r = ErrorResponses.build(dialect, ErrorKind.INVALID, detail, pointer, null, null, null, null);
        return unparseable && r.getStatus() != 400 ? Response.fromResponse(r).status(400).build() : r;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable body";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
