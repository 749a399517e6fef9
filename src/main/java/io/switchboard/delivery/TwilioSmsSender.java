package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.db.JsonColumns;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * SMS in Twilio's REST shape: {@code POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json},
 * form-encoded {@code To}, {@code From} (or {@code MessagingServiceSid}) and {@code Body}, HTTP Basic
 * auth with the account sid and auth token. The provider message id is the answer's {@code sid}.
 */
public class TwilioSmsSender implements ChannelSender {
    public static final String DEFAULT_BASE_URL = "https://api.twilio.com";
    private final HttpClient http;
    private final Duration timeout;

    private final NetworkGuard guard;

    public TwilioSmsSender(Duration timeout, NetworkGuard guard) {
        this.guard = guard;
        this.http = Http.newClient(timeout);
        this.timeout = timeout;
    }

    @Override
    public String providerType() { return "twilio"; }

    @Override
    public DeliveryResult send(OutgoingMessage m) {
        var p = m.provider();
        String sid = p.string("account_sid");
        String base = Http.trimSlash(p.string("base_url", DEFAULT_BASE_URL));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("To", m.send().address());
        if (p.string("from") != null && !p.string("from").isBlank()) {
            form.put("From", p.string("from"));
        } else {
            form.put("MessagingServiceSid", p.string("messaging_service_sid"));
        }
        form.put("Body", m.field("text") == null ? "" : m.field("text"));
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String auth = Base64.getEncoder().encodeToString((sid + ":" + p.string("auth_token")).getBytes(StandardCharsets.UTF_8));
        URI uri = URI.create(base + "/2010-04-01/Accounts/" + URLEncoder.encode(sid, StandardCharsets.UTF_8) + "/Messages.json");
        String refused = guard.check(uri);
        if (refused != null) return DeliveryResult.failed(refused);
        try {
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Authorization", "Basic " + auth)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            String messageId = null;
            if (res.statusCode() / 100 == 2) {
                try {
                    JsonNode j = JsonColumns.MAPPER.readTree(res.body());
                    messageId = j.path("sid").asText(null);
                } catch (Exception ignored) {
                    // accepted without a parsable body: sent, without an id
                }
            }
            return DeliveryResult.forHttpStatus(res.statusCode(), res.body(),
                    res.headers().firstValue("Retry-After").orElse(null), messageId);
        } catch (Exception e) {
            return Http.transportFailure(e);
        }
    }
}
