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
 */
public class SmtpEmailSender implements ChannelSender {
    private final Duration defaultTimeout;

    public SmtpEmailSender(Duration timeout) {
        this.defaultTimeout = timeout;
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
            msg.setHeader("X-Campaign-Id", Long.toString(m.campaign().id()));
            String domain = fromAddress.getAddress().substring(fromAddress.getAddress().indexOf('@') + 1);
            messageId = "<" + m.send().companyId() + "." + m.send().id() + "." + UUID.randomUUID() + "@" + domain + ">";
            msg.saveChanges();
            msg.setHeader("Message-ID", messageId);
        } catch (AddressException e) {
            return DeliveryResult.failed("Invalid address: " + e.getMessage());
        } catch (MessagingException e) {
            return DeliveryResult.failed("Could not build the message: " + e.getMessage());
        }
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

    /** SMTP reply 4xx or an I/O problem: transient. 5xx: permanent. The server's reply is kept as the error. */
    static DeliveryResult classify(MessagingException e) {
        MessagingException smtp = smtpReply(e);
        Integer code = smtp instanceof SMTPAddressFailedException a ? Integer.valueOf(a.getReturnCode())
                : smtp instanceof SMTPSendFailedException f ? Integer.valueOf(f.getReturnCode()) : null;
        String msg = "SMTP: " + DeliveryResult.abbreviate(String.valueOf((smtp != null ? smtp : e).getMessage()).trim());
        if (code != null && code >= 400) {
            return code < 500 ? DeliveryResult.retry(msg) : DeliveryResult.failed(msg);
        }
        if (e instanceof AuthenticationFailedException) {
            return DeliveryResult.failed(msg);
        }
        return DeliveryResult.retry(msg);
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
