package io.switchboard.delivery;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Webhook: an HTTP request built from the template ({@code method}, {@code url}, {@code headers},
 * {@code body}). The template URL may be absolute, or relative to the provider's {@code url}; with no
 * template URL the provider's is used. Provider headers come first, template headers override them.
 * 2xx is sent; 408, 429 and 5xx are retried; other statuses fail.
 */
public class WebhookSender implements ChannelSender {
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");
    private final HttpClient http;
    private final Duration timeout;

    private final NetworkGuard guard;

    public WebhookSender(Duration timeout, NetworkGuard guard) {
        this.guard = guard;
        this.http = Http.newClient(timeout);
        this.timeout = timeout;
    }

    @Override
    public String providerType() { return "webhook"; }

    @Override
    public DeliveryResult send(OutgoingMessage m) {
        String method = m.field("method") == null || m.field("method").isBlank() ? "POST"
                : m.field("method").trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            return DeliveryResult.failed("Unsupported webhook method " + method + ".");
        }
        URI uri;
        try {
            uri = resolve(m.provider().string("url"), m.field("url"));
        } catch (IllegalArgumentException e) {
            return DeliveryResult.failed("Invalid webhook URL: " + e.getMessage());
        }
        String refused = guard.check(uri);
        if (refused != null) return DeliveryResult.failed(refused);
        String body = m.field("body");
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        boolean contentType = false;
        for (Map<String, Object> headers : java.util.List.of(m.provider().config().get("headers") instanceof Map<?, ?> ph
                ? castMap(ph) : Map.<String, Object>of(), m.mapField("headers"))) {
            for (var h : headers.entrySet()) {
                if (h.getValue() == null || RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) continue;
                b.setHeader(h.getKey(), h.getValue().toString().replace('\n', ' ').replace('\r', ' '));
                contentType |= h.getKey().equalsIgnoreCase("Content-Type");
            }
        }
        if (!contentType && body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null || method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return DeliveryResult.forHttpStatus(res.statusCode(), res.body(),
                    res.headers().firstValue("Retry-After").orElse(null),
                    res.headers().firstValue("X-Request-Id").orElse(null));
        } catch (Exception e) {
            return Http.transportFailure(e);
        }
    }

    static URI resolve(String base, String templateUrl) {
        String t = templateUrl == null ? "" : templateUrl.trim();
        URI u;
        if (t.startsWith("http://") || t.startsWith("https://")) {
            u = URI.create(t);
        } else if (t.isEmpty()) {
            u = URI.create(base);
        } else {
            u = URI.create(Http.trimSlash(base) + (t.startsWith("/") ? t : "/" + t));
        }
        if (u.getHost() == null) throw new IllegalArgumentException("no host in " + u);
        return u;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
