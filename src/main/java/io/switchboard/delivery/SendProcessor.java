package io.switchboard.delivery;

import io.switchboard.core.devices.PushTokenStore;
import io.switchboard.core.events.EventRecorder;
import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.core.campaigns.RenderModel;
import io.switchboard.core.campaigns.Send;
import io.switchboard.core.campaigns.TemplateEngine;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.db.CampaignDao;
import io.switchboard.db.DeliveryDao;
import io.switchboard.db.ProviderDao;
import io.switchboard.db.SendDao;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one claimed send to its next state: checks (campaign state, consent, address, push token),
 * rate limit, rendering, the provider call, and the outcome with its profile event, written together
 * and only while this worker still holds the lease.
 */
public class SendProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(SendProcessor.class);
    /** A paused campaign's sends wait in the queue and are looked at again after this. */
    static final Duration PAUSED_RECHECK = Duration.ofSeconds(30);

    private final Jdbi jdbi;
    private final TenancyService tenancy;
    private final TemplateEngine templates;
    private final Map<String, ChannelSender> senders;
    private final ProviderSendWindow sendWindow;
    private final Backoff backoff;
    private final int maxAttempts;
    private final EventRecorder events;
    private final PushTokenStore pushTokens;
    private final Unsubscribes unsubscribes;
    private com.codahale.metrics.MetricRegistry metrics;

    /** Meters {@code delivery.sends.<outcome>} and timers {@code delivery.provider.<type>} go here. */
    public SendProcessor withMetrics(com.codahale.metrics.MetricRegistry registry) {
        this.metrics = registry;
        return this;
    }

    public SendProcessor(Jdbi jdbi, TenancyService tenancy, TemplateEngine templates, Map<String, ChannelSender> senders,
                         ProviderSendWindow sendWindow, Backoff backoff, int maxAttempts, EventRecorder events,
                         PushTokenStore pushTokens, Unsubscribes unsubscribes) {
        this.jdbi = jdbi;
        this.tenancy = tenancy;
        this.templates = templates;
        this.senders = senders;
        this.sendWindow = sendWindow;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.events = events;
        this.pushTokens = pushTokens;
        this.unsubscribes = unsubscribes;
    }

    /** A company's public id never changes: read once per company, not once per email (bounded: cleared when full). */
    private final java.util.Map<Long, String> publicIds = new java.util.concurrent.ConcurrentHashMap<>();

    private String publicId(long companyId) {
        String id = publicIds.get(companyId);
        if (id == null) {
            id = tenancy.company(companyId).map(x -> x.publicId()).orElseThrow();
            if (publicIds.size() >= 10_000) publicIds.clear();
            publicIds.put(companyId, id);
        }
        return id;
    }

    public void process(Send s, String worker) {
        long cid = s.companyId();
        Campaign c;
        Provider p;
        String abortReason;
        try (Handle h = jdbi.open()) {
            c = h.attach(CampaignDao.class).find(cid, s.campaignId()).orElse(null);
            if (c == null) {
                abort(s, worker, "campaign_deleted", null);
                return;
            }
            if (Campaign.PAUSED.equals(c.state()) && !isTest(s)) {
                h.attach(SendDao.class).release(cid, s.id(), worker, Instant.now().plus(PAUSED_RECHECK));
                return;
            }
            p = c.providerId() == null ? null : h.attach(ProviderDao.class).find(cid, c.providerId()).orElse(null);
            abortReason = checks(h, s, c, p);
        }
        if (abortReason != null) {
            abort(s, worker, abortReason, p);
            return;
        }
        Optional<Instant> throttledUntil = sendWindow.acquire(p);
        if (throttledUntil.isPresent()) {
            finish(s, worker, p, SendOutcome.THROTTLED, h -> h.attach(SendDao.class)
                    .markThrottled(cid, s.id(), worker, p.id(), throttledUntil.get()),
                    Map.of("retry_at", throttledUntil.get().toString()));
            return;
        }
        String unsubscribeUrl = null;
        if (c.channel() == Channel.EMAIL) {
            String publicId = publicId(cid);
            unsubscribeUrl = jdbi.inTransaction(h -> unsubscribes.createLink(h, publicId, cid, s.profileId(),
                    s.channel(), c.subscription(), c.id(), s.id()));
        }
        Map<String, Object> fields;
        try {
            Map<String, Object> template = c.templateFor(s.locale());
            if (template == null) {
                fail(s, worker, p, "The campaign has no template for locale " + s.locale() + " nor its default locale.", false);
                return;
            }
            fields = templates.render(template, RenderModel.of(s.context(), c, unsubscribeUrl));
        } catch (TemplateEngine.TemplateRenderException e) {
            fail(s, worker, p, "Template rendering failed: " + e.getMessage(), false);
            return;
        }
        ChannelSender sender = senders.get(p.type());
        DeliveryResult result;
        long t0 = System.nanoTime();
        try {
            result = sender.send(new OutgoingMessage(s, c, p, fields, unsubscribeUrl));
        } catch (RuntimeException e) {
            LOG.warn("sender {} threw for send {}/{}", p.type(), cid, s.id(), e);
            result = DeliveryResult.retry("Unexpected error in the " + p.type() + " sender (details in the server log)");
        }
        if (metrics != null) {
            metrics.timer("delivery.provider." + p.type()).update(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        record(s, worker, p, result);
    }

    private static boolean isTest(Send s) {
        return s.context() != null && s.context().get(io.switchboard.core.campaigns.CampaignService.TEST_SEND) != null;
    }

    /** Why a send must not go out, or null. */
    private String checks(Handle h, Send s, Campaign c, Provider p) {
        // a test send (the portal's "Test send", CampaignService#testSend) goes out from a draft or paused campaign
        if (!c.isActive() && !(isTest(s) && !Campaign.ARCHIVED.equals(c.state()))) return "campaign_" + c.state();
        if (p == null) return "no_provider";
        if (!c.channel().acceptsProvider(p.type())) return "provider_channel_mismatch";
        if (!senders.containsKey(p.type())) return "no_sender_for_" + p.type();
        DeliveryDao d = h.attach(DeliveryDao.class);
        if (d.isUnsubscribed(s.companyId(), s.profileId(), s.channel(), c.subscription())) return "unsubscribed";
        // the shared consent store (every dialect's subscribe/unsubscribe): a marketing opt-out of the
        // channel stops marketing sends; transactional campaigns are not held by marketing consent
        if (!"transactional".equals(c.subscription())
                && d.isMarketingUnsubscribed(s.companyId(), s.profileId(), s.channel())) return "unsubscribed";
        if (c.channel() != Channel.WEBHOOK && (s.address() == null || s.address().isBlank())) return "no_address";
        if (c.channel() == Channel.PUSH && pushTokens.isDisabled(h, s.companyId(), s.address())) return "push_token_disabled";
        return null;
    }

    private void record(Send s, String worker, Provider p, DeliveryResult r) {
        long cid = s.companyId();
        if (r instanceof DeliveryResult.Sent sent) {
            finish(s, worker, p, SendOutcome.SENT,
                    h -> h.attach(SendDao.class).markSent(cid, s.id(), worker, p.id(), sent.providerMessageId()),
                    sent.providerMessageId() == null ? Map.of() : Map.of("provider_message_id", sent.providerMessageId()));
        } else if (r instanceof DeliveryResult.Failed f) {
            fail(s, worker, p, f.error(), f.invalidToken());
        } else if (r instanceof DeliveryResult.Retry retry) {
            if (s.attempts() >= maxAttempts) {
                fail(s, worker, p, "Gave up after " + s.attempts() + " attempts; last error: " + retry.error(), false);
                return;
            }
            Instant next = Instant.now().plus(backoff.after(s.attempts(), retry.retryAfter()));
            finish(s, worker, p, SendOutcome.RETRYING, h -> h.attach(SendDao.class)
                    .markRetry(cid, s.id(), worker, p.id(), next, retry.error()),
                    Map.of("error", retry.error(), "retry_at", next.toString()));
        }
    }

    private void fail(Send s, String worker, Provider p, String error, boolean invalidToken) {
        finish(s, worker, p, SendOutcome.FAILED, h -> {
            int n = h.attach(SendDao.class).markFailed(s.companyId(), s.id(), worker, p == null ? null : p.id(), error, invalidToken);
            if (n == 1 && invalidToken) {
                pushTokens.disableInvalidToken(h, s.companyId(), s.profileId(), s.address(), error);
            }
            return n;
        }, invalidToken ? Map.of("error", error, "invalid_token", true) : Map.of("error", error));
    }

    private void abort(Send s, String worker, String reason, Provider p) {
        finish(s, worker, p, SendOutcome.ABORTED,
                h -> h.attach(SendDao.class).markAborted(s.companyId(), s.id(), worker, reason), Map.of("reason", reason));
    }

    enum SendOutcome {
        SENT("sent"), FAILED("failed"), ABORTED("aborted"), THROTTLED("throttled"), RETRYING("retrying");
        final String suffix;

        SendOutcome(String suffix) { this.suffix = suffix; }
    }

    /** Writes the state change and its profile event in one transaction, if this worker still holds the lease. */
    private void finish(Send s, String worker, Provider p, SendOutcome outcome,
                        org.jdbi.v3.core.HandleCallback<Integer, RuntimeException> update, Map<String, Object> extra) {
        // retried on deadlock/serialization failure (Tx): the event write updates the profile's
        // last_event_at, which concurrent identity work on the same profile also locks; a failed record
        // must not turn a delivered send into a retry (a second delivery)
        boolean applied = new io.switchboard.core.Tx(jdbi).run(h -> {
            if (update.withHandle(h) != 1) {
                h.rollback();
                return false;
            }
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("campaign_id", s.campaignId());
            props.put("send_id", s.id());
            props.put("channel", s.channel());
            if (p != null) props.put("provider_type", p.type());
            props.put("attempt", s.attempts());
            props.putAll(extra);
            events.record(h, s.companyId(), s.profileId(), s.id(), s.channel() + "_" + outcome.suffix, props);
            return true;
        });
        if (applied && metrics != null) {
            metrics.meter("delivery.sends." + outcome.suffix).mark();
        }
        if (!applied) {
            LOG.warn("send {}/{}: lease lost before recording {}; another worker owns it now", s.companyId(), s.id(), outcome.suffix);
        }
    }
}
