package io.switchboard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.AppFixture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.jersey.model.Parameter;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The companion of {@link EndpointFuzzTest} (which varies bodies): junk in the query parameters, path
 * segments and headers of EVERY route, GET ones included. Routes are enumerated from Jersey's resource
 * model of the running application, so an endpoint added later is fuzzed without touching this test; the
 * parameters tried are each route's declared {@code @QueryParam}/{@code @PathParam}/{@code @HeaderParam}s
 * plus the common ones (paging, filter, sort, credentials). Requests go over a raw socket, so header
 * values the JDK client refuses (NUL, CR, bytes above 0x7F) are sent as they are.
 * Whatever the input: never a 5xx.
 */
class ParameterFuzzTest {
    static AppFixture fx;
    static String co;
    static String pk;
    static String sk;
    static String profileId;
    static final List<Route> ROUTES = new ArrayList<>();
    static final Map<String, Integer> FAILURES = new TreeMap<>();
    static int cases;
    static int fiveXx;
    static final Map<String, Integer> BY_PART = new TreeMap<>();

    record Route(String method, String template, Set<String> query, Set<String> path, Set<String> headers) {}

    static final List<String> JUNK = List.of(
            "", " ", "\u0000", "a\u0000b", "%00", "-1", "0", "1.5", "abc", "9223372036854775807", "-9223372036854775808",
            "99999999999999999999", "1e309", "NaN", "null", "undefined", "[]", "{}", "[object Object]", "\"",
            "'", "\\", "\r\n", "\u00e9\u00e8", "\ud83d\ude00", "\ud800", "\uffff", "x".repeat(9000),
            "0000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2024-13-45",
            "equals(email,\"a\u0000b\")", "greater-than(timestamp,9223372036854775807)",
            "greater-than(created,+999999999-12-31T23:59:59Z)", "greater-than(datetime,0000-01-01T00:00:00Z)",
            "and(" .repeat(200), "any(id,[" + "\"a\",".repeat(500) + "\"b\"])", "equals(profile_id,\"x\")",
            b64("{\"b\":false,\"s\":\"id\",\"k\":null,\"i\":\"" + "\u0000" + "\"}"),
            b64("{\"b\":true,\"s\":\"created\",\"k\":\"+999999999-12-31T23:59:59Z\",\"i\":\"x\"}"),
            b64("+999999999-12-31T23:59:59Z|x"), b64("0000-01-01T00:00:00Z|x"), "b." + b64("x|y"), "abc.def",
            "-created", "--id", "../../etc/passwd", "%2e%2e%2f", "http://evil.example/?page[cursor]=x",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV", "ZZZZZ9", "sk_" + "A".repeat(32), "pk_short", "*", "%", "%zz", "%ED%A0%80",
            "%C0%80", "%FF%FE");

    /** Raw path-segment forms: percent-encodings, matrix parameters, dot segments, double slashes. */
    static final List<String> RAW_SEGMENTS = List.of("%00", "a%00b", "%ED%A0%80", "%C0%AE%C0%AE", "%FF", "%2F", "%2e%2e",
            "..", ".", ";x=1", "x;x=1", "%3B", "%25", "%zz", "x".repeat(4000), "%E2%80%AE", "%20", "+", "~", "%u0000");

    static final List<String> HEADER_JUNK = List.of("", " ", "\u0000", "a\u0000b", "\u00e9", "\u00ff\u00fe", "x".repeat(6000),
            "Bearer", "Bearer \u0000", "Basic ###", "Basic " + Base64.getEncoder().encodeToString(":".getBytes()),
            "Klaviyo-API-Key ", "Klaviyo-API-Key sk_" + "Z".repeat(32), "1999-01-01", "2999-01-01", "2024-13-45",
            "not-a-date", "2026-07-15.pre", "text/plain", "application/xml", "application/json; charset=latin1",
            "application/vnd.api+json; ext=x", "*/*;q=abc", "null", "-1", "9223372036854775808");

