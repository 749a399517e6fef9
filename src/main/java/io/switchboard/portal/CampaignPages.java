package io.switchboard.portal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.CampaignService;
import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.core.campaigns.ProviderTypes;
import io.switchboard.core.campaigns.Send;
import io.switchboard.core.campaigns.SendState;
import io.switchboard.core.members.MemberService;
import io.switchboard.core.members.Role;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Campaigns (list, create, edit with a template editor per locale and a live preview, state changes,
 * test send, the sends table) and providers (secrets masked, test connection). Viewers read; editors
 * and owners change. Every call goes to {@link CampaignService} with the company of the URL.
 */
@Path("/portal/c/{company}")
@Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
public class CampaignPages {
    static final int SENDS_PAGE = 25;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    /** A provider check's outcome as the page shows it. */
    public record Check(boolean ok, String message) {}

    private final MemberService members;
    private final CampaignService campaigns;
    private final BiFunction<Long, String, Check> testConnection;
    private final BiConsumer<Long, String> providerChanged;

    public CampaignPages(MemberService members, CampaignService campaigns, BiFunction<Long, String, Check> testConnection,
                         BiConsumer<Long, String> providerChanged) {
        this.members = members;
        this.campaigns = campaigns;
        this.testConnection = testConnection;
        this.providerChanged = providerChanged;
    }

    private PortalContext ctx(ContainerRequestContext req, String company, Role needed) {
        return CompanyPages.context(members, req, company, needed);
    }

    /** A core refusal as the page's error line (404s become the portal's 404 page). */
    private static String refusal(PortalContext ctx, ApiException e) {
        if (e.kind() == ErrorKind.NOT_FOUND) throw PortalException.notFound(ctx);
        String field = e.pointer() == null ? null : e.pointer().replace("/data/attributes/", "");
        return field == null || field.isEmpty() ? e.detail() : e.detail() + " (" + field + ")";
    }

    private static String id(PortalContext ctx, String raw) {
        if (raw == null || raw.length() > 64 || !raw.matches("[A-Za-z0-9]+")) throw PortalException.notFound(ctx);
        return raw;
    }

    private static String form(MultivaluedMap<String, String> f, String k) {
        String v = f.getFirst(k);
        return v == null ? null : v.trim();
    }

    // ------------------------------------------------------------ campaigns

