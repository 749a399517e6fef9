package io.switchboard.core.campaigns;

import io.switchboard.core.Tx;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.identity.Normalizer;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ResolvedProfile;
import io.switchboard.core.identity.WriteContext;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.db.CampaignDao;
import io.switchboard.db.ProviderDao;
import io.switchboard.db.SendDao;
import io.switchboard.core.events.EventRecorder;
import io.switchboard.core.devices.PushTokenStore;
import io.switchboard.errors.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code POST /api/client/campaigns/{id}/trigger} (seed 003, campaigns.md "Trigger"). In one
 * transaction: resolve/upsert the profile through the shared {@link IdentityService}, register a
 * {@code device_token} as a push token ({@link PushTokenStore}), record a {@code campaign_trigger} event
 * ({@link EventRecorder}) and enqueue one pending send. Rejections write nothing.
 */
public class TriggerService {
    private static final Pattern APNS_TOKEN = Pattern.compile("^[0-9a-fA-F]{64,200}$");
    private static final Pattern PUSH_TOKEN = Pattern.compile("^[A-Za-z0-9:_\\-.]{8,4096}$");

    private final Tx tx;
    private final IdentityService identity;
    private final LongFunction<CompanySettings> settings;
    private final EventRecorder events;
    private final PushTokenStore pushTokens;

    public TriggerService(Tx tx, IdentityService identity, LongFunction<CompanySettings> settings, EventRecorder events,
                          PushTokenStore pushTokens) {
        this.tx = tx;
        this.identity = identity;
        this.settings = settings;
        this.events = events;
        this.pushTokens = pushTokens;
    }

    /** Whether the trigger enqueued a send (false: an earlier trigger with the same idempotency key did). */
    public record Outcome(boolean enqueued, String sendId, String profileId) {}

    /** The idempotency key was used concurrently: the whole unit rolls back and answers as a repeat. */
    private static final class AlreadyTriggered extends RuntimeException {
        AlreadyTriggered() {
            super(null, null, false, false);
        }
    }

    /**
     * Triggers campaign {@code cmd.campaignId()} for the person the command names, in one transaction.
     * Wire-level checks belong to the dialect; what needs the campaign, its provider or the company's
     * settings (the address its channel needs, the push token format, normalisation) is checked here and
     * rejected with {@link Rejected}, naming the field.
     */
    public Outcome trigger(long companyId, WriteContext ctx, TriggerCommand cmd) {
        return trigger(companyId, ctx, cmd.campaignId(), () -> cmd);
    }

    /**
     * As {@link #trigger(long, WriteContext, TriggerCommand)}, the dialect's reading of the body deferred
     * until the campaign is known: an unknown or inactive campaign is a 404 whatever the body (the
     * order clients of Parcelvoy see). {@code command} runs inside the transaction, before any write.
     */
    public Outcome trigger(long companyId, WriteContext ctx, String campaignIdRaw, Supplier<TriggerCommand> command) {
        String campaignId = parseId(campaignIdRaw);
        try {
            return tx.run(h -> {
                Campaign c = h.attach(CampaignDao.class).findForShare(companyId, campaignId)
                        .filter(Campaign::isActive)
                        .orElseThrow(() -> ApiException.notFound("Campaign " + campaignIdRaw + " was not found or is not active."));
                TriggerCommand cmd = command.get();
                // validation that needs the campaign's channel; nothing has been written yet
                TriggerUser u = validateUser(companyId, c, h, cmd);
                String key = cmd.idempotencyKey();
                if (key != null && h.attach(SendDao.class).keyExists(companyId, campaignId, key)) {
                    return new Outcome(false, null, null);
                }
                ResolvedProfile resolved = identity.resolve(h, companyId,
                        Identifiers.of(u.externalId, u.email, u.phone, null), cmd.write(), WriteMode.NORMAL, ctx);
                Profile profile = identity.require(h, companyId, resolved.profileId());
                String address = switch (c.channel()) {
                    case EMAIL -> u.email != null ? u.email : profile.email();
                    case SMS -> u.phone != null ? u.phone : profile.phoneNumber();
                    case PUSH -> u.deviceToken;
                    case WEBHOOK -> null;
                };
                if (address == null && c.channel() != Channel.WEBHOOK) {
                    throw missingAddress(c.channel());
                }
                if (u.deviceToken != null) {
                    pushTokens.register(h, companyId, profile.id(), u.deviceToken);
                }
                Map<String, Object> eventMap = cmd.event() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(cmd.event());
                Map<String, Object> triggerEvent = new LinkedHashMap<>(eventMap);
                triggerEvent.put("campaign", Map.of("id", c.id(), "name", c.name()));
                events.record(h, companyId, profile.id(), null, "campaign_trigger", triggerEvent);
                Map<String, Object> context = new LinkedHashMap<>();
                context.put("user", RenderModel.user(profile, u.externalId, cmd.locale(), cmd.timezone()));
                context.put("event", eventMap);
                String locale = cmd.locale() != null ? cmd.locale() : profile.attributes().path("locale").asText(null);
                String sendId = h.attach(SendDao.class).insert(companyId, io.switchboard.db.Ids.newId(), campaignId, profile.id(), c.channel().wire(),
                        address, locale, context, key, c.providerId()).orElseThrow(AlreadyTriggered::new);
                return new Outcome(true, sendId, profile.id());
            });
        } catch (AlreadyTriggered e) {
            return new Outcome(false, null, null);
        }
    }

