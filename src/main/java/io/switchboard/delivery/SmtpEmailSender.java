package io.switchboard.delivery;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Email over SMTP (Jakarta Mail / Angus Mail): multipart/alternative text + HTML, {@code List-Unsubscribe}
 * (with RFC 8058 one-click) and {@code X-Campaign-Id} headers. SMTP 4xx replies and connection trouble are
 * transient; 5xx replies are permanent.
 *
 * <p>The host passes the {@link NetworkGuard} before any connection, and a send's error never quotes
 * what the remote end said (greeting, banner, reply text): only the reply code, the enhanced status code
 * (RFC 3463, e.g. {@code 5.1.1}) and a fixed description. Otherwise a tenant could point a provider at
 * any TCP service and read its banner in {@code last_error}.
 */
public class SmtpEmailSender implements ChannelSender {
    private static final java.util.regex.Pattern ENHANCED = java.util.regex.Pattern.compile("\\b([245]\\.\\d{1,3}\\.\\d{1,3})\\b");

    private final Duration defaultTimeout;
    private final NetworkGuard guard;

    public SmtpEmailSender(Duration timeout, NetworkGuard guard) {
        this.defaultTimeout = timeout;
        this.guard = guard;
    }

    @Override
    public String providerType() { return "smtp"; }

    @Override
    public DeliveryResult send(OutgoingMessage m) {
        var p = m.provider();
        String tls = p.string("tls", "starttls");
        int port = p.config().get("port") instanceof Number n ? n.intValue() : "ssl".equals(tls) ? 465 : 587;
        long timeout = p.config().get("timeout_ms") instanceof Number n ? n.longValue() : defaultTimeout.toMillis();
        Properties props = new Properties();
        String proto = "ssl".equals(tls) ? "smtps" : "smtp";
        props.put("mail.transport.protocol", proto);
        props.put("mail." + proto + ".host", p.string("host"));
        props.put("mail." + proto + ".port", Integer.toString(port));
        props.put("mail." + proto + ".connectiontimeout", Long.toString(timeout));
        props.put("mail." + proto + ".timeout", Long.toString(timeout));
        props.put("mail." + proto + ".writetimeout", Long.toString(timeout));
        if ("starttls".equals(tls)) {
            props.put("mail.smtp.starttls.enable", "true");
        }
        String user = p.string("username");
        if (user != null && !user.isBlank()) {
            props.put("mail." + proto + ".auth", "true");
        }
        Session session = Session.getInstance(props);
        String messageId;
        MimeMessage msg;
        try {
            String from = m.field("from") != null && !m.field("from").isBlank() ? m.field("from") : p.string("from");
            if (from == null || from.isBlank()) {
                return DeliveryResult.failed("No sender address: set `from` in the template or the provider's config.");
            }
            InternetAddress fromAddress = new InternetAddress(from.trim(), true);
            msg = new MimeMessage(session);
            msg.setFrom(fromAddress);
            msg.setRecipient(Message.RecipientType.TO, new InternetAddress(m.send().address(), true));
            String replyTo = m.field("reply_to");
            if (replyTo != null && !replyTo.isBlank()) {
                msg.setReplyTo(InternetAddress.parse(replyTo.trim(), true));
            }
            msg.setSubject(oneLine(m.field("subject")), "UTF-8");
            String text = m.field("text");
            String html = m.field("html");
            if (text != null && html != null) {
                MimeMultipart alt = new MimeMultipart("alternative");
                MimeBodyPart tp = new MimeBodyPart();
                tp.setText(text, "UTF-8", "plain");
                MimeBodyPart hp = new MimeBodyPart();
                hp.setText(html, "UTF-8", "html");
                alt.addBodyPart(tp);
                alt.addBodyPart(hp);
                msg.setContent(alt);
            } else if (html != null) {
                msg.setText(html, "UTF-8", "html");
            } else {
                msg.setText(text == null ? "" : text, "UTF-8", "plain");
            }
            if (m.unsubscribeUrl() != null) {
                msg.setHeader("List-Unsubscribe", "<" + m.unsubscribeUrl() + ">");
                msg.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            }
            msg.setHeader("X-Campaign-Id", m.campaign().id());
            String domain = fromAddress.getAddress().substring(fromAddress.getAddress().indexOf('@') + 1);
            messageId = "<" + m.send().companyId() + "." + m.send().id() + "." + UUID.randomUUID() + "@" + domain + ">";
            msg.saveChanges();
            msg.setHeader("Message-ID", messageId);
        } catch (AddressException e) {
            return DeliveryResult.failed("Invalid address: " + e.getMessage());
        } catch (MessagingException e) {
            return DeliveryResult.failed("Could not build the message.");
        }
        String refused = guard.checkHost(p.string("host"));
        if (refused != null) return DeliveryResult.failed(refused);
        try (Transport t = session.getTransport()) {
            if (user != null && !user.isBlank()) {
                t.connect(p.string("host"), port, user, p.string("password"));
            } else {
                t.connect();
            }
            t.sendMessage(msg, msg.getAllRecipients());
            return DeliveryResult.sent(messageId);
        } catch (MessagingException e) {
            return classify(e);
        }
    }

