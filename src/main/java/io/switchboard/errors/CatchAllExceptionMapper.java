package io.switchboard.errors;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anything unexpected: logged with an opaque id, answered with that id and no internals.
 * A lost database connection is not a bug but an outage: 503 with Retry-After.
 */
@Provider
public class CatchAllExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(CatchAllExceptionMapper.class);

    @Context
    private UriInfo uriInfo;

    @Override
    public Response toResponse(Throwable e) {
        Dialect dialect = Dialect.forPath(uriInfo.getPath());
        String errorId = UUID.randomUUID().toString();
        if (isDatabaseOutage(e)) {
            LOG.warn("database unavailable ({}): {}", errorId, e.toString());
            return ErrorResponses.build(dialect, ErrorKind.UNAVAILABLE,
                    "The database is unavailable; retry shortly.", null, null, null, Map.of("Retry-After", "1"), errorId);
        }
        LOG.error("unexpected error {} on /{}", errorId, uriInfo.getPath(), e);
        return ErrorResponses.build(dialect, ErrorKind.SERVER_ERROR,
                "An unexpected error occurred (error id " + errorId + ").", null, null, null, null, errorId);
    }

    /** True when the failure is a lost or unobtainable database connection. */
    public static boolean isDatabaseOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
            String name = t.getClass().getName();
            if (name.endsWith("ConnectionException") && name.startsWith("org.jdbi")) {
                return true;
            }
            if (t.getCause() == t) break;
        }
        return false;
    }
}
