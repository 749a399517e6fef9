package io.switchboard.delivery;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** The one HTTP client of the HTTP senders (Twilio, FCM, webhook). */
final class Http {
    private Http() {}

    static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** A connection error, timeout or interrupted exchange: always transient. */
    static DeliveryResult transportFailure(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String kind = e instanceof ConnectException ? "connection refused"
                : e instanceof HttpTimeoutException ? "timed out" : e.getClass().getSimpleName();
        return DeliveryResult.retry("Provider unreachable (" + kind + ")" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
