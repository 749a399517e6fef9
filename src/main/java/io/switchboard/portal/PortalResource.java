package io.switchboard.portal;

import io.switchboard.core.members.MemberService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Signing in and out, invitations, password resets and the company chooser (docs/portal.md). */
@Path("/")
@Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
public class PortalResource {
    private final MemberService members;
    private final Cookies cookies;
    private final SystemMail mail;
    private final String baseUrl;
    private final long sessionSeconds;

    public PortalResource(MemberService members, Cookies cookies, SystemMail mail, String baseUrl, long sessionSeconds) {
        this.members = members;
        this.cookies = cookies;
        this.mail = mail;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.sessionSeconds = sessionSeconds;
    }

    static Optional<MemberService.Session> session(ContainerRequestContext req) {
        return Optional.ofNullable((MemberService.Session) req.getProperty(PortalFilter.SESSION));
    }

    static String preCsrf(ContainerRequestContext req) {
        Object t = req.getProperty(PortalFilter.PRE_CSRF);
        return t == null ? "" : t.toString();
    }

    static Response redirect(String path) {
        return Response.seeOther(URI.create(path)).build();
    }

    @GET
    public Response root() {
        return redirect("/portal");
    }

    @GET
    @Path("portal")
    public Response home(@Context ContainerRequestContext req) {
        Optional<MemberService.Session> s = session(req);
        if (s.isEmpty()) return redirect("/portal/sign-in");
        List<MemberService.Membership> ms = members.memberships(s.get().memberId());
        if (ms.size() == 1) return redirect("/portal/c/" + ms.get(0).companyPublicId());
        PortalContext ctx = new PortalContext(s.get(), null, ms);
        return Response.ok(new Page("companies", "Your companies", ctx).with("companies", ms)).build();
    }

    // ------------------------------------------------------------ sign-in / sign-out

    @GET
    @Path("portal/sign-in")
    public Response signInForm(@Context ContainerRequestContext req, @QueryParam("signed_out") String signedOut,
                               @QueryParam("reset") String reset) {
        if (session(req).isPresent()) return redirect("/portal");
        Page p = anon("sign-in", "Sign in", req);
        if ("everywhere".equals(signedOut)) p.with("notice", "You are signed out in every browser.");
        if ("done".equals(reset)) p.with("notice", "Your password is set. Sign in with it.");
        return Response.ok(p).build();
    }

    private Page anon(String template, String title, ContainerRequestContext req) {
        return new Page(template, title, null).withCsrf(preCsrf(req));
    }

    @POST
    @Path("portal/sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@Context ContainerRequestContext req, @Context HttpServletRequest http,
                           @FormParam("email") String email, @FormParam("password") String password) {
        MemberService.SignInResult r = members.signIn(email, password, http.getRemoteAddr());
        if (r.outcome() == MemberService.SignInOutcome.OK) {
            return signedIn(req, r.session(), "/portal");
        }
        String msg = switch (r.outcome()) {
            case LOCKED -> "Too many failed sign-ins for this email. It is locked for "
                    + MemberService.LOCK_WINDOW.toMinutes() + " minutes; you can reset the password meanwhile.";
            case RATE_LIMITED -> "Too many failed sign-ins from your network. Try again later.";
            default -> "The email or password is not right.";
        };
        int status = r.outcome() == MemberService.SignInOutcome.INVALID ? 401 : 429;
        return Response.status(status).entity(anon("sign-in", "Sign in", req)
                .with("error", msg).with("email", email == null ? "" : email)).build();
    }

    private Response signedIn(ContainerRequestContext req, MemberService.NewSession s, String to) {
        return Response.seeOther(URI.create(to))
                .header("Set-Cookie", cookies.header(req, PortalFilter.SESSION_COOKIE, s.token(), sessionSeconds))
                .build();
    }

    @POST
    @Path("portal/sign-out")
    public Response signOut(@Context ContainerRequestContext req) {
        session(req).ifPresent(s -> members.signOut(s.id()));
        return Response.seeOther(URI.create("/portal/sign-in"))
                .header("Set-Cookie", cookies.header(req, PortalFilter.SESSION_COOKIE, "", 0)).build();
    }

