package io.switchboard.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Credentials never reach a log, whatever the log levels (issue 11, finding 1). A logback turbo filter
 * runs before any level check, so neither {@code config.yml} nor {@code POST /tasks/log-level} can switch
 * it off:
 *
 * <ul>
 *   <li><b>Wire-level libraries are clamped at INFO.</b> Below INFO, Jetty ({@code org.eclipse.jetty.*}),
 *       Jersey, Netty/Pushy and the HTTP clients print raw headers ({@code Authorization},
 *       {@code PublicWriteKey}), request lines with their query strings and body bytes. Their DEBUG/TRACE
 *       events are dropped even when a level says otherwise.</li>
 *   <li><b>Everything else is masked.</b> An event whose message carries a key ({@code sk_…},
 *       {@code pk_…}), an {@code Authorization}-style header, a Bearer/Basic/Klaviyo-API-Key credential,
 *       a credential-named query parameter or the configured admin token is logged with those parts
 *       replaced by {@code [masked]}.</li>
 * </ul>
 */
public final class CredentialLogGuard extends TurboFilter {
    static final List<String> WIRE_LEVEL = List.of("org.eclipse.jetty", "org.glassfish.jersey", "io.netty",
            "com.eatthepath.pushy", "org.apache.hc", "org.apache.http", "jdk.internal.httpclient", "sun.net.www",
            "org.eclipse.angus.mail", "jakarta.mail", "com.sun.mail");
    private static final String FQCN = CredentialLogGuard.class.getName();
    private static final Pattern KEY = Pattern.compile("\\b(sk|pk)_[0-9A-Za-z]{8,}");
    private static final Pattern HEADER = Pattern.compile(
            "(?i)(authorization|proxy-authorization|publicwritekey|x-api-key|cookie|set-cookie)(\"?\\s*[:=]\\s*)[^\\r\\n,}]*");
    private static final Pattern SCHEME = Pattern.compile(
            "(?i)\\b(bearer|basic|klaviyo-api-key)\\s+[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern QUERY = Pattern.compile(
            "(?i)([?&;](?:api_key|apikey|key|token|writekey|write_key|secret|password|access_token|company_id)=)[^&\\s\"]*");
    private static final ThreadLocal<Boolean> REEMITTING = new ThreadLocal<>();

    private volatile String adminToken;
    private static volatile CredentialLogGuard installed;

    /** {@link #mask} of the installed guard (the text unchanged when none is installed). */
    public static String maskInstalled(String s) {
        CredentialLogGuard g = installed;
        return g == null ? s : g.mask(s);
    }

    /** Installs the guard (once) on the logging context, and again after any logging reset. */
    public static CredentialLogGuard install(String adminToken) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (TurboFilter f : ctx.getTurboFilterList()) {
            if (f instanceof CredentialLogGuard g) {
                g.adminToken = blankToNull(adminToken);
                installed = g;
                return g;
            }
        }
        CredentialLogGuard guard = new CredentialLogGuard();
        guard.adminToken = blankToNull(adminToken);
        guard.setName("credential-log-guard");
        guard.start();
        ctx.addTurboFilter(guard);
        installed = guard;
        ctx.addListener(new LoggerContextListener() {
            @Override public boolean isResetResistant() { return true; }
            @Override public void onStart(LoggerContext context) {}
            @Override public void onReset(LoggerContext context) {
                if (!context.getTurboFilterList().contains(guard)) context.addTurboFilter(guard);
            }
            @Override public void onStop(LoggerContext context) {}
            @Override public void onLevelChange(Logger logger, Level level) {}
        });
        return guard;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null) return FilterReply.NEUTRAL;
        // not logged anyway (the common isDebugEnabled() of Jetty and Jersey on every request): NEUTRAL lets
        // logback's own level check refuse it, so the wire-level clamp below needs no lookup for it
        if (level.levelInt < logger.getEffectiveLevel().levelInt) return FilterReply.NEUTRAL;
        if (REEMITTING.get() != null) return FilterReply.NEUTRAL;
        String name = logger.getName();
        if (level.levelInt < Level.INFO_INT && wireLevel(name)) return FilterReply.DENY;
        if (format == null) return FilterReply.NEUTRAL;
        // request-log lines are built from masked parts (AsyncRequestLog masks its paths with this guard)
        if (AsyncRequestLog.LOGGER.equals(name)) return FilterReply.NEUTRAL;
        String message = params == null || params.length == 0 ? format
                : MessageFormatter.arrayFormat(format, params).getMessage();
        String masked = mask(message);
        if (masked.equals(message)) return FilterReply.NEUTRAL;
        REEMITTING.set(Boolean.TRUE);
        try {
            logger.log(marker, FQCN, Level.toLocationAwareLoggerInteger(level), masked, null, t);
        } finally {
            REEMITTING.remove();
        }
        return FilterReply.DENY;
    }

    static boolean wireLevel(String name) {
        for (String p : WIRE_LEVEL) {
            if (name.startsWith(p) && (name.length() == p.length() || name.charAt(p.length()) == '.')) return true;
        }
        return false;
    }

    /** The text with every credential replaced by {@code [masked]}. */
    public String mask(String s) {
        String out = s;
        String token = adminToken;
        if (token != null && out.contains(token)) out = out.replace(token, "[masked]");
        out = replace(KEY, out, m -> m.group(1) + "_[masked]");
        out = replace(HEADER, out, m -> m.group(1) + m.group(2) + "[masked]");
        out = replace(SCHEME, out, m -> m.group(1) + " [masked]");
        out = replace(QUERY, out, m -> m.group(1) + "[masked]");
        return out;
    }

    private static String replace(Pattern p, String s, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(s);
        if (!m.find()) return s;
        StringBuilder b = new StringBuilder();
        do {
            m.appendReplacement(b, Matcher.quoteReplacement(f.apply(m)));
        } while (m.find());
        m.appendTail(b);
        return b.toString();
    }

}
