package io.switchboard.portal;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.views.common.ViewMessageBodyWriter;
import io.dropwizard.views.freemarker.FreemarkerViewRenderer;
import io.switchboard.core.events.Activity;
import io.switchboard.core.members.MemberService;
import io.switchboard.core.members.Role;
import io.switchboard.core.tenancy.TenancyService;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Builds the portal (docs/portal.md): views, the cookie/CSRF/header filter, the pages. It registers
 * nothing: the wiring root ({@code SwitchboardApplication.run}) registers {@link #jerseyComponents()} and,
 * once delivery exists, {@link #campaignPages}. Pages use core services only.
 */
public final class PortalModule {
    private final MemberService members;
    private final PortalResource links;
    private final List<Object> components;

    private final io.switchboard.core.campaigns.CampaignService campaigns;

    private PortalModule(MemberService members, PortalResource links, io.switchboard.core.campaigns.CampaignService campaigns,
                         List<Object> components) {
        this.members = members;
        this.links = links;
        this.campaigns = campaigns;
        this.components = components;
    }

    /** The view writer, filter, exception mapper and pages, in registration order. */
    public List<Object> jerseyComponents() {
        return components;
    }

    public static PortalModule build(MetricRegistry metrics, PortalConfig cfg, Jdbi jdbi, TenancyService tenancy,
                                        io.switchboard.core.identity.IdentityService identity,
                                        io.switchboard.core.events.EventReads eventReads, Runnable keysChanged) {
        MemberService members = new MemberService(jdbi, cfg.sessionTtl.toJavaDuration(),
                cfg.invitationTtl.toJavaDuration(), cfg.resetTtl.toJavaDuration());
        Cookies cookies = new Cookies(cfg.secureCookies);
        SystemMail mail = new SystemMail(cfg.systemMail);
        FreemarkerViewRenderer renderer = new FreemarkerViewRenderer(freemarker.template.Configuration.VERSION_2_3_34);
        renderer.configure(java.util.Map.of("template_exception_handler", "rethrow", "log_template_exceptions", "true"));
        PortalResource links = new PortalResource(members, cookies, mail, cfg.publicBaseUrl,
                cfg.sessionTtl.toSeconds());
        Activity activity = new Activity(jdbi);
        // the same use cases the admin API's campaign resources use (sandboxed templates, provider rules)
        io.switchboard.core.campaigns.CampaignService campaigns = new io.switchboard.core.campaigns.CampaignService(jdbi,
                new io.switchboard.core.campaigns.TemplateEngine(), identity::get);
        List<Object> components = List.of(
                new ViewMessageBodyWriter(metrics, List.of(renderer)),
                new PortalFilter(members, cookies),
                new PortalException.Mapper(),
                links,
                new Assets(),
                new CompanyPages(members, tenancy, mail, links, keysChanged, new PortalData(activity)),
                new ProfilePages(members, new io.switchboard.core.identity.ProfileSearch(jdbi), identity,
                        eventReads, activity, campaigns));
        return new PortalModule(members, links, campaigns, components);
    }

    /**
     * The campaign and provider pages, once the delivery module exists: its "test connection" and its
     * provider-cache invalidation.
     */
    public CampaignPages campaignPages(java.util.function.BiFunction<Long, String, CampaignPages.Check> testConnection,
                                       java.util.function.BiConsumer<Long, String> providerChanged) {
        return new CampaignPages(members, campaigns, testConnection, providerChanged);
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
