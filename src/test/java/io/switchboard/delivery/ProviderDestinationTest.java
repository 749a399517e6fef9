package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.core.campaigns.Campaign;
import io.switchboard.core.campaigns.Channel;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.core.campaigns.Send;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 finding 7: SMTP and APNs providers pass the same network guard as the HTTP ones, and no
 * provider error quotes what the remote end said (a tenant could otherwise read any internal service's
 * banner in {@code last_error}).
 */
class ProviderDestinationTest {
    static final String BANNER = "SSH-2.0-OpenSSH_9.2p1 SECRET-BANNER-7f3a";
    final NetworkGuard strict = new NetworkGuard(false);
    final NetworkGuard open = new NetworkGuard(true);

    static OutgoingMessage message(Provider p, Channel channel, String address, Map<String, Object> fields) {
        Campaign c = new Campaign(1, "1", "c", channel, "1", "active", "marketing", "en", Map.of(),
                Instant.now(), Instant.now());
        Send s = new Send(1, "1", "1", "p", channel.wire(), address, null, Map.of(), null, "sending", null, 1, Instant.now(),
                "w", Instant.now(), "1", null, null, false, Instant.now(), Instant.now(), null, null, null);
        return new OutgoingMessage(s, c, p, fields, null);
    }

    static Provider provider(String type, Map<String, Object> config) {
        return new Provider(1, "1", type, type, config, null, null, Instant.now(), Instant.now());
    }

    /** A TCP server on loopback that answers each connection with {@code script} (given each line read). */
    static final class FakeServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();
        final Thread thread;

        FakeServer(String greeting, Function<String, String> reply) throws Exception {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        s.setSoTimeout(3000);
                        OutputStream out = s.getOutputStream();
                        out.write((greeting + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                        for (String line; (line = in.readLine()) != null; ) {
                            String r = reply.apply(line);
                            if (r == null) break;
                            if (!r.isEmpty()) {
                                out.write((r + "\r\n").getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                            }
                        }
                    } catch (Exception e) {
                        // closed or timed out: next connection
                    }
                }
            }, "fake-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() { return socket.getLocalPort(); }

        @Override public void close() throws Exception { socket.close(); }
    }

    static String error(DeliveryResult r) {
        if (r instanceof DeliveryResult.Failed f) return f.error();
        if (r instanceof DeliveryResult.Retry x) return x.error();
        throw new AssertionError("expected a failure, got " + r);
    }

    @Test
    void smtpAndApnsRefuseLoopbackAndPrivateHostsWithoutConnecting() throws Exception {
        try (FakeServer server = new FakeServer("220 internal ESMTP", line -> "250 ok")) {
            for (String host : new String[] {"127.0.0.1", "localhost", "::127.0.0.1", "10.0.0.5", "169.254.169.254"}) {
                Provider smtp = provider("smtp", Map.of("host", host, "port", server.port(), "tls", "none", "from", "a@example.com"));
                DeliveryResult r = new SmtpEmailSender(Duration.ofSeconds(2), strict)
                        .send(message(smtp, Channel.EMAIL, "to@example.com", Map.of("subject", "s", "text", "t")));
                assertThat(r).as(host).isInstanceOf(DeliveryResult.Failed.class);
                assertThat(error(r)).as(host).contains("allowPrivateNetworks");

                Provider apns = provider("apns", Map.of("host", host, "port", server.port(), "key_id", "K", "team_id", "T",
                        "topic", "com.example", "signing_key", "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"));
                DeliveryResult a = new ApnsPushSender(Duration.ofSeconds(2), strict)
                        .send(message(apns, Channel.PUSH, "a".repeat(64), Map.of("body", "b")));
                assertThat(a).as(host).isInstanceOf(DeliveryResult.Failed.class);
                assertThat(error(a)).as(host).contains("allowPrivateNetworks");
            }
            assertThat(server.connections.get()).isZero();
        }
    }

