package io.switchboard.portal;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * System mail (invitations, password resets) through the configured SMTP server. Without one, the
 * message — link included — goes to the console (stdout), the local-run fallback; it is never logged
 * through the logging system, whose appenders may ship elsewhere.
 */
public class SystemMail {
    private static final Logger LOG = LoggerFactory.getLogger(SystemMail.class);
    private final PortalConfig.SystemMailConfig cfg;

    public SystemMail(PortalConfig.SystemMailConfig cfg) {
        this.cfg = cfg;
    }

    public boolean configured() {
        return cfg.host != null && !cfg.host.isBlank();
    }

    /** Sends (or prints) a plain-text mail; returns false when the SMTP server refused it. */
    public boolean send(String to, String subject, String text) {
        if (!configured()) {
            System.out.println("""
                    ------------------------------------------------------------
                     Switchboard system mail (no SMTP configured: portal.systemMail.host)
                     To:      %s
                     Subject: %s

                    %s
                    ------------------------------------------------------------""".formatted(to, subject, text));
            return true;
        }
        Properties props = new Properties();
        String proto = "ssl".equals(cfg.tls) ? "smtps" : "smtp";
        props.put("mail.transport.protocol", proto);
        props.put("mail." + proto + ".host", cfg.host);
        props.put("mail." + proto + ".port", Integer.toString(cfg.port));
        props.put("mail." + proto + ".connectiontimeout", "10000");
        props.put("mail." + proto + ".timeout", "10000");
        if ("starttls".equals(cfg.tls)) props.put("mail.smtp.starttls.enable", "true");
        boolean auth = cfg.username != null && !cfg.username.isBlank();
        if (auth) props.put("mail." + proto + ".auth", "true");
        try {
            Session session = Session.getInstance(props);
            MimeMessage msg = new MimeMessage(session);
            msg.setFrom(new InternetAddress(cfg.from, true));
            msg.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            msg.setSubject(subject, "UTF-8");
            msg.setText(text, "UTF-8");
            if (auth) {
                Transport.send(msg, cfg.username, cfg.password);
            } else {
                Transport.send(msg);
            }
            return true;
        } catch (MessagingException e) {
            // never the message body: it holds a single-use link
            LOG.warn("system mail to a recipient failed: {}", e.getClass().getSimpleName());
            return false;
        }
    }
}
