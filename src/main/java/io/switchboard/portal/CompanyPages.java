package io.switchboard.portal;

import io.switchboard.core.members.MemberService;
import io.switchboard.core.members.Role;
import io.switchboard.core.tenancy.ApiKey;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.core.tenancy.RateClass;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A company's pages: overview, keys, members, settings. Every handler resolves the company from the
 * URL through the signed-in member's own memberships (a company they do not belong to is a 404, the
 * same as one that does not exist) and checks the role server-side.
 */
@Path("/portal/c/{company}")
@Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
public class CompanyPages {
    private final MemberService members;
    private final TenancyService tenancy;
    private final SystemMail mail;
    private final PortalResource links;
    private final Runnable keysChanged;
    private final PortalData data;

    public CompanyPages(MemberService members, TenancyService tenancy, SystemMail mail, PortalResource links,
                        Runnable keysChanged, PortalData data) {
        this.members = members;
        this.tenancy = tenancy;
        this.mail = mail;
        this.links = links;
        this.keysChanged = keysChanged;
        this.data = data;
    }

    /** The context of a company page, or a redirect to sign-in / a 404 / a 403. */
    static PortalContext context(MemberService members, ContainerRequestContext req, String company, Role needed) {
        MemberService.Session s = PortalResource.session(req)
                .orElseThrow(() -> PortalException.redirect("/portal/sign-in"));
        Optional<MemberService.Membership> m = members.membership(s.memberId(), company);
        List<MemberService.Membership> all = members.memberships(s.memberId());
        if (m.isEmpty()) throw PortalException.notFound(new PortalContext(s, null, all));
        PortalContext ctx = new PortalContext(s, m.get(), all);
        if (!m.get().role().atLeast(needed)) {
            throw PortalException.forbidden(ctx, "This needs the " + needed.wire() + " role; yours is "
                    + m.get().role().wire() + ".");
        }
        return ctx;
    }

    private PortalContext ctx(ContainerRequestContext req, String company, Role needed) {
        return context(members, req, company, needed);
    }

    // ------------------------------------------------------------ overview

