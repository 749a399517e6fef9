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
 * The model is plain maps only ({@link MapValueResolver}: no Java getters), HTML fields are HTML-escaped
 * and every other field is rendered verbatim.
 *
 * <p>Templates are tenant input, so they run in a sandboxed profile (issue #11): one tenant's template
 * must not take memory, CPU or data that belongs to every tenant.
 * <ul>
 *   <li>An allow-list of helpers ({@link #HELPERS}); nothing else resolves (no {@code i18n}/{@code i18nJs},
 *       which read classpath resource bundles, no {@code stringFormat}, {@code log}, {@code embedded},
 *       {@code precompile}, {@code block}/{@code partial}, no decorators). A helper call with arguments to
 *       any other name is a 422 when the campaign is saved.</li>
 *   <li>Partials ({@code {{> x}}}), decorators ({@code {{* x}}}, {@code {{#*inline}}}) and set-delimiter
 *       tags ({@code {{=<% %>=}}}, which would hide the rest of the template from these checks) are
 *       refused at save time.</li>
 *   <li>Padding helpers ({@code ljust}, {@code rjust}, {@code center}) take a {@code size} of at most
 *       {@value #MAX_PAD}; {@code replace} and {@code join} check their result's size before building it.</li>
 *   <li>Output is written into a bounded writer: rendering stops as soon as all fields of one message
 *       pass {@value #MAX_RENDER_CHARS} characters (not after the whole output was built).</li>
 *   <li>A budget of {@value #MAX_ITERATIONS} {@code #each} iterations per message (charged before a loop
 *       runs, so nested loops cannot multiply) and {@value #MAX_RENDER_MILLIS} ms of the rendering thread's CPU
 *       time (not wall-clock time, so a busy machine does not fail sends).</li>
 *   <li>Render errors are plain sentences: no Java class names, no stack fragments.</li>
 * </ul>
 */
public final class TemplateEngine {
    /** Fields rendered with HTML escaping; all others (subject, text, push, webhook) are not escaped. */
    private static final java.util.Set<String> HTML_FIELDS = java.util.Set.of("html");
    private static final int MAX_FIELD_CHARS = 512 * 1024;
    /** Output cap of one message (all fields together). */
    public static final int MAX_RENDER_CHARS = 1024 * 1024;
    /** {@code #each} iterations per message. */
    public static final int MAX_ITERATIONS = 100_000;
    /** Wall-clock budget of one message's rendering. */
    public static final long MAX_RENDER_MILLIS = 1_000;
    /** Largest {@code size} of ljust/rjust/center. */
    public static final int MAX_PAD = 1_000;

    private static final java.util.regex.Pattern PARTIAL = java.util.regex.Pattern.compile("\\{\\{~?#?\\s*>");
    private static final java.util.regex.Pattern DELIMITERS = java.util.regex.Pattern.compile("\\{\\{~?\\s*=");
    /** A helper call: a tag or subexpression opening with a name followed by arguments. */
    private static final java.util.regex.Pattern HELPER_CALL =
            java.util.regex.Pattern.compile("(?:\\{\\{\\{?~?[#^]?|\\()\\s*([A-Za-z_][\\w.\\-]*)\\s+(?=[^\\s}~)])");
    private static final java.util.regex.Pattern DECORATOR = java.util.regex.Pattern.compile("\\{\\{~?[#]?\\s*\\*");

    /** The helpers templates may use. */
    public static final java.util.SortedSet<String> HELPERS;
    private static final Map<String, Helper<?>> REGISTRY = new java.util.HashMap<>();

    static {
        Map<String, Helper<?>> r = REGISTRY;
        r.put("if", com.github.jknack.handlebars.helper.IfHelper.INSTANCE);
        r.put("unless", com.github.jknack.handlebars.helper.UnlessHelper.INSTANCE);
        r.put("with", com.github.jknack.handlebars.helper.WithHelper.INSTANCE);
        r.put("lookup", com.github.jknack.handlebars.helper.LookupHelper.INSTANCE);
        r.put("each", (Helper<Object>) (ctx, options) -> {
            Budget.current().iterations(ctx);
            return com.github.jknack.handlebars.helper.EachHelper.INSTANCE.apply(ctx, options);
        });
        for (ConditionalHelpers h : ConditionalHelpers.values()) r.put(h.name(), h);
        for (StringHelpers h : new StringHelpers[] {StringHelpers.capitalizeFirst, StringHelpers.capitalize,
                StringHelpers.lower, StringHelpers.upper, StringHelpers.cut, StringHelpers.defaultIfEmpty,
                StringHelpers.substring, StringHelpers.abbreviate, StringHelpers.stripTags, StringHelpers.slugify,
                StringHelpers.yesno, StringHelpers.dateFormat, StringHelpers.numberFormat, StringHelpers.now,
                StringHelpers.wordWrap}) {
            r.put(h.name(), h);
        }
        for (StringHelpers h : new StringHelpers[] {StringHelpers.ljust, StringHelpers.rjust, StringHelpers.center}) {
            r.put(h.name(), (Helper<Object>) (ctx, options) -> {
                Object size = options.hash("size");
                long n;
                try {
                    n = size == null ? 0 : Long.parseLong(size.toString().trim());
                } catch (NumberFormatException e) {
                    throw new TemplateLimitException("`" + h.name() + "` needs an integer `size`.");
                }
                if (n > MAX_PAD) {
                    throw new TemplateLimitException("`" + h.name() + "` pads to at most " + MAX_PAD + " characters (size=" + n + ").");
                }
                return h.apply(ctx, options);
            });
        }
        r.put("replace", (Helper<Object>) (ctx, options) -> {
            String text = ctx == null ? "" : ctx.toString();
            String target = String.valueOf(options.param(0, ""));
            String with = String.valueOf(options.param(1, ""));
            if (!target.isEmpty() && with.length() > target.length()) {
                long hits = 0;
                for (int i = text.indexOf(target); i >= 0; i = text.indexOf(target, i + target.length())) hits++;
                Budget.current().wouldWrite(text.length() + hits * (with.length() - target.length()));
            }
            return StringHelpers.replace.apply(ctx, options);
        });
        r.put("join", (Helper<Object>) (ctx, options) -> {
            long n = 0;
            long chars = 0;
            if (ctx instanceof Iterable<?> it) {
                for (Object o : it) {
                    n++;
                    chars += String.valueOf(o).length();
                }
            }
            Object sep = options.param(0, " ");
            Budget.current().wouldWrite(chars + Math.max(0, n - 1) * String.valueOf(sep).length());
            return StringHelpers.join.apply(ctx, options);
        });
        r.put("json", (Helper<Object>) (ctx, options) -> {
            try {
                return new Handlebars.SafeString(JsonColumns.MAPPER.writeValueAsString(ctx));
            } catch (IOException e) {
                return "";
            }
        });
        r.put("default", (Helper<Object>) (ctx, options) ->
                ctx == null || ctx.toString().isEmpty() ? options.param(0, "") : ctx);
        HELPERS = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(r.keySet()));
    }

    private final Handlebars html;
    private final Handlebars plain;
    private final Cache<String, Template> cache = Caffeine.newBuilder().maximumSize(10_000).build();

    public TemplateEngine() {
        this.html = new Handlebars(noPartials()).with(new SandboxRegistry()).with(EscapingStrategy.HTML_ENTITY);
        this.plain = new Handlebars(noPartials()).with(new SandboxRegistry()).with(EscapingStrategy.NOOP);
    }

    /** A template broke a sandbox limit; the message is safe to show the tenant. */
    public static final class TemplateLimitException extends RuntimeException {
        public TemplateLimitException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The helpers of the sandbox and nothing else. Handlebars asks for {@code helperMissing} when a name
     * with arguments is no helper (refused) and when a plain value is missing (rendered empty).
     */
    private static final class SandboxRegistry implements com.github.jknack.handlebars.HelperRegistry {
        private static final Helper<Object> MISSING = (ctx, options) -> {
            if (options.params.length > 0 || !options.hash.isEmpty()) {
                throw new TemplateLimitException("unknown helper `" + options.helperName + "`.");
            }
            return null;
        };

        @Override
        @SuppressWarnings("unchecked")
        public <C> Helper<C> helper(String name) {
            if (HELPER_MISSING.equals(name)) return (Helper<C>) MISSING;
            return (Helper<C>) REGISTRY.get(name);
        }

        @Override
        public java.util.Set<Map.Entry<String, Helper<?>>> helpers() {
            return java.util.Collections.unmodifiableMap(REGISTRY).entrySet();
        }

        private static UnsupportedOperationException closed() {
            return new UnsupportedOperationException("the template sandbox's helpers are fixed");
        }

        @Override public <H> com.github.jknack.handlebars.HelperRegistry registerHelper(String n, Helper<H> h) { throw closed(); }
        @Override public <H> com.github.jknack.handlebars.HelperRegistry registerHelperMissing(Helper<H> h) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(Object o) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(Class<?> c) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(java.net.URI u) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(java.io.File f) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(String f, java.io.Reader r) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(String f, java.io.InputStream i) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry registerHelpers(String f, String s) { throw closed(); }
        @Override public com.github.jknack.handlebars.Decorator decorator(String name) { return null; }
        @Override public com.github.jknack.handlebars.HelperRegistry registerDecorator(String n, com.github.jknack.handlebars.Decorator d) { throw closed(); }
        @Override public com.github.jknack.handlebars.HelperRegistry setCharset(Charset charset) { return this; }
    }

    /** The limits of one message's rendering (one per render call, on the rendering thread). */
    static final class Budget {
        private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();
        private static final Budget NONE = new Budget(Long.MAX_VALUE);
        /** CPU time of the rendering thread (not wall-clock: a starved machine must not fail sends). */
        private static final java.lang.management.ThreadMXBean THREADS =
                java.lang.management.ManagementFactory.getThreadMXBean();
        final long deadline;
        long iterations;
        long written;
        private int ticks;

        static long now() {
            return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }

        Budget(long deadlineNanos) {
            this.deadline = deadlineNanos;
        }

        static Budget current() {
            Budget b = CURRENT.get();
            return b == null ? NONE : b;
        }

        void iterations(Object ctx) {
            if (this == NONE) return;
            long n = ctx instanceof java.util.Collection<?> c ? c.size() : ctx instanceof Map<?, ?> m ? m.size()
                    : ctx != null && ctx.getClass().isArray() ? java.lang.reflect.Array.getLength(ctx) : 1;
            iterations += n;
            if (iterations > MAX_ITERATIONS) {
                throw new TemplateLimitException("the template loops more than " + MAX_ITERATIONS
                        + " times (#each iterations, nested loops multiply).");
            }
            clock();
        }

        void wouldWrite(long chars) {
            if (this == NONE) return;
            if (written + chars > MAX_RENDER_CHARS) throw tooLarge();
        }

        void wrote(int chars) {
            written += chars;
            if (written > MAX_RENDER_CHARS) throw tooLarge();
            clock();
        }

        void clock() {
            if ((++ticks & 63) == 0 && now() > deadline) {
                throw new TemplateLimitException("the template took longer than " + MAX_RENDER_MILLIS + " ms to render.");
            }
        }

        static TemplateLimitException tooLarge() {
            return new TemplateLimitException("the rendered message is larger than " + MAX_RENDER_CHARS + " characters.");
        }
    }

    /** A writer that stops (throws) as soon as the budget's size or time runs out. */
    private static final class BoundedWriter extends java.io.Writer {
        private final StringBuilder out = new StringBuilder();
        private final Budget budget;

        BoundedWriter(Budget budget) {
            this.budget = budget;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            budget.wrote(len);
            out.append(buf, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            budget.wrote(len);
            out.append(str, off, off + len);
        }

        @Override public void flush() { }
        @Override public void close() { }
        @Override public String toString() { return out.toString(); }
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
        refuse(PARTIAL, source, name, pointer, "partials ({{> name}}) are not supported.");
        refuse(DELIMITERS, source, name, pointer, "set-delimiter tags ({{=<% %>=}}) are not supported.");
        refuse(DECORATOR, source, name, pointer, "decorators and inline partials ({{* name}}, {{#*inline}}) are not supported.");
        java.util.regex.Matcher call = HELPER_CALL.matcher(source);
        while (call.find()) {
            String helper = call.group(1);
            if (!HELPERS.contains(helper) && !"else".equals(helper)) {
                int line = 1 + (int) source.substring(0, call.start()).chars().filter(ch -> ch == '\n').count();
                throw new ApiException(ErrorKind.UNPROCESSABLE, "Template `" + name + "` does not compile: line " + line
                        + ": unknown helper `" + helper + "`; allowed: " + String.join(", ", HELPERS) + ".", pointer, null,
                        Map.of("template", name, "line", line));
            }
        }
        try {
            compile(field, source);
        } catch (HandlebarsException e) {
            HandlebarsError err = e.getError();
            TemplateLimitException limit = limitIn(e);
            String where = err == null ? "" : "line " + err.line + ", column " + err.column + ": ";
            String reason = limit != null ? limit.getMessage() : err == null ? "syntax error." : safe(err.reason);
            throw new ApiException(ErrorKind.UNPROCESSABLE,
                    "Template `" + name + "` does not compile: " + where + reason, pointer, null,
                    err == null ? null : Map.of("template", name, "line", err.line, "column", err.column));
        } catch (IOException | RuntimeException e) {
            TemplateLimitException limit = limitIn(e);
            throw new ApiException(ErrorKind.UNPROCESSABLE, "Template `" + name + "` does not compile: "
                    + (limit != null ? limit.getMessage() : "syntax error."), pointer, null, null);
        }
    }

    private static void refuse(java.util.regex.Pattern p, String source, String name, String pointer, String why) {
        java.util.regex.Matcher m = p.matcher(source);
        if (m.find()) {
            int line = 1 + (int) source.substring(0, m.start()).chars().filter(ch -> ch == '\n').count();
            throw new ApiException(ErrorKind.UNPROCESSABLE, "Template `" + name + "` does not compile: line " + line
                    + ": " + why, pointer, null, Map.of("template", name, "line", line));
        }
    }

    private static TemplateLimitException limitIn(Throwable e) {
        java.util.Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable x = e; x != null && seen.add(x); x = x.getCause()) {
            if (x instanceof TemplateLimitException t) return t;
        }
        return null;
    }

    /** A parser message without Java names (class names, exception types) in it. */
    private static String safe(String reason) {
        if (reason == null) return "syntax error.";
        String r = reason.replaceAll("(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)?:?\\s*", "").trim();
        return r.isEmpty() ? "syntax error." : r;
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

    /**
     * Renders every field of a template against the model ({@code user}, {@code event}, {@code campaign}, …)
     * within the sandbox's limits (size, loop iterations, time) for the whole message.
     */
    public Map<String, Object> render(Map<String, Object> template, Map<String, Object> model) {
        Context ctx = Context.newBuilder(model).resolver(MapValueResolver.INSTANCE).build();
        Budget budget = new Budget(Budget.now() + MAX_RENDER_MILLIS * 1_000_000L);
        Budget.CURRENT.set(budget);
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : template.entrySet()) {
                Object v = e.getValue();
                if (v instanceof String s) {
                    out.put(e.getKey(), apply(compile(e.getKey(), s), ctx, budget));
                } else if (v instanceof Map<?, ?> m) {
                    Map<String, Object> sub = new LinkedHashMap<>();
                    for (var me : m.entrySet()) {
                        sub.put(String.valueOf(me.getKey()),
                                me.getValue() instanceof String s ? apply(compile(e.getKey(), s), ctx, budget) : me.getValue());
                    }
                    out.put(e.getKey(), sub);
                } else if (v instanceof List<?> || v == null) {
                    out.put(e.getKey(), v);
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new TemplateRenderException(renderMessage(e), e);
        } finally {
            Budget.CURRENT.remove();
            ctx.destroy();
        }
    }

    private static String apply(Template t, Context ctx, Budget budget) throws IOException {
        BoundedWriter w = new BoundedWriter(budget);
        t.apply(ctx, w);
        return w.toString();
    }

    /** What a tenant is told about a failed render: the limit it hit, or where a helper failed; never Java names. */
    private static String renderMessage(Throwable e) {
        TemplateLimitException limit = limitIn(e);
        if (limit != null) return limit.getMessage();
        if (e instanceof HandlebarsException he && he.getError() != null) {
            return "a helper or expression failed at line " + he.getError().line + ", column " + he.getError().column + ".";
        }
        return "a helper or expression failed.";
    }

    /** A template failed while rendering (it compiled when saved, so this is rare: e.g. a helper given bad input). */
    public static final class TemplateRenderException extends RuntimeException {
        public TemplateRenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
