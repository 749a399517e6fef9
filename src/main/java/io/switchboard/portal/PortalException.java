package io.switchboard.portal;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** A portal refusal answered with an HTML page (403, 404 …), never with an API error document. */
public class PortalException extends RuntimeException {
    private final int status;
    private final PortalContext ctx;
    private String location;

    public PortalException(int status, String message, PortalContext ctx) {
        super(message);
        this.status = status;
        this.ctx = ctx;
    }

    /** Not signed in (or similar): answered with 303 See Other to {@code path}. */
    public static PortalException redirect(String path) {
        PortalException e = new PortalException(303, "redirect", null);
        e.location = path;
        return e;
    }

    public static PortalException notFound(PortalContext ctx) {
        return new PortalException(404, "There is no such page, or you have no access to it.", ctx);
    }

    public static PortalException forbidden(PortalContext ctx, String what) {
        return new PortalException(403, what, ctx);
    }

    public static class Mapper implements ExceptionMapper<PortalException> {
        @Override
        public Response toResponse(PortalException e) {
            if (e.location != null) {
                return Response.seeOther(java.net.URI.create(e.location)).build();
            }
            Page p = new Page("error", e.status == 404 ? "Not found" : e.status == 403 ? "Not allowed" : "Error", e.ctx)
                    .with("status", e.status).with("message", e.getMessage());
            return Response.status(e.status).type("text/html;charset=UTF-8").entity(p).build();
        }
    }
}