    private static String parseId(String raw) {
        if (io.switchboard.db.Ids.plausible(raw)) return raw;
        throw ApiException.notFound("Campaign " + raw + " was not found or is not active.");
    }

    /** The trigger user as checked against the company's settings and the campaign. */
    private static final class TriggerUser {
        String externalId;
        String email;
        String phone;
        String deviceToken;
    }

    private TriggerUser validateUser(long companyId, Campaign c, org.jdbi.v3.core.Handle h, TriggerCommand cmd) {
        CompanySettings s = settings.apply(companyId);
        TriggerUser u = new TriggerUser();
        u.externalId = Normalizer.plainId(cmd.externalId(), s)
                .orElseThrow(() -> new Rejected(TriggerCommand.Field.EXTERNAL_ID, Rejected.Reason.INVALID));
        if (cmd.email() != null && !Normalizer.isJunk(cmd.email(), s)) {
            u.email = Normalizer.email(cmd.email())
                    .orElseThrow(() -> new Rejected(TriggerCommand.Field.EMAIL, Rejected.Reason.INVALID));
        }
        if (cmd.phone() != null && !Normalizer.isJunk(cmd.phone(), s)) {
            u.phone = Normalizer.phone(cmd.phone(), s)
                    .orElseThrow(() -> new Rejected(TriggerCommand.Field.PHONE, Rejected.Reason.INVALID));
        }
        String token = cmd.deviceToken();
        if (token != null && !token.isBlank()) {
            token = token.trim();
            String providerType = c.providerId() == null ? null
                    : h.attach(ProviderDao.class).find(companyId, c.providerId()).map(Provider::type).orElse(null);
            boolean apns = "apns".equals(providerType);
            if (!(apns ? APNS_TOKEN : PUSH_TOKEN).matcher(token).matches()) {
                throw new Rejected(TriggerCommand.Field.DEVICE_TOKEN,
                        apns ? Rejected.Reason.INVALID_APNS_TOKEN : Rejected.Reason.INVALID);
            }
            u.deviceToken = token;
        }
        switch (c.channel()) {
            case EMAIL -> { if (cmd.email() == null) throw missingAddress(Channel.EMAIL); }
            case SMS -> { if (cmd.phone() == null) throw missingAddress(Channel.SMS); }
            case PUSH -> { if (u.deviceToken == null) throw missingAddress(Channel.PUSH); }
            case WEBHOOK -> { }
        }
        return u;
    }

    /** A trigger the campaign or the company's rules refuse; the dialect words it and names its field. */
    public static final class Rejected extends RuntimeException {
        public enum Reason { MISSING, INVALID, INVALID_APNS_TOKEN }

        private final TriggerCommand.Field field;
        private final Reason reason;
        private final Channel channel;

        Rejected(TriggerCommand.Field field, Reason reason) {
            this(field, reason, null);
        }

        Rejected(TriggerCommand.Field field, Reason reason, Channel channel) {
            super(field + " " + reason, null, false, false);
            this.field = field;
            this.reason = reason;
            this.channel = channel;
        }

        public TriggerCommand.Field field() { return field; }
        public Reason reason() { return reason; }
        /** For {@link Reason#MISSING}: the campaign's channel that needs the field. */
        public Channel channel() { return channel; }
    }

    private static Rejected missingAddress(Channel ch) {
        TriggerCommand.Field field = switch (ch) {
            case EMAIL -> TriggerCommand.Field.EMAIL;
            case SMS -> TriggerCommand.Field.PHONE;
            case PUSH -> TriggerCommand.Field.DEVICE_TOKEN;
            case WEBHOOK -> TriggerCommand.Field.EXTERNAL_ID;
        };
        return new Rejected(field, Rejected.Reason.MISSING, ch);
    }
}
