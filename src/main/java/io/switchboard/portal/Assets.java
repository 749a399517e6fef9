package io.switchboard.portal;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The portal's static files: its stylesheet and script, and htmx from its webjar (no CDN, no npm build). */
@Path("/portal/assets")
public class Assets {
    static final String HTMX = "META-INF/resources/webjars/htmx.org/2.0.4/dist/htmx.min.js";
    private static final Map<String, String[]> FILES = Map.of(
            "portal.css", new String[] {"io/switchboard/portal/assets/portal.css", "text/css;charset=UTF-8"},
            "portal.js", new String[] {"io/switchboard/portal/assets/portal.js", "text/javascript;charset=UTF-8"},
            "htmx.min.js", new String[] {HTMX, "text/javascript;charset=UTF-8"});
    private final Map<String, byte[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

    @GET
    @Path("{file}")
    public Response file(@PathParam("file") String file) {
        String[] f = FILES.get(file);
        if (f == null) return Response.status(404).type("text/plain").entity("not found").build();
        byte[] body = cache.computeIfAbsent(file, k -> {
            try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(f[0])) {
                return in.readAllBytes();
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("portal asset missing: " + f[0], e);
            }
        });
        return Response.ok(body).type(f[1]).header("Cache-Control", "public, max-age=3600").build();
    }
}