    @GET
    public Response overview(@Context ContainerRequestContext req, @PathParam("company") String company) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(new Page("overview", "Overview", ctx).with("stats", data.overview(ctx.companyId()))).build();
    }

    // ------------------------------------------------------------ keys

    @GET
    @Path("keys")
    public Response keys(@Context ContainerRequestContext req, @PathParam("company") String company) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        return Response.ok(keysPage(ctx)).build();
    }

    private Page keysPage(PortalContext ctx) {
        List<ApiKey> keys = tenancy.keys(ctx.companyId());
        List<ApiKey> active = keys.stream().filter(k -> !k.revoked()).toList();
        List<ApiKey> revoked = keys.stream().filter(ApiKey::revoked).toList();
        return new Page("keys", "API keys", ctx).with("keys", active).with("revoked", revoked);
    }

    @POST
    @Path("keys")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createKey(@Context ContainerRequestContext req, @PathParam("company") String company,
                              @FormParam("kind") String kind, @FormParam("name") String name) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        String n = name == null ? "" : name.trim();
        if (!"public".equals(kind) && !"secret".equals(kind)) {
            return Response.status(422).entity(keysPage(ctx).with("error", "Choose a kind: public or secret.")).build();
        }
        if (n.isEmpty() || n.length() > 200) {
            return Response.status(422).entity(keysPage(ctx).with("error", "Give the key a name (at most 200 characters).")).build();
        }
        TenancyService.MintedKey k = tenancy.mintKey(ctx.companyId(), kind, n);
        return Response.status(201).entity(keysPage(ctx).with("minted", k)).build();
    }

    @GET
    @Path("keys/{key}/revoke")
    public Response revokeConfirm(@Context ContainerRequestContext req, @PathParam("company") String company,
                                  @PathParam("key") String key) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        ApiKey k = findKey(ctx, key);
        return Response.ok(new Page("confirm", "Revoke key", ctx)
                .with("question", "Revoke the " + k.kind() + " key “" + k.name() + "” (" + k.prefix() + "…)? "
                        + "Clients using it are refused from then on. This cannot be undone.")
                .with("action", ctx.base() + "/keys/" + key + "/revoke").with("button", "Revoke key")
                .with("cancel", ctx.base() + "/keys")).build();
    }

    @POST
    @Path("keys/{key}/revoke")
    public Response revoke(@Context ContainerRequestContext req, @PathParam("company") String company,
                           @PathParam("key") String key) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        ApiKey k = findKey(ctx, key);
        tenancy.revokeKey(ctx.companyId(), k.id());
        keysChanged.run();
        return PortalResource.redirect(ctx.base() + "/keys");
    }

    private ApiKey findKey(PortalContext ctx, String key) {
        return tenancy.keys(ctx.companyId()).stream()
                .filter(k -> String.valueOf(k.id()).equals(key) && !k.revoked())
                .findFirst().orElseThrow(() -> PortalException.notFound(ctx));
    }

    // ------------------------------------------------------------ members

    @GET
    @Path("members")
    public Response members(@Context ContainerRequestContext req, @PathParam("company") String company) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(membersPage(ctx)).build();
    }

    private Page membersPage(PortalContext ctx) {
        return new Page("members", "Members", ctx).with("members", members.members(ctx.companyId()))
                .with("invitations", ctx.isOwner() ? members.pendingInvitations(ctx.companyId()) : List.of())
                .with("roles", List.of("viewer", "editor", "owner"));
    }

    @POST
    @Path("members/invite")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response invite(@Context ContainerRequestContext req, @PathParam("company") String company,
                           @FormParam("email") String email, @FormParam("role") String role) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        Optional<Role> r = Role.parse(role);
        try {
            if (r.isEmpty()) throw new MemberService.Refused("role", "Choose a role: viewer, editor or owner.");
            String e = MemberService.normalizeEmail(email);
            String token = members.invite(ctx.companyId(), e, r.get(), ctx.session().memberId());
            String url = links.invitationUrl(token);
            boolean sent = mail.send(e, "You are invited to " + ctx.company().companyName() + " on Switchboard",
                    ctx.session().email() + " invited you to join " + ctx.company().companyName() + " as "
                            + r.get().wire() + ". Open this link within 7 days to accept:\n\n" + url + "\n");
            return Response.status(201).entity(membersPage(ctx).with("invited", e).with("mailed", sent && mail.configured())
                    .with("inviteUrl", url)).build();
        } catch (MemberService.Refused ex) {
            return Response.status(422).entity(membersPage(ctx).with("error", ex.getMessage())).build();
        }
    }

    @POST
    @Path("members/{member}/role")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changeRole(@Context ContainerRequestContext req, @PathParam("company") String company,
                               @PathParam("member") long member, @FormParam("role") String role) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        try {
            Role r = Role.parse(role).orElseThrow(() -> new MemberService.Refused("role", "Choose a role."));
            members.changeRole(ctx.companyId(), member, r);
            return PortalResource.redirect(ctx.base() + "/members");
        } catch (MemberService.Refused ex) {
            return Response.status(422).entity(membersPage(ctx).with("error", ex.getMessage())).build();
        }
    }

    @POST
    @Path("members/{member}/remove")
    public Response remove(@Context ContainerRequestContext req, @PathParam("company") String company,
                           @PathParam("member") long member) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        try {
            members.removeMember(ctx.companyId(), member);
            return PortalResource.redirect(ctx.base() + "/members");
        } catch (MemberService.Refused ex) {
            return Response.status(422).entity(membersPage(ctx).with("error", ex.getMessage())).build();
        }
    }

    @POST
    @Path("members/invitations/{id}/cancel")
    public Response cancelInvitation(@Context ContainerRequestContext req, @PathParam("company") String company,
                                     @PathParam("id") long id) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        members.cancelInvitation(ctx.companyId(), id);
        return PortalResource.redirect(ctx.base() + "/members");
    }

    // ------------------------------------------------------------ settings

    @GET
    @Path("settings")
    public Response settings(@Context ContainerRequestContext req, @PathParam("company") String company) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(settingsPage(ctx, tenancy.company(ctx.companyId()).orElseThrow().settings())).build();
    }

    private Page settingsPage(PortalContext ctx, CompanySettings s) {
        List<Map<String, Object>> classes = new ArrayList<>();
        for (RateClass c : RateClass.values()) {
            CompanySettings.RateLimitOverride o = s.rateLimits().get(c.key());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", c.key());
            row.put("burst", o == null || o.burstPerSecond() == null ? "" : o.burstPerSecond().toString());
            row.put("steady", o == null || o.steadyPerMinute() == null ? "" : o.steadyPerMinute().toString());
            classes.add(row);
        }
        return new Page("settings", "Settings", ctx).with("region", s.defaultRegion())
                .with("cors", String.join("\n", s.corsOrigins())).with("classes", classes);
    }

    @POST
    @Path("settings")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response saveSettings(@Context ContainerRequestContext req, @PathParam("company") String company,
                                 MultivaluedMap<String, String> form) {
        PortalContext ctx = ctx(req, company, Role.OWNER);
        CompanySettings current = tenancy.company(ctx.companyId()).orElseThrow().settings();
        List<String> errors = new ArrayList<>();
        String region = Optional.ofNullable(form.getFirst("default_region")).orElse("").trim().toUpperCase(Locale.ROOT);
        if (!region.matches("[A-Z]{2}") || !com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance()
                .getSupportedRegions().contains(region)) {
            errors.add("Default region: a two-letter ISO 3166 region code such as US, GB or DE.");
        }
        List<String> origins = new ArrayList<>();
        for (String line : Optional.ofNullable(form.getFirst("cors_origins")).orElse("").split("\\R")) {
            String o = line.trim();
            if (o.isEmpty()) continue;
            if (!o.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?") && !o.equals("*")) {
                errors.add("CORS origin “" + o + "”: write it as scheme://host[:port], e.g. https://shop.example.com.");
            } else {
                origins.add(o);
            }
        }
        if (origins.size() > 100) errors.add("CORS origins: at most 100.");
        // merge semantics: classes left blank keep no override; others replace the stored override
        Map<String, CompanySettings.RateLimitOverride> limits = new LinkedHashMap<>(current.rateLimits());
        for (RateClass c : RateClass.values()) {
            Integer burst = number(form.getFirst("burst_" + c.key()), "Burst per second of " + c.key(), errors);
            Integer steady = number(form.getFirst("steady_" + c.key()), "Steady per minute of " + c.key(), errors);
            if (burst == null && steady == null) {
                limits.remove(c.key());
            } else {
                limits.put(c.key(), new CompanySettings.RateLimitOverride(burst, steady));
            }
        }
        CompanySettings next = new CompanySettings(region, origins, current.identifierBlockList(), limits,
                current.defaultTimezone());
        errors.addAll(tenancy.rateLimitProblems(ctx.companyId(), current, next)); // the operator's ceilings
        if (!errors.isEmpty()) {
            Page p = settingsPage(ctx, current).with("errors", errors)
                    .with("region", region).with("cors", Optional.ofNullable(form.getFirst("cors_origins")).orElse(""));
            return Response.status(422).entity(p).build();
        }
        try {
            tenancy.updateSettings(ctx.companyId(), next);
        } catch (IllegalArgumentException e) {
            // a rate limit above this company's ceiling (or switched off where the operator keeps it on)
            Page p = settingsPage(ctx, current).with("errors", List.of(e.getMessage()))
                    .with("region", region).with("cors", Optional.ofNullable(form.getFirst("cors_origins")).orElse(""));
            return Response.status(422).entity(p).build();
        }
        keysChanged.run();
        return Response.ok(settingsPage(ctx, next).with("saved", true)).build();
    }

    private static Integer number(String raw, String label, List<String> errors) {
        if (raw == null || raw.isBlank()) return null;
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < 0 || v > 10_000_000) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            errors.add(label + ": a whole number from 0 to 10000000 (0 switches the window off).");
            return null;
        }
    }
}