    @Test
    void smtpErrorsNeverQuoteABannerOrReplyText() throws Exception {
        Map<String, Object> fields = Map.of("subject", "s", "text", "t");
        // not an SMTP server at all: its banner must not come back
        try (FakeServer ssh = new FakeServer(BANNER, line -> null)) {
            Provider p = provider("smtp", Map.of("host", "127.0.0.1", "port", ssh.port(), "tls", "none", "from", "a@example.com"));
            DeliveryResult r = new SmtpEmailSender(Duration.ofSeconds(2), open).send(message(p, Channel.EMAIL, "to@example.com", fields));
            assertThat(ssh.connections.get()).isEqualTo(1);
            assertThat(error(r)).doesNotContain("SECRET").doesNotContain("SSH").doesNotContain("Exception");
        }
        // an SMTP server whose replies carry text: only the codes are kept
        try (FakeServer smtp = new FakeServer("220 SECRET-GREETING ESMTP", line -> {
            String l = line.toUpperCase();
            if (l.startsWith("EHLO") || l.startsWith("HELO")) return "250 SECRET-HOSTNAME";
            if (l.startsWith("MAIL")) return "250 ok";
            if (l.startsWith("RCPT")) return "550 5.1.1 SECRET-REJECT user unknown";
            if (l.startsWith("QUIT")) return null;
            return "250 ok";
        })) {
            Provider p = provider("smtp", Map.of("host", "127.0.0.1", "port", smtp.port(), "tls", "none", "from", "a@example.com"));
            DeliveryResult r = new SmtpEmailSender(Duration.ofSeconds(2), open).send(message(p, Channel.EMAIL, "to@example.com", fields));
            assertThat(r).isInstanceOf(DeliveryResult.Failed.class);
            assertThat(error(r)).contains("550").contains("5.1.1").doesNotContain("SECRET");
        }
        // a connection refused is a fixed, transient description
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Provider p = provider("smtp", Map.of("host", "127.0.0.1", "port", closedPort, "tls", "none", "from", "a@example.com"));
        DeliveryResult r = new SmtpEmailSender(Duration.ofSeconds(2), open).send(message(p, Channel.EMAIL, "to@example.com", fields));
        assertThat(r).isInstanceOf(DeliveryResult.Retry.class);
        assertThat(error(r)).isEqualTo("SMTP: could not connect to the server");
    }

    @Test
    void httpAndApnsErrorsNeverQuoteTheRemoteEnd() throws Exception {
        try (FakeServer ssh = new FakeServer(BANNER, line -> "")) {
            Provider hook = provider("webhook", Map.of("url", "http://127.0.0.1:" + ssh.port() + "/hook"));
            DeliveryResult r = new WebhookSender(Duration.ofSeconds(2), open)
                    .send(message(hook, Channel.WEBHOOK, null, Map.of("body", "{}")));
            assertThat(error(r)).doesNotContain("SECRET").doesNotContain("SSH").doesNotContain("Exception");

            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
                    g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
            Provider apns = provider("apns", Map.of("host", "127.0.0.1", "port", ssh.port(), "key_id", "KEYID12345",
                    "team_id", "TEAMID1234", "topic", "com.example", "signing_key", pem));
            ApnsPushSender sender = new ApnsPushSender(Duration.ofSeconds(2), open);
            try {
                DeliveryResult a = sender.send(message(apns, Channel.PUSH, "a".repeat(64), Map.of("body", "b")));
                assertThat(error(a)).doesNotContain("SECRET").doesNotContain("SSH").doesNotContain("Exception")
                        .doesNotContain("io.netty");
            } finally {
                sender.close();
            }
        }
    }

    @Test
    void noConnectionMadeWhenRefused() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(200);
            Provider smtp = provider("smtp", Map.of("host", "127.0.0.1", "port", s.getLocalPort(), "tls", "none", "from", "a@example.com"));
            new SmtpEmailSender(Duration.ofSeconds(1), strict).send(message(smtp, Channel.EMAIL, "to@example.com", Map.of("subject", "s")));
            try (Socket accepted = s.accept()) {
                throw new AssertionError("the sender connected to " + accepted);
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
    }
}
