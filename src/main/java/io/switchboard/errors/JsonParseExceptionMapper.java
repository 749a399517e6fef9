package io.switchboard.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Malformed JSON, invalid UTF-8, or a value of the wrong type for a typed DTO: 400 naming the spot. */
@Provider
public class JsonParseExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Context
    private UriInfo uriInfo;

    @Override
    public Response toResponse(JsonProcessingException e) {
        String pointer = null;
        String detail;
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference r : jme.getPath()) {
                sb.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            pointer = sb.toString();
            detail = "Invalid value at " + pointer + ".";
        } else {
            var loc = e.getLocation();
            detail = "Malformed JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + firstLine(e.getOriginalMessage());
        }
        return ErrorResponses.build(Dialect.forPath(uriInfo.getPath()), ErrorKind.INVALID, detail, pointer, null,
                null, null, null);
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable body";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
