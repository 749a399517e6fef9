package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.db.JsonColumns;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Push through FCM HTTP v1: {@code POST {base_url}/v1/projects/{project_id}/messages:send} with a bearer
 * access token ({@link FcmAccessTokens}) and {@code {"message":{"token","notification":{title,body},"data"}}}
 * (the template's {@code url} travels as {@code data.url}). The provider message id is the answer's
 * {@code name}. {@code UNREGISTERED}, {@code SENDER_ID_MISMATCH} and an invalid registration token are
 * permanent and disable the token; 401 drops the cached access token and retries; 429/5xx retry.
 */
public class FcmPushSender implements ChannelSender {
    public static final String DEFAULT_BASE_URL = "https://fcm.googleapis.com";
    private final HttpClient http;
    private final Duration timeout;
    private final FcmAccessTokens tokens;

    private final NetworkGuard guard;

    public FcmPushSender(Duration timeout, NetworkGuard guard) {
        this.guard = guard;
        this.http = Http.newClient(timeout);
        this.timeout = timeout;
        this.tokens = new FcmAccessTokens(http, timeout, guard);
    }

    @Override
    public String providerType() { return "fcm"; }

    @Override
    public DeliveryResult send(OutgoingMessage m) {
        var p = m.provider();
        String base = Http.trimSlash(p.string("base_url", DEFAULT_BASE_URL));
        ObjectNode root = JsonColumns.MAPPER.createObjectNode();
        ObjectNode msg = root.putObject("message");
        msg.put("token", m.send().address());
        ObjectNode notification = msg.putObject("notification");
        if (m.field("title") != null) notification.put("title", m.field("title"));
        if (m.field("body") != null) notification.put("body", m.field("body"));
        ObjectNode data = JsonColumns.MAPPER.createObjectNode();
        m.mapField("data").forEach((k, v) -> data.put(k, v == null ? "" : v.toString()));
        if (m.field("url") != null && !m.field("url").isBlank()) data.put("url", m.field("url"));
        if (!data.isEmpty()) msg.set("data", data);
        URI uri = URI.create(base + "/v1/projects/" + URLEncoder.encode(p.string("project_id"), StandardCharsets.UTF_8)
                + "/messages:send");
        String refused = guard.check(uri);
        if (refused != null) return DeliveryResult.failed(refused);
        String accessToken;
        try {
            accessToken = tokens.token(p);
        } catch (IllegalArgumentException e) {
            return DeliveryResult.failed("FCM credentials unusable: " + e.getMessage());
        } catch (Exception e) {
            return DeliveryResult.retry("Could not obtain an FCM access token: " + e.getMessage());
        }
        try {
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + accessToken)
                    .header("Content-Type", "application/json; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(JsonColumns.MAPPER.writeValueAsString(root))).build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            int status = res.statusCode();
            if (status / 100 == 2) {
                String name = null;
                try {
                    name = JsonColumns.MAPPER.readTree(res.body()).path("name").asText(null);
                } catch (Exception ignored) {
                    // sent without a parsable answer
                }
                return DeliveryResult.sent(name);
            }
            String error = fcmErrorCode(res.body());
            String detail = "FCM HTTP " + status + (error == null ? "" : " " + error) + ": " + DeliveryResult.abbreviate(res.body());
            if ("UNREGISTERED".equals(error) || "SENDER_ID_MISMATCH".equals(error)
                    || (status == 400 && "INVALID_ARGUMENT".equals(error) && res.body().toLowerCase().contains("registration token"))) {
                return DeliveryResult.invalidToken(detail);
            }
            if (status == 401) {
                tokens.invalidate(p);
                return DeliveryResult.retry(detail);
            }
            return DeliveryResult.forHttpStatus(status, detail, res.headers().firstValue("Retry-After").orElse(null), null)
                    instanceof DeliveryResult.Retry r ? new DeliveryResult.Retry(detail, r.retryAfter())
                    : DeliveryResult.failed(detail);
        } catch (Exception e) {
            return Http.transportFailure(e);
        }
    }

    /** FCM's error code: {@code details[].errorCode} of an FcmError, else {@code error.status}. */
    static String fcmErrorCode(String body) {
        try {
            JsonNode err = JsonColumns.MAPPER.readTree(body).path("error");
            for (JsonNode d : err.path("details")) {
                if (d.hasNonNull("errorCode")) return d.get("errorCode").asText();
            }
            return err.path("status").asText(null);
        } catch (Exception e) {
            return null;
        }
    }
}
