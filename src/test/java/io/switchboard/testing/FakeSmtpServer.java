package io.switchboard.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal real SMTP server that answers {@code RCPT TO} with scripted reply codes (e.g. 451, 550) so
 * the worker's handling of SMTP 4xx/5xx can be tested; GreenMail always accepts.
 */
public final class FakeSmtpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final ConcurrentLinkedQueue<String> rcptReplies = new ConcurrentLinkedQueue<>();
    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger sessions = new AtomicInteger();
    /** The RCPT TO address of every accepted message, in order (a broadcast test counts each recipient). */
    public final ConcurrentLinkedQueue<String> recipients = new ConcurrentLinkedQueue<>();

    public FakeSmtpServer() throws Exception {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fake-smtp");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The next RCPT TO reply, e.g. "550 5.1.1 no such user" (afterwards: 250). */
    public void replyToNextRcpt(String reply) {
        rcptReplies.add(reply);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> session(s), "fake-smtp-session");
                t.setDaemon(true);
                t.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    private void session(Socket s) {
        sessions.incrementAndGet();
        try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
             OutputStream out = s.getOutputStream()) {
            write(out, "220 fake.test ESMTP");
            String line;
            String rcpt = null;
            while ((line = in.readLine()) != null) {
                String cmd = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (cmd) {
                    case "EHLO", "HELO" -> write(out, "250 fake.test");
                    case "MAIL", "RSET", "NOOP" -> write(out, "250 OK");
                    case "RCPT" -> {
                        String r = rcptReplies.poll();
                        if (r == null) {
                            int lt = line.indexOf('<'), gt = line.indexOf('>');
                            rcpt = lt >= 0 && gt > lt ? line.substring(lt + 1, gt) : line;
                        }
                        write(out, r == null ? "250 OK" : r);
                    }
                    case "DATA" -> {
                        write(out, "354 go ahead");
                        while ((line = in.readLine()) != null && !line.equals(".")) {
                            // swallow the message
                        }
                        accepted.incrementAndGet();
                        if (rcpt != null) recipients.add(rcpt);
                        rcpt = null;
                        write(out, "250 2.0.0 queued as FAKE" + accepted.get());
                    }
                    case "QUIT" -> {
                        write(out, "221 bye");
                        return;
                    }
                    default -> write(out, "502 unknown command");
                }
            }
        } catch (Exception ignored) {
            // client went away
        }
    }

    private static void write(OutputStream out, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