    static final List<String> COMMON_QUERY = List.of("page[size]", "page[cursor]", "filter", "sort", "company_id",
            "fields[profile]", "fields[event]", "include", "type", "email");
    static final List<String> COMMON_HEADERS = List.of("Authorization", "revision", "Content-Type", "Accept",
            "Idempotency-Key", "PublicWriteKey", "Origin", "X-Klaviyo-Revision-Fall-Forward-Opt-Out", "Accept-Charset",
            "X-Forwarded-For", "Host");

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void start() throws Exception {
        fx = new AppFixture();
        fx.app.before();
        AppFixture.TestCompany c = fx.createCompany("ParamFuzz");
        co = c.publicId();
        pk = c.publicKey();
        sk = c.secretKey();
        var created = fx.post("/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"pf@example.com\"}}}",
                Map.of("revision", "2026-07-15", "Content-Type", "application/vnd.api+json",
                        "Authorization", "Klaviyo-API-Key " + sk));
        profileId = created.json().at("/data/id").asText();
        // every route of the running application, from Jersey's resource model
        var rc = fx.app.getEnvironment().jersey().getResourceConfig();
        Set<Class<?>> classes = new LinkedHashSet<>(rc.getClasses());
        rc.getInstances().forEach(o -> classes.add(o.getClass()));
        rc.getSingletons().forEach(o -> classes.add(o.getClass()));
        for (Class<?> k : classes) {
            if (!k.isAnnotationPresent(jakarta.ws.rs.Path.class)) continue;
            Resource r = Resource.from(k);
            collect(r, "", ROUTES);
        }
        // a stable order, so the seeded samples (and the case count) are the same on every run
        ROUTES.sort(java.util.Comparator.comparing((Route x) -> x.template()).thenComparing(Route::method));
        assertThat(ROUTES.size()).as("routes found in the resource model").isGreaterThan(40);
    }

    static void collect(Resource r, String prefix, List<Route> out) {
        String base = join(prefix, r.getPath());
        for (ResourceMethod m : r.getResourceMethods()) {
            Set<String> q = new LinkedHashSet<>();
            Set<String> p = new LinkedHashSet<>();
            Set<String> h = new LinkedHashSet<>();
            for (Parameter param : m.getInvocable().getParameters()) {
                if (param.getSource() == Parameter.Source.QUERY) q.add(param.getSourceName());
                if (param.getSource() == Parameter.Source.PATH) p.add(param.getSourceName());
                if (param.getSource() == Parameter.Source.HEADER) h.add(param.getSourceName());
            }
            Matcher pm = TEMPLATE_PARAM.matcher(base);
            while (pm.find()) p.add(pm.group(1));
            out.add(new Route(m.getHttpMethod(), base, q, p, h));
        }
        for (Resource child : r.getChildResources()) collect(child, base, out);
    }

    static String join(String a, String b) {
        if (b == null || b.isEmpty()) return a.isEmpty() ? "/" : a;
        String x = a.endsWith("/") ? a.substring(0, a.length() - 1) : a;
        // a template such as "/events{slash: /?}" keeps its parameter glued to the segment
        return x + (b.startsWith("/") ? b : "/" + b);
    }

