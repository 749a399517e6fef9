package io.switchboard.http;

import io.switchboard.errors.ErrorKind;
import io.switchboard.errors.ErrorResponses;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * The first filter of every request: classifies its path once ({@link RequestPath}, shared by every later
 * filter) and refuses matrix parameters. Jersey would route {@code /client;x=1/profiles} as
 * {@code /client/profiles}; no dialect uses matrix parameters, so a {@code ;} in a path is a 400 in the
 * dialect's shape naming the path, before CORS, outage handling, body limits or authentication.
 */
@PreMatching
@Priority(50)
public class PathGuardFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext ctx) {
        RequestPath rp = RequestPath.of(ctx);
        if (rp.matrixParameters()) {
            jakarta.ws.rs.core.Response r = ErrorResponses.build(rp.dialect(), ErrorKind.INVALID,
                    "Matrix parameters (`;` in the path) are not accepted: request " + rp.normalized() + " without them.",
                    null, "path", null, null, null);
            // unusable input, not a validation failure: 400 in every dialect (Parcelvoy's validation is 422)
            ctx.abortWith(r.getStatus() == 400 ? r : jakarta.ws.rs.core.Response.fromResponse(r).status(400).build());
        }
    }
}
