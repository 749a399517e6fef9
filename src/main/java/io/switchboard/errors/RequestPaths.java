package io.switchboard.errors;

import java.util.Locale;

/**
 * Request path normalization, shared by every decision taken from a path: the dialect of an error
 * ({@link Dialect#forPath}) and, through {@code limits.EndpointPolicies}, body limits, rate-limit class,
 * CORS, log masking and outage handling. A leaf: it depends on nothing of the application, so the error
 * layer can use it without depending on {@code limits/}.
 */
public final class RequestPaths {
    private RequestPaths() {}

    /**
     * The one path normalization every policy decision uses (body limits, rate-limit class, CORS, log
     * masking, outage handling, the dialect of an error): matrix parameters ({@code ;x=1}) stripped from
     * every segment, percent-escapes decoded ({@code %2F} becomes a separator), dot segments resolved,
     * repeated and trailing slashes collapsed, lower case. Jersey routes {@code /a;x=1/b} as {@code /a/b}
     * and Jetty resolves {@code /a/./b}; classifying anything less normalized than what is routed lets a
     * request pick its own policy (issue 11, finding 4).
     */
    public static String normalize(String path) {
        if (path == null || path.isEmpty()) return "/";
        String p = path;
        if (p.indexOf(';') >= 0) p = stripMatrix(p);
        if (p.indexOf('%') >= 0) p = decode(p);
        if (p.indexOf(';') >= 0) p = stripMatrix(p);
        StringBuilder out = new StringBuilder(p.length() + 1);
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                segments.pollLast();
                continue;
            }
            segments.add(seg);
        }
        for (String seg : segments) out.append('/').append(seg);
        if (out.length() == 0) out.append('/');
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** Whether a raw (undecoded) path carries matrix parameters. */
    public static boolean hasMatrixParameters(String rawPath) {
        return rawPath != null && rawPath.indexOf(';') >= 0;
    }

    private static String stripMatrix(String p) {
        StringBuilder b = new StringBuilder(p.length());
        boolean skip = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/') skip = false;
            else if (c == ';') skip = true;
            if (!skip) b.append(c);
        }
        return b.toString();
    }

    private static String decode(String p) {
        try {
            return java.net.URLDecoder.decode(p.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return p; // a broken escape: classify the raw text (Jetty refuses such paths anyway)
        }
    }
}
