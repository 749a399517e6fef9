package io.switchboard.portal;

import io.dropwizard.views.common.View;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * A server-rendered page: a Freemarker template (src/main/resources/io/switchboard/portal/*.ftlh, HTML
 * auto-escaping) and its model. Templates read {@code ctx} (who is signed in, which company, role),
 * {@code title}, {@code csrf} and the page's own entries in {@code m}.
 */
public class Page extends View {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private final String title;
    private final PortalContext ctx;
    private final Map<String, Object> m = new HashMap<>();
    private String csrf = "";

    public Page(String template, String title, PortalContext ctx) {
        super(template + ".ftlh");
        this.title = title;
        this.ctx = ctx;
        if (ctx != null) this.csrf = ctx.session().csrfToken();
    }

    public Page with(String key, Object value) {
        m.put(key, value);
        return this;
    }

    public Page withCsrf(String token) {
        this.csrf = token;
        return this;
    }

    public String getTitle() { return title; }
    public PortalContext getCtx() { return ctx; }
    public Map<String, Object> getM() { return m; }
    public String getCsrf() { return csrf; }
    public Fmt getFmt() { return Fmt.INSTANCE; }

    /** Formatting helpers templates call: {@code ${fmt.t(x)}}. */
    public static final class Fmt {
        static final Fmt INSTANCE = new Fmt();

        /** A time in UTC; "—" for none (templates pass {@code x!} for a null). */
        public String t(Object i) {
            return i instanceof Instant t ? TIME.format(t) : "—";
        }

        public String n(Object o) {
            return o == null ? "" : String.valueOf(o);
        }
    }
}
