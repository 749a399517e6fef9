package io.switchboard.resources;

import io.switchboard.errors.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * Public signup form pages ({@code /forms/demo?company_id=…}): plain HTML + JS, no build step. The page
 * posts to the Klaviyo client endpoints from the browser with only the public company id.
 */
@Path("/forms")
public class FormsResource {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9-]{1,40}$");
    private final byte[] demo;

    public FormsResource() {
        try (InputStream in = FormsResource.class.getResourceAsStream("/forms/demo.html")) {
            this.demo = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("forms/demo.html missing from the classpath", e);
        }
    }

    @GET
    @Path("/{name}")
    @Produces(MediaType.TEXT_HTML)
    public Response form(@PathParam("name") String name) {
        if (!NAME.matcher(name).matches() || !name.equals("demo")) {
            throw ApiException.notFound("No form named " + name + ".");
        }
        return Response.ok(demo, MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
                .header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
                .build();
    }
}
