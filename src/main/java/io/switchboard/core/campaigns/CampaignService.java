package io.switchboard.core.campaigns;

import io.switchboard.core.Tx;
import io.switchboard.db.CampaignDao;
import io.switchboard.db.ProviderDao;
import io.switchboard.db.SendDao;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Providers, campaigns and templates of a company (the admin API's domain side), and template preview. */
public class CampaignService {
    private static final Set<String> STATES = Set.of(Campaign.DRAFT, Campaign.ACTIVE, Campaign.PAUSED, Campaign.ARCHIVED);
    private static final Set<String> SUBSCRIPTIONS = Set.of("marketing", "transactional");
    private static final String A = "/data/attributes/";

    private final Jdbi jdbi;
    /** Every write under the one retry policy ({@link Tx}). */
    private final Tx tx;
    private final TemplateEngine templates;
    private final java.util.function.BiFunction<Long, String, io.switchboard.core.identity.Profile> profiles;

    /** {@code profiles} looks a live profile up by company and id (404 otherwise), for previews. */
    public CampaignService(Jdbi jdbi, TemplateEngine templates,
                           java.util.function.BiFunction<Long, String, io.switchboard.core.identity.Profile> profiles) {
        this.jdbi = jdbi;
        this.tx = new Tx(jdbi);
        this.templates = templates;
        this.profiles = profiles;
    }

    public TemplateEngine templates() { return templates; }

    // ---------------------------------------------------------------- providers

    public Provider createProvider(long companyId, String type, String name, Map<String, Object> config,
                                   Integer rateLimit, String rateInterval) {
        if (type == null || !ProviderTypes.TYPES.contains(type)) {
            throw ApiException.invalid(A + "type", "`type` must be one of smtp, twilio, fcm, apns, webhook, log.");
        }
        String n = name(name);
        Map<String, Object> c = config == null ? Map.of() : config;
        ProviderTypes.validate(type, c);
        validateRate(rateLimit, rateInterval);
        return jdbi.withExtension(ProviderDao.class, d -> d.insert(companyId, io.switchboard.db.Ids.newId(), type, n, c, rateLimit,
                rateLimit == null ? null : rateInterval == null ? "second" : rateInterval));
    }

    public Provider updateProvider(long companyId, String id, String name, Map<String, Object> config,
                                   Integer rateLimit, String rateInterval, boolean clearRateLimit) {
        return tx.run(h -> {
            ProviderDao d = h.attach(ProviderDao.class);
            Provider p = d.find(companyId, id).orElseThrow(() -> ApiException.notFound("No provider " + id + "."));
            String n = name == null ? p.name() : name(name);
            Map<String, Object> c = config == null ? p.config() : ProviderTypes.merge(p.type(), p.config(), config);
            ProviderTypes.validate(p.type(), c);
            if (config != null) ProviderTypes.requireSecretsOnRetarget(p.type(), p.config(), config, c);
            Integer rl = clearRateLimit ? null : rateLimit != null ? rateLimit : p.rateLimit();
            String ri = rl == null ? null : rateInterval != null ? rateInterval : p.rateInterval() != null ? p.rateInterval() : "second";
            validateRate(rl, ri);
            return d.update(companyId, id, n, c, rl, ri).orElseThrow();
        });
    }

    public Provider provider(long companyId, String id) {
        return jdbi.withExtension(ProviderDao.class, d -> d.find(companyId, id))
                .orElseThrow(() -> ApiException.notFound("No provider " + id + "."));
    }

    public List<Provider> providers(long companyId) {
        return jdbi.withExtension(ProviderDao.class, d -> d.list(companyId));
    }

    public void deleteProvider(long companyId, String id) {
        tx.use(h -> {
            ProviderDao d = h.attach(ProviderDao.class);
            d.find(companyId, id).orElseThrow(() -> ApiException.notFound("No provider " + id + "."));
            long used = d.campaignsUsing(companyId, id);
            if (used > 0) {
                throw new ApiException(ErrorKind.CONFLICT, "Provider " + id + " is used by " + used
                        + " campaign(s); point them at another provider first.");
            }
            d.delete(companyId, id);
        });
    }

    private static void validateRate(Integer limit, String interval) {
        if (limit != null && (limit < 1 || limit > 1_000_000)) {
            throw ApiException.invalid(A + "rate_limit", "`rate_limit` must be a positive integer (sends per rate_interval).");
        }
        if (interval != null && !interval.equals("second") && !interval.equals("minute")) {
            throw ApiException.invalid(A + "rate_interval", "`rate_interval` must be \"second\" or \"minute\".");
        }
    }

    private static String name(String name) {
        String n = name == null ? "" : name.trim();
        if (n.isEmpty() || n.length() > 200) {
            throw ApiException.invalid(A + "name", "`name` is required: a non-empty string of at most 200 characters.");
        }
        return n;
    }

    // ---------------------------------------------------------------- campaigns

    /** What a create or update request asks for; null fields are left unchanged on update. */
    public record CampaignInput(String name, String channel, String providerId, String state, String subscription,
                                String defaultLocale, Map<String, Map<String, Object>> templates) {}

    public Campaign createCampaign(long companyId, CampaignInput in) {
        Channel channel = Channel.parse(in.channel()).orElseThrow(() -> ApiException.invalid(A + "channel",
                "`channel` must be one of email, sms, push, webhook."));
        String n = name(in.name());
        return tx.run(h -> {
            CampaignDao d = h.attach(CampaignDao.class);
            String providerId = providerFor(h, companyId, channel, in.providerId());
            String state = in.state() == null ? Campaign.DRAFT : state(in.state());
            String sub = in.subscription() == null ? "marketing" : subscription(in.subscription());
            String locale = in.defaultLocale() == null ? "en" : locale(in.defaultLocale(), A + "default_locale");
            String id = io.switchboard.db.Ids.newId();
            d.insert(companyId, id, n, channel.wire(), providerId, state, sub, locale);
            saveTemplates(d, companyId, id, channel, in.templates());
            Campaign c = d.find(companyId, id).orElseThrow();
            checkActivatable(c);
            return c;
        });
    }

    public Campaign updateCampaign(long companyId, String id, CampaignInput in) {
        return tx.run(h -> {
            CampaignDao d = h.attach(CampaignDao.class);
            Campaign c = d.find(companyId, id).orElseThrow(() -> ApiException.notFound("No campaign " + id + "."));
            if (in.channel() != null && !in.channel().equals(c.channel().wire())) {
                throw ApiException.invalid(A + "channel", "A campaign's `channel` cannot change; create a new campaign.");
            }
            String n = in.name() == null ? c.name() : name(in.name());
            String providerId = in.providerId() == null ? c.providerId() : providerFor(h, companyId, c.channel(), in.providerId());
            String state = in.state() == null ? c.state() : state(in.state());
            String sub = in.subscription() == null ? c.subscription() : subscription(in.subscription());
            String locale = in.defaultLocale() == null ? c.defaultLocale() : locale(in.defaultLocale(), A + "default_locale");
            d.update(companyId, id, n, providerId, state, sub, locale);
            saveTemplates(d, companyId, id, c.channel(), in.templates());
            Campaign updated = d.find(companyId, id).orElseThrow();
            checkActivatable(updated);
            return updated;
        });
    }

    public Campaign campaign(long companyId, String id) {
        return jdbi.withExtension(CampaignDao.class, d -> d.find(companyId, id))
                .orElseThrow(() -> ApiException.notFound("No campaign " + id + "."));
    }

    public List<Campaign> campaigns(long companyId) {
        return jdbi.withExtension(CampaignDao.class, d -> d.list(companyId));
    }

    public void deleteCampaign(long companyId, String id) {
        tx.use(h -> {
            CampaignDao d = h.attach(CampaignDao.class);
            d.find(companyId, id).orElseThrow(() -> ApiException.notFound("No campaign " + id + "."));
            if (d.sendCount(companyId, id) > 0) {
                throw new ApiException(ErrorKind.CONFLICT, "Campaign " + id
                        + " has sends; archive it instead (`state`: \"archived\") to keep its history.");
            }
            d.delete(companyId, id);
        });
    }

    private String providerFor(Handle h, long companyId, Channel channel, String providerId) {
        if (providerId == null || providerId.isBlank()) return null;
        String pid = providerId.trim();
        if (!io.switchboard.db.Ids.plausible(pid)) {
            throw ApiException.invalid(A + "provider_id", "`provider_id` must be the id of one of this company's providers.");
        }
        Provider p = h.attach(ProviderDao.class).find(companyId, pid).orElseThrow(() -> ApiException.invalid(
                A + "provider_id", "No provider " + providerId + " in this company."));
        if (!channel.acceptsProvider(p.type())) {
            throw ApiException.invalid(A + "provider_id", "A " + channel.wire() + " campaign needs a provider of type "
                    + String.join(" or ", channel.providerTypes()) + "; provider " + pid + " is " + p.type() + ".");
        }
        return pid;
    }

    private void saveTemplates(CampaignDao d, long companyId, String campaignId, Channel channel,
                               Map<String, Map<String, Object>> in) {
        if (in == null) return;
        for (var e : in.entrySet()) {
            String locale = locale(e.getKey(), A + "templates");
            if (e.getValue() == null) {
                d.deleteTemplate(companyId, campaignId, locale);
                continue;
            }
            templates.validate(channel, locale, e.getValue(), A + "templates");
            d.upsertTemplate(companyId, campaignId, locale, e.getValue());
        }
    }

    /** An active campaign must be sendable: a provider and a template for its default locale with the essentials. */
    private static void checkActivatable(Campaign c) {
        if (!c.isActive()) return;
        if (c.providerId() == null) {
            throw ApiException.invalid(A + "provider_id", "An active campaign needs `provider_id`.");
        }
        Map<String, Object> t = c.templates().get(c.defaultLocale());
        if (t == null) {
            throw ApiException.invalid(A + "templates", "An active campaign needs a template for its default locale `"
                    + c.defaultLocale() + "`.");
        }
        List<String> required = switch (c.channel()) {
            case EMAIL -> List.of("subject");
            case SMS -> List.of("text");
            case PUSH -> List.of("body");
            case WEBHOOK -> List.of();
        };
        for (String f : required) {
            if (!(t.get(f) instanceof String s) || s.isBlank()) {
                throw ApiException.invalid(A + "templates/" + c.defaultLocale() + "/" + f,
                        "An active " + c.channel().wire() + " campaign's default template needs `" + f + "`.");
            }
        }
        if (c.channel() == Channel.EMAIL && t.get("html") == null && t.get("text") == null) {
            throw ApiException.invalid(A + "templates/" + c.defaultLocale() + "/html",
                    "An active email campaign's default template needs `html` or `text`.");
        }
    }

    private static String state(String s) {
        if (!STATES.contains(s)) {
            throw ApiException.invalid(A + "state", "`state` must be one of draft, active, paused, archived.");
        }
        return s;
    }

    private static String subscription(String s) {
        if (!SUBSCRIPTIONS.contains(s)) {
            throw ApiException.invalid(A + "subscription", "`subscription` must be \"marketing\" or \"transactional\".");
        }
        return s;
    }

    static String locale(String s, String pointer) {
        if (s == null || !s.matches("[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")) {
            throw ApiException.invalid(pointer, "Locale `" + s + "` is not a language tag such as en or pt-BR.");
        }
        return s.replace('_', '-');
    }

    // ---------------------------------------------------------------- preview

    /**
     * Renders a campaign's template for the given locale (or its default) against {@code event} and a
     * user: the stored profile {@code profileId} as a send would see it, with the keys of {@code user}
     * laid over it (or {@code user} alone), exactly as the delivery workers would.
     */
    public Map<String, Object> preview(long companyId, String campaignId, String locale, String profileId,
                                       Map<String, Object> user, Map<String, Object> event) {
        Campaign c = campaign(companyId, campaignId);
        if (profileId != null && !profileId.isBlank()) {
            var p = profiles.apply(companyId, profileId);
            Map<String, Object> merged = new LinkedHashMap<>(RenderModel.user(p, null, null, null));
            if (user != null) merged.putAll(user);
            user = merged;
            if (locale == null) locale = (String) merged.get("locale");
        }
        Map<String, Object> t = c.templateFor(locale);
        if (t == null) {
            throw ApiException.invalid(A + "locale", "Campaign " + campaignId + " has no template for `" + locale
                    + "` nor for its default locale `" + c.defaultLocale() + "`.");
        }
        Map<String, Object> model = RenderModel.of(Map.of("user", user == null ? Map.of() : user,
                "event", event == null ? Map.of() : event), c, "https://example.invalid/u/preview");
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("locale", c.templateLocaleFor(locale));
            out.put("rendered", templates.render(t, model));
            return out;
        } catch (TemplateEngine.TemplateRenderException e) {
            throw new ApiException(ErrorKind.UNPROCESSABLE, "The template failed to render: " + e.getMessage());
        }
    }

    /** A campaign's sends, newest first. */
    public List<Send> sends(long companyId, String campaignId, String state, String before, int limit) {
        campaign(companyId, campaignId);
        if (state != null && !SendState.ALL.contains(state)) {
            throw ApiException.invalidParameter("filter[state]", "`state` must be one of " + String.join(", ", SendState.ALL) + ".");
        }
        return jdbi.withExtension(SendDao.class, d -> d.list(companyId, campaignId, before,
                state == null ? "" : "AND state = :state", state, limit));
    }

    // ---------------------------------------------------------------- portal use cases

    /**
     * Renders a template that is not saved yet (the portal's live preview) as the delivery workers would:
     * validated by the sandbox first, then rendered against the stored profile {@code profileId} (or an
     * empty user). The campaign gives channel, name and id.
     */
    public Map<String, Object> previewDraft(long companyId, String campaignId, String locale,
                                            Map<String, Object> template, String profileId) {
        Campaign c = campaign(companyId, campaignId);
        String l = locale == null || locale.isBlank() ? c.defaultLocale() : locale(locale, A + "locale");
        templates.validate(c.channel(), l, template, A + "templates");
        Map<String, Object> user = Map.of();
        if (profileId != null && !profileId.isBlank()) {
            user = RenderModel.user(profiles.apply(companyId, profileId.trim()), null, null, null);
        }
        Map<String, Object> model = RenderModel.of(Map.of("user", user, "event", Map.of()), c,
                "https://example.invalid/u/preview");
        try {
            return templates.render(template, model);
        } catch (TemplateEngine.TemplateRenderException e) {
            throw new ApiException(ErrorKind.UNPROCESSABLE, "The template failed to render: " + e.getMessage());
        }
    }

    /** The context key that marks a test send (never written by the trigger API, whose context is user + event). */
    public static final String TEST_SEND = "test_send";

    /**
     * Queues a test send of a campaign (any state but archived) to the profile {@code profileId}, at
     * {@code address} or the profile's own address for the channel. The delivery workers send it like
     * any other (sandboxed rendering, provider, consent), except that the campaign need not be active.
     */
    public Send testSend(long companyId, String campaignId, String profileId, String address, String requestedBy) {
        Campaign c = campaign(companyId, campaignId);
        if (Campaign.ARCHIVED.equals(c.state())) {
            throw ApiException.invalid(A + "state", "An archived campaign cannot send; set it back to draft first.");
        }
        if (c.providerId() == null) {
            throw ApiException.invalid(A + "provider_id", "Choose a provider for this campaign before a test send.");
        }
        if (profileId == null || profileId.isBlank()) {
            throw ApiException.invalid(A + "profile_id", "Choose the profile the test send renders for.");
        }
        var p = profiles.apply(companyId, profileId.trim());
        String to = address == null || address.isBlank() ? switch (c.channel()) {
            case EMAIL -> p.email();
            case SMS -> p.phoneNumber();
            default -> null;
        } : address.trim();
        if (c.channel() == Channel.EMAIL && to != null
                && !io.switchboard.core.identity.Normalizer.email(to).isPresent()) {
            throw ApiException.invalid(A + "address", "`" + to + "` is not an email address.");
        }
        if (to == null && c.channel() != Channel.WEBHOOK) {
            throw ApiException.invalid(A + "address", "Give an address: the profile has none for " + c.channel().wire() + ".");
        }
        if (to != null && to.length() > 320) throw ApiException.invalid(A + "address", "The address is too long.");
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("user", RenderModel.user(p, null, null, null));
        context.put("event", Map.of());
        context.put(TEST_SEND, requestedBy == null ? true : requestedBy);
        String locale = p.attributes().path("locale").asText(null);
        return jdbi.withExtension(SendDao.class, d -> {
            String id = d.insert(companyId, io.switchboard.db.Ids.newId(), campaignId, p.id(), c.channel().wire(), to,
                    locale, context, null, c.providerId()).orElseThrow();
            return d.find(companyId, id).orElseThrow();
        });
    }

    /** The newest sends to a profile and the profiles merged into it (the portal's profile page). */
    public List<Send> sendsOfProfile(long companyId, java.util.Collection<String> profileIds, int limit) {
        if (profileIds.isEmpty()) return List.of();
        return jdbi.withExtension(SendDao.class, d -> d.listByProfiles(companyId, List.copyOf(profileIds), limit));
    }
}
