package io.switchboard.delivery;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import io.netty.channel.nio.NioEventLoopGroup;
import io.switchboard.core.campaigns.Provider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Push through APNs over HTTP/2 with Pushy and token (.p8) authentication. One client per provider
 * (rebuilt when the provider changes), all on one small shared event loop. Config: {@code key_id},
 * {@code team_id}, {@code topic} (the bundle id), {@code signing_key} (PEM), {@code production}
 * (default true), optional {@code host}/{@code port} and {@code trusted_certificate} (PEM, for a private
 * or mock APNs server). BadDeviceToken / Unregistered / DeviceTokenNotForTopic disable the token.
 * The host passes the {@link NetworkGuard} before every send, and errors never quote the remote end
 * (only APNs' own reason codes, which are single words, are kept).
 */
public class ApnsPushSender implements ChannelSender {
    private static final Set<String> INVALID_TOKEN = Set.of("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic");
    private static final Set<String> TRANSIENT = Set.of("TooManyRequests", "InternalServerError", "ServiceUnavailable",
            "Shutdown", "IdleTimeout", "TooManyProviderTokenUpdates");

    private record Entry(String version, ApnsClient client) {}

    private static final java.util.regex.Pattern REASON = java.util.regex.Pattern.compile("[A-Za-z]{1,64}");

    private final Duration timeout;
    private final NetworkGuard guard;
    private final Map<String, Entry> clients = new ConcurrentHashMap<>();
    private NioEventLoopGroup group;

    public ApnsPushSender(Duration timeout, NetworkGuard guard) {
        this.timeout = timeout;
        this.guard = guard;
    }

    static String host(Provider p) {
        boolean production = !(p.config().get("production") instanceof Boolean b) || b;
        return p.string("host", production ? ApnsClientBuilder.PRODUCTION_APNS_HOST : ApnsClientBuilder.DEVELOPMENT_APNS_HOST);
    }

    @Override
    public String providerType() { return "apns"; }

    private synchronized NioEventLoopGroup group() {
        if (group == null) group = new NioEventLoopGroup(1);
        return group;
    }

    private ApnsClient client(Provider p) throws Exception {
        String key = p.companyId() + "/" + p.id();
        String version = String.valueOf(p.updatedAt());
        Entry e = clients.get(key);
        if (e != null && e.version().equals(version)) return e.client();
        synchronized (this) {
            e = clients.get(key);
            if (e != null && e.version().equals(version)) return e.client();
            if (e != null) e.client().close();
            String host = host(p);
            int port = p.config().get("port") instanceof Number n ? n.intValue() : ApnsClientBuilder.DEFAULT_APNS_PORT;
            ApnsClientBuilder b = new ApnsClientBuilder()
                    .setApnsServer(host, port)
                    .setSigningKey(ApnsSigningKey.loadFromInputStream(new ByteArrayInputStream(
                            p.string("signing_key").getBytes(StandardCharsets.US_ASCII)), p.string("team_id"), p.string("key_id")))
                    .setConnectionTimeout(timeout)
                    .setEventLoopGroup(group());
            String trusted = p.string("trusted_certificate");
            if (trusted != null && !trusted.isBlank()) {
                var certs = CertificateFactory.getInstance("X.509").generateCertificates(
                        new ByteArrayInputStream(trusted.getBytes(StandardCharsets.US_ASCII)));
                b.setTrustedServerCertificateChain(certs.toArray(new X509Certificate[0]));
            }
            ApnsClient c = b.build();
            clients.put(key, new Entry(version, c));
            return c;
        }
    }

    @Override
    public DeliveryResult send(OutgoingMessage m) {
        var p = m.provider();
        String refused = guard.checkHost(host(p));
        if (refused != null) return DeliveryResult.failed(refused);
        ApnsClient client;
        try {
            client = client(p);
        } catch (Exception e) {
            return DeliveryResult.failed("APNs credentials unusable: the signing key, team/key id or trusted certificate could not be loaded.");
        }
        SimpleApnsPayloadBuilder payload = new SimpleApnsPayloadBuilder();
        if (m.field("title") != null) payload.setAlertTitle(m.field("title"));
        if (m.field("body") != null) payload.setAlertBody(m.field("body"));
        payload.setSound("default");
        if (m.field("url") != null && !m.field("url").isBlank()) payload.addCustomProperty("url", m.field("url"));
        m.mapField("data").forEach(payload::addCustomProperty);
        var notification = new SimpleApnsPushNotification(m.send().address(), p.string("topic"), payload.build());
        try {
            PushNotificationResponse<SimpleApnsPushNotification> res =
                    client.sendNotification(notification).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (res.isAccepted()) {
                return DeliveryResult.sent(res.getApnsId() == null ? null : res.getApnsId().toString());
            }
            String reason = res.getRejectionReason().filter(r -> REASON.matcher(r).matches()).orElse("unknown");
            String detail = "APNs HTTP " + res.getStatusCode() + " " + reason;
            if (INVALID_TOKEN.contains(reason)) return DeliveryResult.invalidToken(detail);
            if (TRANSIENT.contains(reason) || res.getStatusCode() >= 500 || res.getStatusCode() == 429) {
                return DeliveryResult.retry(detail);
            }
            return DeliveryResult.failed(detail);
        } catch (ExecutionException e) {
            return DeliveryResult.retry("APNs unreachable: could not connect or the connection failed");
        } catch (TimeoutException e) {
            return DeliveryResult.retry("APNs timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.retry("interrupted");
        }
    }

    @Override
    public void forget(long companyId, String providerId) {
        Entry e = clients.remove(companyId + "/" + providerId);
        if (e != null) e.client().close();
    }

    @Override
    public void close() {
        clients.values().forEach(e -> {
            try {
                e.client().close().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // shutting down
            }
        });
        clients.clear();
        synchronized (this) {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                group = null;
            }
        }
    }
}
