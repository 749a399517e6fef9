package io.switchboard.delivery;

import java.time.Duration;

/** What a provider call came to. */
public sealed interface DeliveryResult {
    /** Accepted by the provider. */
    record Sent(String providerMessageId) implements DeliveryResult {}

    /** A transient failure (connection error, 429, 5xx, SMTP 4xx): retried with backoff up to the limit. */
    record Retry(String error, Duration retryAfter) implements DeliveryResult {}

    /** A permanent failure (SMTP 5xx, 4xx from an HTTP provider, invalid push token): failed at once. */
    record Failed(String error, boolean invalidToken) implements DeliveryResult {}

    static DeliveryResult sent(String id) { return new Sent(id); }

    static DeliveryResult retry(String error) { return new Retry(error, null); }

    static DeliveryResult failed(String error) { return new Failed(error, false); }

    static DeliveryResult invalidToken(String error) { return new Failed(error, true); }

    /** HTTP providers: 2xx sent, 408/429/5xx retried (honouring Retry-After), other 4xx failed. */
    static DeliveryResult forHttpStatus(int status, String body, String retryAfterHeader, String messageId) {
        if (status >= 200 && status < 300) return new Sent(messageId);
        String error = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
        if (status == 408 || status == 429 || status >= 500) {
            return new Retry(error, parseRetryAfter(retryAfterHeader));
        }
        return new Failed(error, false);
    }

    static Duration parseRetryAfter(String h) {
        if (h == null) return null;
        try {
            long s = Long.parseLong(h.trim());
            return s >= 0 ? Duration.ofSeconds(Math.min(s, 3600)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String abbreviate(String s) {
        String one = s.replace('\n', ' ').replace('\r', ' ');
        return one.length() > 500 ? one.substring(0, 500) + "…" : one;
    }
}
