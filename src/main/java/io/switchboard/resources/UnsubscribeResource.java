package io.switchboard.resources;

import io.switchboard.delivery.Unsubscribes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /u/{token}}: the unsubscribe link of every email ({@code List-Unsubscribe}). GET (a person
 * clicking) and POST (RFC 8058 one-click from the mail client) both record the opt-out. No credentials:
 * the unguessable token is the credential. An unknown token is 404 with the same page shape.
 */
@Path("/u")
public class UnsubscribeResource {
    private final Unsubscribes unsubscribes;

    public UnsubscribeResource(Unsubscribes unsubscribes) {
        this.unsubscribes = unsubscribes;
    }

    @GET
    @Path("/{token}")
    @Produces(MediaType.TEXT_HTML)
    public Response click(@PathParam("token") String token) {
        return answer(token);
    }

    @POST
    @Path("/{token}")
    @Produces(MediaType.TEXT_HTML)
    public Response oneClick(@PathParam("token") String token) {
        return answer(token);
    }

    private Response answer(String token) {
        var r = unsubscribes.use(token);
        if (r.isEmpty()) {
            return Response.status(404).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(page("Link not found", "This unsubscribe link is not valid.")).build();
        }
        String what = switch (r.get().channel()) {
            case "email" -> "emails";
            case "sms" -> "text messages";
            case "push" -> "push notifications";
            default -> "messages";
        };
        return Response.ok(page("Unsubscribed", "You will no longer receive these " + what + "."))
                .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store").build();
    }

    private static String page(String title, String text) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">"
                + "<title>" + title + "</title></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>";
    }
}