    static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{\\s*([A-Za-z0-9_]+)\\s*(?::[^}]*)?}");

    @AfterAll
    static void stop() {
        System.out.println("parameter fuzz: " + cases + " cases over " + ROUTES.size() + " routes " + BY_PART + ", "
                + fiveXx + " answered 5xx");
        fx.app.after();
    }

    /** A concrete path: each template parameter filled with a plausible value (or {@code raw} for {@code target}). */
    static String path(Route r, String target, String raw) {
        Matcher m = TEMPLATE_PARAM.matcher(r.template());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v;
            if (name.equals(target)) v = raw;
            else if (m.group().contains(":")) v = "";        // e.g. {slash: /?}
            else v = switch (name) {
                case "company" -> co;
                case "profileId" -> profileId;
                case "id" -> r.template().startsWith("/api/profiles") ? profileId : "1";
                default -> "x1";
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        String p = sb.toString().replace("//", "/");
        return p.isEmpty() ? "/" : p;
    }

    /** The credentials and dialect headers a real client of this route sends. */
    static Map<String, String> headers(String path) {
        Map<String, String> h = new LinkedHashMap<>();
        if (path.startsWith("/admin")) {
            h.put("Authorization", "Bearer " + sk);
            h.put("Content-Type", "application/vnd.api+json");
        } else if (path.startsWith("/client")) {
            h.put("revision", "2026-07-15");
            h.put("Content-Type", "application/vnd.api+json");
        } else if (path.startsWith("/api/client/campaigns")) {
            h.put("Authorization", "Bearer " + sk);
            h.put("Content-Type", "application/json");
        } else if (path.startsWith("/api/client")) {
            h.put("Authorization", "Bearer " + pk);
            h.put("Content-Type", "application/json");
        } else if (path.startsWith("/api/public/apps")) {
            h.put("PublicWriteKey", pk);
            h.put("Content-Type", "application/json");
        } else if (path.startsWith("/v1")) {
            h.put("Authorization", "Basic " + Base64.getEncoder().encodeToString((pk + ":").getBytes(StandardCharsets.UTF_8)));
            h.put("Content-Type", "application/json");
        } else if (path.startsWith("/api")) {
            h.put("Authorization", "Klaviyo-API-Key " + sk);
            h.put("revision", "2026-07-15");
            h.put("Content-Type", "application/vnd.api+json");
        }
        return h;
    }

    static String baseQuery(String path) {
        return path.startsWith("/client") ? "company_id=" + co : "";
    }

    static String enc(String s) {
        // %-forms in the junk list are sent as they are (raw percent-encodings); everything else encoded
        if (s.matches("(%[0-9A-Fa-fu][0-9A-Za-z]{1,3})+") || s.equals("%") || s.equals("%zz")) return s;
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void noQueryParameterPathSegmentOrHeaderValueAnswers5xx() throws Exception {
        Random rnd = new Random(20261130);
        for (Route r : ROUTES) {
            if (r.template().startsWith("/bench")) continue;
            // query parameters: the route's own and the common ones, each with every junk value
            Set<String> names = new LinkedHashSet<>(r.query());
            names.addAll(COMMON_QUERY);
            for (String name : names) {
                // every junk value for the route's own parameters, a sample for the ones it ignores
                for (String v : r.query().contains(name) ? JUNK : sample(rnd, JUNK, 4)) {
                    String p = path(r, null, null);
                    String base = baseQuery(p);
                    String q = (base.isEmpty() ? "" : base + "&") + enc(name) + "=" + enc(v);
                    send("query", r, p + "?" + q, headers(p));
                }
            }
            // path segments: each template parameter, then a junk segment appended
            for (String name : r.path()) {
                for (String v : sample(rnd, JUNK, 24)) send("path", r, path(r, name, enc(v)), headers(path(r, null, null)), base(r));
                for (String v : RAW_SEGMENTS) send("path", r, path(r, name, v), headers(path(r, null, null)), base(r));
            }
            for (String v : RAW_SEGMENTS) {
                String p = path(r, null, null);
                send("path", r, p + (p.endsWith("/") ? "" : "/") + v, headers(p), base(r));
            }
            // headers: the route's own, the common ones, with junk values (a sample per route)
            Set<String> hs = new LinkedHashSet<>(r.headers());
            hs.addAll(COMMON_HEADERS);
            for (String h : hs) {
                for (String v : HEADER_JUNK) {
                    if (rnd.nextInt(4) != 0 && !r.headers().contains(h)) continue;
                    String p = path(r, null, null);
                    Map<String, String> hdrs = new LinkedHashMap<>(headers(p));
                    hdrs.keySet().removeIf(k -> k.equalsIgnoreCase(h));
                    hdrs.put(h, v);
                    send("header", r, p + (baseQuery(p).isEmpty() ? "" : "?" + baseQuery(p)), hdrs);
                }
            }
        }
        assertThat(FAILURES).as("5xx answers (method path -> count)").isEmpty();
        assertThat(cases).isGreaterThan(5_000);
    }

    static List<String> sample(Random rnd, List<String> from, int n) {
        List<String> copy = new ArrayList<>(from);
        java.util.Collections.shuffle(copy, rnd);
        return copy.subList(0, Math.min(n, copy.size()));
    }

    static String base(Route r) {
        return baseQuery(path(r, null, null));
    }

    static void send(String part, Route r, String target, Map<String, String> headers, String query) throws Exception {
        send(part, r, target + (query.isEmpty() ? "" : "?" + query), headers);
    }

    static void send(String part, Route r, String target, Map<String, String> headers) throws Exception {
        boolean hasBody = r.method().equals("POST") || r.method().equals("PATCH") || r.method().equals("PUT");
        byte[] body = hasBody ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write((r.method() + " " + target + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Host"))) {
            req.write(("Host: localhost\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        for (var h : headers.entrySet()) {
            req.write((h.getKey() + ": ").getBytes(StandardCharsets.ISO_8859_1));
            req.write(h.getValue().getBytes(StandardCharsets.UTF_8));
            req.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        if (hasBody) req.write(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        req.write("Connection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        req.write(body);
        int status;
        String answer;
        try (Socket s = new Socket("127.0.0.1", fx.app.getLocalPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toByteArray());
            out.flush();
            InputStream in = s.getInputStream();
            byte[] all = in.readAllBytes();
            answer = new String(all, 0, Math.min(all.length, 2000), StandardCharsets.UTF_8);
            status = answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -1;
        }
        cases++;
        BY_PART.merge(part, 1, Integer::sum);
        if (status >= 500 || status < 0) {
            fiveXx++;
            String key = r.method() + " " + r.template() + " [" + part + "] " + status;
            if (FAILURES.merge(key, 1, Integer::sum) == 1) {
                System.out.println("5xx: " + r.method() + " " + shorten(target) + " " + shorten(headers.toString())
                        + " -> " + shorten(answer.replace("\r\n", " | ")));
            }
        }
    }

    static String shorten(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }
}