    @POST
    @Path("portal/sign-out-everywhere")
    public Response signOutEverywhere(@Context ContainerRequestContext req) {
        session(req).ifPresent(s -> members.signOutEverywhere(s.memberId()));
        return Response.seeOther(URI.create("/portal/sign-in?signed_out=everywhere"))
                .header("Set-Cookie", cookies.header(req, PortalFilter.SESSION_COOKIE, "", 0)).build();
    }

    // ------------------------------------------------------------ invitations

    @GET
    @Path("portal/invitations/{token}")
    public Response invitation(@Context ContainerRequestContext req, @PathParam("token") String token) {
        Optional<MemberService.InvitationInfo> inv = members.invitation(token);
        if (inv.isEmpty()) {
            return Response.status(404).entity(anon("error", "Invitation not valid", req).with("status", 404)
                    .with("message", "This invitation link is not valid, was already used or has expired. "
                            + "Ask an owner of the company for a new one.")).build();
        }
        return Response.ok(anon("accept", "Join " + inv.get().companyName(), req)
                .with("inv", inv.get()).with("token", token).with("email", inv.get().email() == null ? "" : inv.get().email())).build();
    }

    @POST
    @Path("portal/invitations/{token}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response accept(@Context ContainerRequestContext req, @PathParam("token") String token,
                           @FormParam("email") String email, @FormParam("password") String password,
                           @FormParam("password_again") String again) {
        Optional<MemberService.InvitationInfo> inv = members.invitation(token);
        if (inv.isEmpty()) return invitation(req, token);
        try {
            if (!inv.get().memberExists() && again != null && !again.equals(password)) {
                throw new MemberService.Refused("password_again", "The two passwords differ.");
            }
            MemberService.NewSession s = members.accept(token, email, password);
            return signedIn(req, s, "/portal");
        } catch (MemberService.Refused e) {
            return Response.status(422).entity(anon("accept", "Join " + inv.get().companyName(), req)
                    .with("inv", inv.get()).with("token", token).with("email", email == null ? "" : email)
                    .with("error", e.getMessage()).with("errorField", e.field())).build();
        }
    }

    // ------------------------------------------------------------ password reset

    @GET
    @Path("portal/reset")
    public Response resetRequestForm(@Context ContainerRequestContext req) {
        return Response.ok(anon("reset-request", "Reset your password", req)).build();
    }

    @POST
    @Path("portal/reset")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response resetRequest(@Context ContainerRequestContext req, @FormParam("email") String email) {
        members.requestReset(email).ifPresent(token -> mail.send(email.trim(), "Reset your Switchboard password",
                "Someone asked to reset the password of this Switchboard account. If it was you, open this link "
                        + "within an hour:\n\n" + baseUrl + "/portal/reset/" + token + "\n\nOtherwise ignore this mail."));
        // the same answer whether or not the email has an account
        return Response.ok(anon("reset-request", "Reset your password", req).with("sent", true)).build();
    }

    @GET
    @Path("portal/reset/{token}")
    public Response resetForm(@Context ContainerRequestContext req, @PathParam("token") String token) {
        if (!members.resetValid(token)) {
            return Response.status(404).entity(anon("error", "Reset link not valid", req).with("status", 404)
                    .with("message", "This reset link is not valid, was already used or has expired.")).build();
        }
        return Response.ok(anon("reset", "Choose a new password", req).with("token", token)).build();
    }

    @POST
    @Path("portal/reset/{token}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reset(@Context ContainerRequestContext req, @PathParam("token") String token,
                          @FormParam("password") String password, @FormParam("password_again") String again) {
        try {
            if (again != null && !again.equals(password)) {
                throw new MemberService.Refused("password_again", "The two passwords differ.");
            }
            members.resetPassword(token, password);
            return redirect("/portal/sign-in?reset=done");
        } catch (MemberService.Refused e) {
            return Response.status(422).entity(anon("reset", "Choose a new password", req).with("token", token)
                    .with("error", e.getMessage())).build();
        }
    }

    public String invitationUrl(String token) {
        return baseUrl + "/portal/invitations/" + token;
    }
}
