package io.switchboard.portal;

import io.switchboard.core.events.Activity;
import io.switchboard.core.events.EventReads;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ProfileSearch;
import io.switchboard.core.identity.ProfileRef;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.members.MemberService;
import io.switchboard.core.members.Role;
import io.switchboard.errors.ApiException;
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
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Profiles (search, a profile's page, merge, data-privacy deletion) and live events. */
@Path("/portal/c/{company}")
@Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
public class ProfilePages {
    static final int PAGE = 25;
    private final MemberService members;
    private final ProfileSearch search;
    private final IdentityService identity;
    private final EventReads events;
    private final Activity activity;

    static final int SENDS = 20;
    private final io.switchboard.core.campaigns.CampaignService campaigns;

    public ProfilePages(MemberService members, ProfileSearch search, IdentityService identity, EventReads events,
                        Activity activity, io.switchboard.core.campaigns.CampaignService campaigns) {
        this.campaigns = campaigns;
        this.members = members;
        this.search = search;
        this.identity = identity;
        this.events = events;
        this.activity = activity;
    }

    private PortalContext ctx(ContainerRequestContext req, String company, Role needed) {
        return CompanyPages.context(members, req, company, needed);
    }

    /** Page position "epochMicros.id" → (time, id). */
    static Optional<Object[]> cursor(String raw) {
        if (raw == null || raw.isBlank()) return Optional.empty();
        int dot = raw.indexOf('.');
        try {
            long micros = Long.parseLong(raw.substring(0, dot));
            String id = raw.substring(dot + 1);
            if (id.length() > 64) return Optional.empty();
            return Optional.of(new Object[] {Instant.ofEpochSecond(0, 0).plusNanos(micros * 1000), id});
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String cursorOf(Instant t, String id) {
        return (t.getEpochSecond() * 1_000_000 + t.getNano() / 1000) + "." + id;
    }

    @GET
    @Path("profiles")
    public Response profiles(@Context ContainerRequestContext req, @PathParam("company") String company,
                             @QueryParam("q") String q, @QueryParam("after") String after) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        Optional<Object[]> c = cursor(after);
        List<ProfileSearch.Hit> hits = search.search(ctx.companyId(), q,
                c.map(x -> (Instant) x[0]).orElse(null), c.map(x -> (String) x[1]).orElse(null), PAGE + 1);
        String next = null;
        if (hits.size() > PAGE) {
            hits = hits.subList(0, PAGE);
            ProfileSearch.Hit last = hits.get(PAGE - 1);
            next = cursorOf(last.createdAt(), last.id());
        }
        Page p = new Page("profiles", "Profiles", ctx).with("hits", hits).with("q", q == null ? "" : q)
                .with("paged", c.isPresent());
        if (next != null) p.with("next", next);
        // htmx asks for the results table only (search as you type)
        boolean partial = "true".equals(req.getHeaderString("HX-Request")) && req.getHeaderString("HX-Boosted") == null;
        return Response.ok(partial ? new Page("profiles-results", "Profiles", ctx).with("hits", hits)
                .with("q", q == null ? "" : q).with("paged", c.isPresent()).with("next", next == null ? "" : next) : p).build();
    }

    @GET
    @Path("profiles/{id}")
    public Response profile(@Context ContainerRequestContext req, @PathParam("company") String company,
                            @PathParam("id") String id, @QueryParam("events_after") String eventsAfter) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(profilePage(ctx, id, eventsAfter)).build();
    }

    private Page profilePage(PortalContext ctx, String id, String eventsAfter) {
        if (id == null || id.length() > 64) throw PortalException.notFound(ctx);
        Profile p = identity.find(ctx.companyId(), id).orElseThrow(() -> PortalException.notFound(ctx));
        if (p.isTombstone()) {
            return new Page("error", "Profile merged", ctx).with("status", 200)
                    .with("message", "This profile was merged into " + p.mergedInto() + ".");
        }
        Optional<EventReads.Cursor> after = eventsAfter == null ? Optional.empty() : EventReads.Cursor.decode(eventsAfter);
        // one connection, the merged-ids set resolved once (docs/portal.md, "Page times")
        EventReads.ProfileView view = events.profileView(ctx.companyId(), p.id(), PAGE, after.orElse(null));
        List<io.switchboard.db.EventDao.EventRow> timeline = view.events();
        String next = null;
        if (timeline.size() > PAGE) {
            timeline = timeline.subList(0, PAGE);
            var last = timeline.get(PAGE - 1);
            next = new EventReads.Cursor(last.occurredAt(), last.id()).encode();
        }
        Page page = new Page("profile", "Profile", ctx).with("p", p)
                .with("attributes", pretty(p.attributes())).with("properties", pretty(p.properties()))
                .with("history", view.history())
                .with("events", timeline)
                .with("devices", view.devices())
                .with("subscriptions", view.subscriptions())
                .with("lists", view.memberships())
                .with("sends", campaigns == null ? List.of() : campaigns.sendsOfProfile(ctx.companyId(), view.ids(), SENDS))
                .with("campaignNames", campaignNames(ctx));
        if (next != null) page.with("next", next);
        return page;
    }

    private java.util.Map<String, String> campaignNames(PortalContext ctx) {
        java.util.Map<String, String> names = new java.util.HashMap<>();
        if (campaigns != null) campaigns.campaigns(ctx.companyId()).forEach(c -> names.put(c.id(), c.name()));
        return names;
    }

    /** One shared writer: a new ObjectMapper per call rebuilt its serializer caches on every profile page. */
    private static final com.fasterxml.jackson.databind.ObjectWriter PRETTY =
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter();

    static String pretty(Object node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (Exception e) {
            return String.valueOf(node);
        }
    }

    private WriteContext write(PortalContext ctx) {
        return new WriteContext("portal-member-" + ctx.session().memberId(), "portal");
    }

    @POST
    @Path("profiles/{id}/merge")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response merge(@Context ContainerRequestContext req, @PathParam("company") String company,
                          @PathParam("id") String id, @FormParam("source") String source,
                          @FormParam("confirm") String confirm) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        Profile p = identity.find(ctx.companyId(), id).filter(x -> !x.isTombstone())
                .orElseThrow(() -> PortalException.notFound(ctx));
        String src = source == null ? "" : source.trim();
        Optional<Profile> other = src.isEmpty() || src.length() > 64 ? Optional.empty() : identity.find(ctx.companyId(), src);
        if (other.isEmpty() || other.get().isTombstone() || other.get().id().equals(p.id())) {
            return Response.status(422).entity(profilePage(ctx, id, null)
                    .with("error", "Merge: enter the id of another live profile of this company.")).build();
        }
        if (!"yes".equals(confirm)) {
            return Response.ok(new Page("confirm", "Merge profiles", ctx)
                    .with("question", "Merge profile " + other.get().id() + " (" + label(other.get()) + ") into "
                            + p.id() + " (" + label(p) + ")? Its identifiers, events and consent move here; this cannot be undone.")
                    .with("action", ctx.base() + "/profiles/" + p.id() + "/merge").with("button", "Merge")
                    .with("hidden", java.util.Map.of("source", other.get().id(), "confirm", "yes"))
                    .with("cancel", ctx.base() + "/profiles/" + p.id())).build();
        }
        try {
            identity.merge(ctx.companyId(), write(ctx), p.id(), other.get().id());
        } catch (ApiException e) {
            return Response.status(422).entity(profilePage(ctx, id, null).with("error", "Merge: " + e.getMessage())).build();
        }
        return PortalResource.redirect(ctx.base() + "/profiles/" + p.id());
    }

    private static String label(Profile p) {
        return p.email() != null ? p.email() : p.externalId() != null ? p.externalId()
                : p.phoneNumber() != null ? p.phoneNumber() : "no identifier";
    }

    @GET
    @Path("profiles/{id}/delete")
    public Response deleteConfirm(@Context ContainerRequestContext req, @PathParam("company") String company,
                                  @PathParam("id") String id) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        Profile p = identity.find(ctx.companyId(), id).filter(x -> !x.isTombstone())
                .orElseThrow(() -> PortalException.notFound(ctx));
        return Response.ok(new Page("confirm", "Delete profile data", ctx)
                .with("question", "Delete all data of profile " + p.id() + " (" + label(p) + ") for data privacy? "
                        + "Its identifiers, properties, events, devices and consent are erased. This cannot be undone.")
                .with("action", ctx.base() + "/profiles/" + p.id() + "/delete").with("button", "Delete permanently")
                .with("cancel", ctx.base() + "/profiles/" + p.id())).build();
    }

    @POST
    @Path("profiles/{id}/delete")
    public Response delete(@Context ContainerRequestContext req, @PathParam("company") String company,
                           @PathParam("id") String id) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        Profile p = identity.find(ctx.companyId(), id).filter(x -> !x.isTombstone())
                .orElseThrow(() -> PortalException.notFound(ctx));
        // resolved again inside the deletion's transaction: a merge meanwhile deletes the survivor
        identity.delete(ctx.companyId(), write(ctx), ProfileRef.byId(p.id()));
        return PortalResource.redirect(ctx.base() + "/profiles?deleted=1");
    }

    // ------------------------------------------------------------ live events

    @GET
    @Path("events")
    public Response live(@Context ContainerRequestContext req, @PathParam("company") String company,
                         @QueryParam("name") String name, @QueryParam("source") String source,
                         @QueryParam("profile") String profile, @QueryParam("before") String before) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        String n = blank(name), s = blank(source), pr = blank(profile);
        Instant b = null;
        Optional<Object[]> c = cursor(before);
        if (c.isPresent()) b = (Instant) c.get()[0];
        List<Activity.RecentEvent> rows = activity.recent(ctx.companyId(), n, s, pr, b, PAGE + 1);
        String next = null;
        if (rows.size() > PAGE) {
            rows = rows.subList(0, PAGE);
            var last = rows.get(PAGE - 1);
            next = cursorOf(last.receivedAt(), last.id());
        }
        String query = "name=" + enc(n) + "&source=" + enc(s) + "&profile=" + enc(pr);
        boolean partial = "true".equals(req.getHeaderString("HX-Request"));
        Page p = new Page(partial ? "events-rows" : "events", "Live events", ctx).with("rows", rows)
                .with("name", n == null ? "" : n).with("source", s == null ? "" : s).with("profile", pr == null ? "" : pr)
                .with("sources", List.of("klaviyo_client", "klaviyo_server", "parcelvoy", "segment", "dittofeed", "delivery", "campaign_trigger"))
                .with("query", query).with("live", c.isEmpty()).with("next", next == null ? "" : next);
        return Response.ok(p).build();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim().length() > 200 ? s.trim().substring(0, 200) : s.trim();
    }

    private static String enc(String s) {
        return s == null ? "" : java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
