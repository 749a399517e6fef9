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

    /**
     * A connection error, timeout or interrupted exchange: always transient. The error is a fixed
     * description: an exception message may quote what the remote end sent (e.g. "Invalid status line"
     * with another service's banner), which a tenant must not be able to read through {@code last_error}.
     */
    static DeliveryResult transportFailure(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String kind = e instanceof ConnectException ? "connection refused"
                : e instanceof HttpTimeoutException ? "timed out"
                : e instanceof javax.net.ssl.SSLException ? "TLS handshake failed"
                : e instanceof InterruptedException ? "interrupted"
                : "the connection failed or the answer was not HTTP";
        return DeliveryResult.retry("Provider unreachable (" + kind + ")");
    }

    static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