    @GET
    @Path("campaigns")
    public Response list(@Context ContainerRequestContext req, @PathParam("company") String company) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(listPage(ctx)).build();
    }

    private Page listPage(PortalContext ctx) {
        Map<String, String> providerNames = new LinkedHashMap<>();
        List<Provider> providers = campaigns.providers(ctx.companyId());
        providers.forEach(p -> providerNames.put(p.id(), p.name() + " (" + p.type() + ")"));
        return new Page("campaigns", "Campaigns", ctx).with("campaigns", campaigns.campaigns(ctx.companyId()))
                .with("providerNames", providerNames).with("providers", providers)
                .with("channels", List.of("email", "sms", "push", "webhook"));
    }

    @POST
    @Path("campaigns")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@Context ContainerRequestContext req, @PathParam("company") String company,
                           MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        try {
            Campaign c = campaigns.createCampaign(ctx.companyId(), new CampaignService.CampaignInput(
                    form(f, "name"), form(f, "channel"), blankToNull(form(f, "provider_id")), null,
                    blankToNull(form(f, "subscription")), blankToNull(form(f, "default_locale")), null));
            return PortalResource.redirect(ctx.base() + "/campaigns/" + c.id());
        } catch (ApiException e) {
            return Response.status(422).entity(listPage(ctx).with("error", refusal(ctx, e))).build();
        }
    }

    @GET
    @Path("campaigns/{id}")
    public Response campaign(@Context ContainerRequestContext req, @PathParam("company") String company,
                             @PathParam("id") String id, @QueryParam("locale") String locale,
                             @QueryParam("state") String state, @QueryParam("before") String before) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(campaignPage(ctx, id(ctx, id), locale, state, before, null)).build();
    }

    private Page campaignPage(PortalContext ctx, String id, String locale, String state, String before,
                              Map<String, Object> draft) {
        Campaign c;
        try {
            c = campaigns.campaign(ctx.companyId(), id);
        } catch (ApiException e) {
            throw PortalException.notFound(ctx);
        }
        String loc = locale == null || locale.isBlank() || !locale.matches("[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
                ? c.defaultLocale() : locale.replace('_', '-');
        TreeSet<String> locales = new TreeSet<>(c.templates().keySet());
        locales.add(c.defaultLocale());
        Map<String, Object> stored = draft != null ? draft : c.templates().getOrDefault(loc, Map.of());
        List<Map<String, Object>> fields = new ArrayList<>();
        for (String name : c.channel().templateFields()) {
            Object v = stored.get(name);
            Map<String, Object> fl = new LinkedHashMap<>();
            fl.put("name", name);
            fl.put("value", v == null ? "" : v instanceof String s ? s : json(v));
            fl.put("multiline", List.of("html", "text", "body", "data", "headers").contains(name));
            fl.put("hint", "data".equals(name) || "headers".equals(name) ? "a JSON object of strings" : "");
            fields.add(fl);
        }
        String st = state == null || state.isBlank() || !SendState.ALL.contains(state) ? null : state;
        String b = before == null || before.isBlank() || before.length() > 64 ? null : before;
        List<Send> sends = campaigns.sends(ctx.companyId(), c.id(), st, b, SENDS_PAGE + 1);
        String next = null;
        if (sends.size() > SENDS_PAGE) {
            sends = sends.subList(0, SENDS_PAGE);
            next = sends.get(SENDS_PAGE - 1).id();
        }
        List<Provider> providers = campaigns.providers(ctx.companyId()).stream()
                .filter(p -> c.channel().acceptsProvider(p.type())).toList();
        return new Page("campaign", "Campaign " + c.name(), ctx).with("c", c).with("locale", loc)
                .with("locales", locales).with("fields", fields).with("providers", providers)
                .with("sends", sends).with("next", next).with("stateFilter", st == null ? "" : st)
                .with("sendStates", new TreeSet<>(SendState.ALL))
                .with("provider", providers.stream().filter(p -> p.id().equals(c.providerId())).findFirst().orElse(null));
    }

    /** The template fields of the form as a template map: blank fields are left out, JSON fields parsed. */
    private static Map<String, Object> template(Channel channel, MultivaluedMap<String, String> f) {
        Map<String, Object> t = new LinkedHashMap<>();
        for (String name : channel.templateFields()) {
            String v = f.getFirst("t_" + name);
            if (v == null || v.isBlank()) continue;
            if ("data".equals(name) || "headers".equals(name)) {
                try {
                    t.put(name, JSON.readValue(v, MAP));
                } catch (Exception e) {
                    throw ApiException.invalid("/data/attributes/templates/" + name,
                            "`" + name + "` must be a JSON object of strings, e.g. {\"key\": \"{{ user.email }}\"}.");
                }
            } else {
                t.put(name, v.replace("\r\n", "\n"));
            }
        }
        return t;
    }

    @POST
    @Path("campaigns/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response save(@Context ContainerRequestContext req, @PathParam("company") String company,
                         @PathParam("id") String rawId, MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        String id = id(ctx, rawId);
        Campaign c = find(ctx, id);
        String locale = form(f, "locale");
        Map<String, Object> draft = null;
        try {
            draft = template(c.channel(), f);
            Map<String, Map<String, Object>> templates = new LinkedHashMap<>();
            String loc = locale == null || locale.isBlank() ? c.defaultLocale() : locale;
            // an empty template for a locale that is not the default removes it
            templates.put(loc, draft.isEmpty() && !loc.equals(c.defaultLocale()) ? null : draft);
            campaigns.updateCampaign(ctx.companyId(), id, new CampaignService.CampaignInput(form(f, "name"), null,
                    form(f, "provider_id"), null, blankToNull(form(f, "subscription")),
                    blankToNull(form(f, "default_locale")), templates));
            return PortalResource.redirect(ctx.base() + "/campaigns/" + id + "?locale="
                    + java.net.URLEncoder.encode(loc, java.nio.charset.StandardCharsets.UTF_8) + "&saved=1");
        } catch (ApiException e) {
            return Response.status(422).entity(campaignPage(ctx, id, locale, null, null, draft)
                    .with("error", refusal(ctx, e))).build();
        }
    }

    private Campaign find(PortalContext ctx, String id) {
        try {
            return campaigns.campaign(ctx.companyId(), id);
        } catch (ApiException e) {
            throw PortalException.notFound(ctx);
        }
    }

    /** The live preview (htmx posts the editor's form; without script the button posts the page). */
    @POST
    @Path("campaigns/{id}/preview")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response preview(@Context ContainerRequestContext req, @PathParam("company") String company,
                            @PathParam("id") String rawId, @HeaderParam("HX-Request") String hx,
                            MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        String id = id(ctx, rawId);
        Campaign c = find(ctx, id);
        Map<String, Object> draft = null;
        Page fragment = new Page("campaign-preview", "Preview", ctx);
        int status = 200;
        try {
            draft = template(c.channel(), f);
            Map<String, Object> out = campaigns.previewDraft(ctx.companyId(), id, form(f, "locale"), draft,
                    form(f, "preview_profile"));
            List<Map<String, Object>> rows = new ArrayList<>();
            out.forEach((k, v) -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", k);
                r.put("value", v instanceof String s ? s : json(v));
                rows.add(r);
            });
            fragment.with("rendered", rows).with("html", out.get("html") instanceof String s ? s : null);
        } catch (ApiException e) {
            String msg = e.kind() == ErrorKind.NOT_FOUND ? "No such profile in this company." : refusal(ctx, e);
            fragment.with("error", msg);
            status = 422;
        }
        if (hx != null) {
            // htmx swaps 2xx answers only: a template error is still shown in the preview pane
            return Response.ok(fragment).build();
        }
        Page full = campaignPage(ctx, id, form(f, "locale"), null, null, draft).with("preview", fragment.getM())
                .with("previewProfile", Optional.ofNullable(form(f, "preview_profile")).orElse(""));
        return Response.status(status).entity(full).build();
    }

    @POST
    @Path("campaigns/{id}/state")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response state(@Context ContainerRequestContext req, @PathParam("company") String company,
                          @PathParam("id") String rawId, MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        String id = id(ctx, rawId);
        find(ctx, id);
        String state = form(f, "state");
        try {
            campaigns.updateCampaign(ctx.companyId(), id, new CampaignService.CampaignInput(null, null, null, state,
                    null, null, null));
            return PortalResource.redirect(ctx.base() + "/campaigns/" + id);
        } catch (ApiException e) {
            return Response.status(422).entity(campaignPage(ctx, id, null, null, null, null)
                    .with("error", refusal(ctx, e))).build();
        }
    }

    @POST
    @Path("campaigns/{id}/test")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response testSend(@Context ContainerRequestContext req, @PathParam("company") String company,
                             @PathParam("id") String rawId, MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        String id = id(ctx, rawId);
        find(ctx, id);
        try {
            Send s = campaigns.testSend(ctx.companyId(), id, form(f, "profile_id"), form(f, "address"),
                    ctx.session().email());
            return Response.status(201).entity(campaignPage(ctx, id, null, null, null, null)
                    .with("tested", s)).build();
        } catch (ApiException e) {
            String msg = e.kind() == ErrorKind.NOT_FOUND ? "No such profile in this company." : refusal(ctx, e);
            return Response.status(422).entity(campaignPage(ctx, id, null, null, null, null)
                    .with("error", msg).with("testProfile", Optional.ofNullable(form(f, "profile_id")).orElse(""))
                    .with("testAddress", Optional.ofNullable(form(f, "address")).orElse(""))).build();
        }
    }

    // ------------------------------------------------------------ providers

    @GET
    @Path("providers")
    public Response providers(@Context ContainerRequestContext req, @PathParam("company") String company) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(providersPage(ctx)).build();
    }

    private Page providersPage(PortalContext ctx) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Provider p : campaigns.providers(ctx.companyId())) rows.add(providerRow(p));
        return new Page("providers", "Providers", ctx).with("providers", rows)
                .with("types", new TreeSet<>(ProviderTypes.TYPES));
    }

    private static Map<String, Object> providerRow(Provider p) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", p.id());
        r.put("name", p.name());
        r.put("type", p.type());
        r.put("config", json(ProviderTypes.redact(p.type(), p.config())));
        r.put("rate", p.rateLimit() == null ? "" : p.rateLimit() + " per " + p.rateInterval());
        r.put("rateLimit", p.rateLimit() == null ? "" : p.rateLimit().toString());
        r.put("rateInterval", p.rateInterval() == null ? "second" : p.rateInterval());
        r.put("createdAt", p.createdAt());
        r.put("updatedAt", p.updatedAt());
        return r;
    }

    private static Map<String, Object> config(String raw) {
        if (raw == null || raw.isBlank()) return Map.of();
        try {
            return JSON.readValue(raw, MAP);
        } catch (Exception e) {
            throw ApiException.invalid("/data/attributes/config",
                    "The configuration must be a JSON object, e.g. {\"host\": \"smtp.example.com\", \"port\": 587}.");
        }
    }

    private static Integer rate(String raw) {
        if (raw == null || raw.isBlank()) return null;
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("/data/attributes/rate_limit", "The rate limit must be a whole number.");
        }
    }

    @POST
    @Path("providers")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createProvider(@Context ContainerRequestContext req, @PathParam("company") String company,
                                   MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        try {
            Provider p = campaigns.createProvider(ctx.companyId(), form(f, "type"), form(f, "name"),
                    config(f.getFirst("config")), rate(form(f, "rate_limit")), blankToNull(form(f, "rate_interval")));
            return PortalResource.redirect(ctx.base() + "/providers/" + p.id());
        } catch (ApiException e) {
            return Response.status(422).entity(providersPage(ctx).with("error", refusal(ctx, e))
                    .with("draft", Map.of("type", Optional.ofNullable(form(f, "type")).orElse(""),
                            "name", Optional.ofNullable(form(f, "name")).orElse(""),
                            "config", Optional.ofNullable(f.getFirst("config")).orElse("")))).build();
        }
    }

    @GET
    @Path("providers/{id}")
    public Response provider(@Context ContainerRequestContext req, @PathParam("company") String company,
                             @PathParam("id") String id) {
        PortalContext ctx = ctx(req, company, Role.VIEWER);
        return Response.ok(providerPage(ctx, id(ctx, id))).build();
    }

    private Page providerPage(PortalContext ctx, String id) {
        Provider p;
        try {
            p = campaigns.provider(ctx.companyId(), id);
        } catch (ApiException e) {
            throw PortalException.notFound(ctx);
        }
        return new Page("provider", "Provider " + p.name(), ctx).with("p", providerRow(p));
    }

    @POST
    @Path("providers/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response saveProvider(@Context ContainerRequestContext req, @PathParam("company") String company,
                                 @PathParam("id") String rawId, MultivaluedMap<String, String> f) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        String id = id(ctx, rawId);
        providerPage(ctx, id);
        try {
            // the form shows the masked configuration: the mask keeps a stored secret, a key left out is removed
            // (merge semantics of the admin API); changing where it connects needs the secrets again (core rule)
            Provider stored = campaigns.provider(ctx.companyId(), id);
            Map<String, Object> given = config(f.getFirst("config"));
            Map<String, Object> patch = new LinkedHashMap<>(given);
            for (String k : stored.config().keySet()) {
                if (!given.containsKey(k)) patch.put(k, null);
            }
            Integer rl = rate(form(f, "rate_limit"));
            campaigns.updateProvider(ctx.companyId(), id, form(f, "name"), patch, rl,
                    blankToNull(form(f, "rate_interval")), rl == null);
            providerChanged.accept(ctx.companyId(), id);
            return Response.ok(providerPage(ctx, id).with("saved", true)).build();
        } catch (ApiException e) {
            Page p = providerPage(ctx, id).with("error", refusal(ctx, e));
            @SuppressWarnings("unchecked") Map<String, Object> row = (Map<String, Object>) p.getM().get("p");
            row.put("config", Optional.ofNullable(f.getFirst("config")).orElse(""));
            return Response.status(422).entity(p).build();
        }
    }

    @POST
    @Path("providers/{id}/test")
    public Response testProvider(@Context ContainerRequestContext req, @PathParam("company") String company,
                                 @PathParam("id") String rawId) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        String id = id(ctx, rawId);
        Page p = providerPage(ctx, id);
        Check check = testConnection.apply(ctx.companyId(), id);
        return Response.ok(p.with("check", check)).build();
    }

    @POST
    @Path("providers/{id}/delete")
    public Response deleteProvider(@Context ContainerRequestContext req, @PathParam("company") String company,
                                   @PathParam("id") String rawId) {
        PortalContext ctx = ctx(req, company, Role.EDITOR);
        String id = id(ctx, rawId);
        providerPage(ctx, id);
        try {
            campaigns.deleteProvider(ctx.companyId(), id);
            providerChanged.accept(ctx.companyId(), id);
            return PortalResource.redirect(ctx.base() + "/providers");
        } catch (ApiException e) {
            return Response.status(409).entity(providerPage(ctx, id).with("error", refusal(ctx, e))).build();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (Exception e) {
            return String.valueOf(v);
        }
    }
}
