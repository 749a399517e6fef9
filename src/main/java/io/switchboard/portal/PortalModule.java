package io.switchboard.portal;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.views.common.ViewMessageBodyWriter;
import io.dropwizard.views.freemarker.FreemarkerViewRenderer;
import io.switchboard.core.events.Activity;
import io.switchboard.core.members.MemberService;
import io.switchboard.core.members.Role;
import io.switchboard.core.tenancy.TenancyService;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Wires the portal (docs/portal.md) into the server: views, the cookie/CSRF/header filter, the pages.
 * Pages use core services only.
 */
public final class PortalModule {
    private final MemberService members;
    private final PortalResource links;

    private final io.switchboard.core.campaigns.CampaignService campaigns;

    private PortalModule(MemberService members, PortalResource links, io.switchboard.core.campaigns.CampaignService campaigns) {
        this.members = members;
        this.links = links;
        this.campaigns = campaigns;
    }

    public static PortalModule register(Environment env, PortalConfig cfg, Jdbi jdbi, TenancyService tenancy,
                                        io.switchboard.core.identity.IdentityService identity,
                                        io.switchboard.core.events.EventReads eventReads, Runnable keysChanged) {
        MemberService members = new MemberService(jdbi, cfg.sessionTtl.toJavaDuration(),
                cfg.invitationTtl.toJavaDuration(), cfg.resetTtl.toJavaDuration());
        Cookies cookies = new Cookies(cfg.secureCookies);
        SystemMail mail = new SystemMail(cfg.systemMail);
        FreemarkerViewRenderer renderer = new FreemarkerViewRenderer(freemarker.template.Configuration.VERSION_2_3_34);
        renderer.configure(java.util.Map.of("template_exception_handler", "rethrow", "log_template_exceptions", "true"));
        env.jersey().register(new ViewMessageBodyWriter(env.metrics(), List.of(renderer)));
        env.jersey().register(new PortalFilter(members, cookies));
        env.jersey().register(new PortalException.Mapper());
        PortalResource links = new PortalResource(members, cookies, mail, cfg.publicBaseUrl,
                cfg.sessionTtl.toSeconds());
        env.jersey().register(links);
        env.jersey().register(new Assets());
        Activity activity = new Activity(jdbi);
        env.jersey().register(new CompanyPages(members, tenancy, mail, links, keysChanged, new PortalData(activity)));
        // the same use cases the admin API's campaign resources use (sandboxed templates, provider rules)
        io.switchboard.core.campaigns.CampaignService campaigns = new io.switchboard.core.campaigns.CampaignService(jdbi,
                new io.switchboard.core.campaigns.TemplateEngine(), identity::get);
        env.jersey().register(new ProfilePages(members, new io.switchboard.core.identity.ProfileSearch(jdbi), identity,
                eventReads, activity, campaigns));
        return new PortalModule(members, links, campaigns);
    }

    /**
     * The campaign and provider pages, once the delivery module exists: its "test connection" and its
     * provider-cache invalidation.
     */
    public void useDelivery(Environment env, java.util.function.BiFunction<Long, String, CampaignPages.Check> testConnection,
                             java.util.function.BiConsumer<Long, String> providerChanged) {
        env.jersey().register(new CampaignPages(members, campaigns, testConnection, providerChanged));
    }

    public MemberService members() {
        return members;
    }

    /** A one-time link that makes whoever opens it the company's first owner (admin API, CLI, first start). */
    public String ownerInvitationUrl(long companyId) {
        return links.invitationUrl(members.invite(companyId, null, Role.OWNER, null));
    }

    /** The same without a running server (the {@code company create} CLI). */
    public static String ownerInvitationUrl(MemberService members, String publicBaseUrl, long companyId) {
        String base = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        return base + "/portal/invitations/" + members.invite(companyId, null, Role.OWNER, null);
    }
}
