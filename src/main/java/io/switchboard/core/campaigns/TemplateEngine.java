package io.switchboard.core.campaigns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.jknack.handlebars.Context;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.HandlebarsError;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.context.MapValueResolver;
import com.github.jknack.handlebars.helper.ConditionalHelpers;
import com.github.jknack.handlebars.helper.StringHelpers;
import com.github.jknack.handlebars.io.TemplateLoader;
import com.github.jknack.handlebars.io.TemplateSource;
import io.switchboard.db.JsonColumns;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Handlebars (Handlebars.java) templates: compiled when a campaign is saved, so a template that does
 * not compile is a 422 then and never a failure at send time; rendered by the workers and the preview.
 * The model is plain maps only ({@link MapValueResolver}: no Java getters), partials are disabled, HTML
 * fields are HTML-escaped and every other field is rendered verbatim.
 */
public final class TemplateEngine {
    /** Fields rendered with HTML escaping; all others (subject, text, push, webhook) are not escaped. */
    private static final java.util.Set<String> HTML_FIELDS = java.util.Set.of("html");
    private static final int MAX_FIELD_CHARS = 512 * 1024;
    private static final java.util.regex.Pattern PARTIAL = java.util.regex.Pattern.compile("\\{\\{~?#?\\s*>");

    private final Handlebars html;
    private final Handlebars plain;
    private final Cache<String, Template> cache = Caffeine.newBuilder().maximumSize(10_000).build();

    public TemplateEngine() {
        this.html = configure(new Handlebars(noPartials()).with(EscapingStrategy.HTML_ENTITY));
        this.plain = configure(new Handlebars(noPartials()).with(EscapingStrategy.NOOP));
    }

    private static Handlebars configure(Handlebars hb) {
        hb.registerHelpers(ConditionalHelpers.class);
        hb.registerHelpers(StringHelpers.class);
        hb.registerHelper("json", (Helper<Object>) (ctx, options) -> {
            try {
                return new Handlebars.SafeString(JsonColumns.MAPPER.writeValueAsString(ctx));
            } catch (IOException e) {
                return "";
            }
        });
        hb.registerHelper("default", (Helper<Object>) (ctx, options) ->
                ctx == null || ctx.toString().isEmpty() ? options.param(0, "") : ctx);
        return hb;
    }

    private static TemplateLoader noPartials() {
        return new TemplateLoader() {
            @Override public TemplateSource sourceAt(String location) throws IOException {
                throw new FileNotFoundException("partials are not supported: " + location);
            }
            @Override public String resolve(String location) { return location; }
            @Override public String getPrefix() { return ""; }
            @Override public String getSuffix() { return ""; }
            @Override public void setPrefix(String prefix) { }
            @Override public void setSuffix(String suffix) { }
            @Override public void setCharset(Charset charset) { }
            @Override public Charset getCharset() { return Charset.defaultCharset(); }
        };
    }

    /**
     * Checks and compiles one locale's template for a channel. Unknown fields and non-string values are
     * 400s; a field that does not compile is a 422 naming the field, line and column.
     */
    public void validate(Channel channel, String locale, Map<String, Object> template, String pointerBase) {
        for (var e : template.entrySet()) {
            String field = e.getKey();
            String pointer = pointerBase + "/" + locale + "/" + field;
            if (!channel.templateFields().contains(field)) {
                throw ApiException.invalid(pointer, "Unknown template field `" + field + "` for a " + channel.wire()
                        + " campaign; allowed: " + String.join(", ", channel.templateFields()) + ".");
            }
            Object v = e.getValue();
            if (v == null) continue;
            if (("data".equals(field) || "headers".equals(field))) {
                if (!(v instanceof Map<?, ?> m)) {
                    throw ApiException.invalid(pointer, "Template field `" + field + "` must be an object of strings.");
                }
                for (var me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw ApiException.invalid(pointer + "/" + me.getKey(),
                                "Template field `" + field + "." + me.getKey() + "` must be a string.");
                    }
                    compileChecked(field, s, pointer + "/" + me.getKey(), "templates." + locale + "." + field + "." + me.getKey());
                }
                continue;
            }
            if (!(v instanceof String s)) {
                throw ApiException.invalid(pointer, "Template field `" + field + "` must be a string.");
            }
            compileChecked(field, s, pointer, "templates." + locale + "." + field);
        }
    }

    private void compileChecked(String field, String source, String pointer, String name) {
        if (source.length() > MAX_FIELD_CHARS) {
            throw ApiException.invalid(pointer, "Template `" + name + "` is longer than " + MAX_FIELD_CHARS + " characters.");
        }
        java.util.regex.Matcher partial = PARTIAL.matcher(source);
        if (partial.find()) {
            int line = 1 + (int) source.substring(0, partial.start()).chars().filter(ch -> ch == '\n').count();
            throw new ApiException(ErrorKind.UNPROCESSABLE, "Template `" + name + "` does not compile: line " + line
                    + ": partials ({{> name}}) are not supported.", pointer, null, Map.of("template", name, "line", line));
        }
        try {
            compile(field, source);
        } catch (HandlebarsException e) {
            HandlebarsError err = e.getError();
            String where = err == null ? "" : "line " + err.line + ", column " + err.column + ": ";
            String reason = err == null ? String.valueOf(e.getMessage()) : err.reason;
            throw new ApiException(ErrorKind.UNPROCESSABLE,
                    "Template `" + name + "` does not compile: " + where + reason, pointer, null,
                    err == null ? null : Map.of("template", name, "line", err.line, "column", err.column));
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ErrorKind.UNPROCESSABLE,
                    "Template `" + name + "` does not compile: " + e.getMessage(), pointer, null, null);
        }
    }

    private Template compile(String field, String source) throws IOException {
        Handlebars hb = HTML_FIELDS.contains(field) ? html : plain;
        String key = (hb == html ? "h:" : "p:") + source;
        Template t = cache.getIfPresent(key);
        if (t == null) {
            t = hb.compileInline(source);
            cache.put(key, t);
        }
        return t;
    }

    /** Renders every field of a template against the model ({@code user}, {@code event}, {@code campaign}, …). */
    public Map<String, Object> render(Map<String, Object> template, Map<String, Object> model) {
        Context ctx = Context.newBuilder(model).resolver(MapValueResolver.INSTANCE).build();
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : template.entrySet()) {
                Object v = e.getValue();
                if (v instanceof String s) {
                    out.put(e.getKey(), compile(e.getKey(), s).apply(ctx));
                } else if (v instanceof Map<?, ?> m) {
                    Map<String, Object> sub = new LinkedHashMap<>();
                    for (var me : m.entrySet()) {
                        sub.put(String.valueOf(me.getKey()),
                                me.getValue() instanceof String s ? compile(e.getKey(), s).apply(ctx) : me.getValue());
                    }
                    out.put(e.getKey(), sub);
                } else if (v instanceof List<?> || v == null) {
                    out.put(e.getKey(), v);
                }
            }
            return out;
        } catch (IOException | HandlebarsException e) {
            throw new TemplateRenderException(e.getMessage(), e);
        } finally {
            ctx.destroy();
        }
    }

    /** A template failed while rendering (it compiled when saved, so this is rare: e.g. a helper given bad input). */
    public static final class TemplateRenderException extends RuntimeException {
        public TemplateRenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