    /** Connects (STARTTLS/TLS and sign-in as configured) and disconnects: no message is sent. */
    @Override
    public Check testConnection(io.switchboard.core.campaigns.Provider p) {
        String tls = p.string("tls", "starttls");
        int port = p.config().get("port") instanceof Number n ? n.intValue() : "ssl".equals(tls) ? 465 : 587;
        long timeout = p.config().get("timeout_ms") instanceof Number n ? n.longValue() : defaultTimeout.toMillis();
        String refused = guard.checkHost(p.string("host"));
        if (refused != null) return new Check(false, refused);
        Properties props = new Properties();
        String proto = "ssl".equals(tls) ? "smtps" : "smtp";
        props.put("mail.transport.protocol", proto);
        props.put("mail." + proto + ".host", p.string("host"));
        props.put("mail." + proto + ".port", Integer.toString(port));
        props.put("mail." + proto + ".connectiontimeout", Long.toString(timeout));
        props.put("mail." + proto + ".timeout", Long.toString(timeout));
        if ("starttls".equals(tls)) props.put("mail.smtp.starttls.enable", "true");
        String user = p.string("username");
        if (user != null && !user.isBlank()) props.put("mail." + proto + ".auth", "true");
        try (Transport t = Session.getInstance(props).getTransport()) {
            if (user != null && !user.isBlank()) {
                t.connect(p.string("host"), port, user, p.string("password"));
            } else {
                t.connect();
            }
            return new Check(true, "Connected to " + p.string("host") + ":" + port
                    + (user != null && !user.isBlank() ? " and signed in" : "") + ".");
        } catch (MessagingException e) {
            // the remote text is not shown (it may be any service's banner): the exception class and SMTP code only
            DeliveryResult r = classify(e);
            String why = r instanceof DeliveryResult.Failed f ? f.error() : r instanceof DeliveryResult.Retry rt ? rt.error() : "error";
            return new Check(false, "Could not connect to " + p.string("host") + ":" + port + ": " + why);
        }
    }

    /**
     * SMTP reply 4xx or an I/O problem: transient. 5xx: permanent. The error names the reply code and
     * enhanced status code only; the remote text is never kept (it may be any service's banner).
     */
    static DeliveryResult classify(MessagingException e) {
        MessagingException smtp = smtpReply(e);
        Integer code = smtp instanceof SMTPAddressFailedException a ? Integer.valueOf(a.getReturnCode())
                : smtp instanceof SMTPSendFailedException f ? Integer.valueOf(f.getReturnCode()) : null;
        if (code != null && code >= 400 && code < 600) {
            java.util.regex.Matcher m = ENHANCED.matcher(String.valueOf(smtp.getMessage()));
            String msg = "SMTP reply " + code + (m.find() ? " " + m.group(1) : "")
                    + (smtp instanceof SMTPAddressFailedException ? ": recipient rejected" : ": message rejected")
                    + (code < 500 ? " (temporary)" : " (permanent)");
            return code < 500 ? DeliveryResult.retry(msg) : DeliveryResult.failed(msg);
        }
        if (e instanceof AuthenticationFailedException) {
            return DeliveryResult.failed("SMTP: authentication failed (check the provider's username and password)");
        }
        if (hasCause(e, java.net.SocketTimeoutException.class)) {
            return DeliveryResult.retry("SMTP: the server did not answer in time");
        }
        if (hasCause(e, java.net.ConnectException.class) || hasCause(e, java.net.UnknownHostException.class)
                || hasCause(e, java.net.NoRouteToHostException.class)) {
            return DeliveryResult.retry("SMTP: could not connect to the server");
        }
        if (hasCause(e, javax.net.ssl.SSLException.class)) {
            return DeliveryResult.retry("SMTP: TLS handshake failed");
        }
        return DeliveryResult.retry("SMTP: the server did not complete the SMTP conversation (unexpected or no reply)");
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        java.util.Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable x = e; x != null && seen.add(x);
             x = x instanceof MessagingException me && me.getNextException() != null ? me.getNextException() : x.getCause()) {
            if (type.isInstance(x)) return true;
        }
        return false;
    }

    /** The innermost SMTP reply exception in the chain (rejected recipient, rejected MAIL/DATA), if any. */
    private static MessagingException smtpReply(MessagingException e) {
        MessagingException found = null;
        java.util.Set<Exception> seen = new java.util.HashSet<>();
        for (Exception x = e; x != null && seen.add(x); x = x instanceof MessagingException me ? me.getNextException() : null) {
            if (x instanceof SMTPAddressFailedException || x instanceof SMTPSendFailedException) {
                found = (MessagingException) x;
                if (x instanceof SMTPAddressFailedException) return found;
            }
        }
        return found;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\r', ' ').replace('\n', ' ');
    }
}
