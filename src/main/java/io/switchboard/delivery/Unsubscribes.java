package io.switchboard.delivery;

import io.switchboard.core.Tx;
import io.switchboard.core.events.EventRecorder;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.db.DeliveryDao;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Unsubscribe links and opt-outs. A token is the company's 6-character public id followed by 32 random
 * base62 characters: {@code GET /u/{token}} finds the company from the prefix and then the token within
 * that company. Using a link records the profile's opt-out of the link's channel for the sending
 * campaign's subscription kind (marketing / transactional); the worker aborts later sends to it.
 */
public class Unsubscribes {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    /** Every write under the one retry policy ({@link Tx}). */
    private final Tx tx;
    private final TenancyService tenancy;
    private final EventRecorder events;
    private final String publicBaseUrl;

    public Unsubscribes(Jdbi jdbi, TenancyService tenancy, EventRecorder events, String publicBaseUrl) {
        this.jdbi = jdbi;
        this.tx = new Tx(jdbi);
        this.tenancy = tenancy;
        this.events = events;
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
    }

    /** Creates the link for one send (idempotent per token; a retried send gets a fresh, equally valid link). */
    public String createLink(Handle h, String companyPublicId, long companyId, String profileId, String channel,
                             String subscription, String campaignId, String sendId) {
        StringBuilder sb = new StringBuilder(companyPublicId);
        for (int i = 0; i < 32; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        String token = sb.toString();
        h.attach(DeliveryDao.class).insertUnsubscribeToken(companyId, token, profileId, channel, subscription, campaignId, sendId);
        return publicBaseUrl + "/u/" + token;
    }

    public record Result(String channel, boolean newlyUnsubscribed) {}

    /** Applies a link: empty when the token is unknown. Repeated use is harmless. */
    public Optional<Result> use(String token) {
        if (token == null || token.length() != 38 || !token.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
            return Optional.empty();
        }
        Optional<Company> company = tenancy.companyByPublicId(token.substring(0, 6));
        if (company.isEmpty()) return Optional.empty();
        long companyId = company.get().id();
        return tx.run(h -> {
            DeliveryDao d = h.attach(DeliveryDao.class);
            var t = d.useUnsubscribeToken(companyId, token);
            if (t.isEmpty()) return Optional.empty();
            var u = t.get();
            boolean fresh = d.unsubscribe(companyId, u.profileId(), u.channel(), u.subscription(), "link").isPresent();
            if (fresh) {
                events.record(h, companyId, u.profileId(), u.sendId(), "unsubscribed", Map.of("channel", u.channel(),
                        "subscription", u.subscription(), "source", "link",
                        "campaign_id", u.campaignId() == null ? "" : u.campaignId()));
            }
            return Optional.of(new Result(u.channel(), fresh));
        });
    }

    /** A profile's opt-outs, for the admin API. */
    public java.util.List<DeliveryDao.ChannelUnsubscribe> list(long companyId, String profileId) {
        return jdbi.withExtension(DeliveryDao.class, d -> d.unsubscribes(companyId, profileId));
    }

    /** Records an opt-out on an operator's behalf; false when it was already there. */
    public boolean unsubscribe(long companyId, String profileId, String channel, String subscription) {
        return tx.run(h -> {
            boolean fresh = h.attach(DeliveryDao.class).unsubscribe(companyId, profileId, channel, subscription, "admin").isPresent();
            if (fresh) {
                events.record(h, companyId, profileId, null, "unsubscribed",
                        Map.of("channel", channel, "subscription", subscription, "source", "admin"));
            }
            return fresh;
        });
    }

    /** Lifts an opt-out (e.g. one a link scanner clicked); false when there was none. */
    public boolean resubscribe(long companyId, String profileId, String channel, String subscription) {
        return tx.run(h -> {
            boolean removed = h.attach(DeliveryDao.class).resubscribe(companyId, profileId, channel, subscription) == 1;
            if (removed) {
                events.record(h, companyId, profileId, null, "subscribed",
                        Map.of("channel", channel, "subscription", subscription, "source", "admin"));
            }
            return removed;
        });
    }
}
