package io.switchboard.resources.klaviyo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.errors.ApiException;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Small pieces of Klaviyo's wire format shared by the audience resources (lists, metrics, segments,
 * jobs): filter terms, opaque keyset cursors, page sizes, timestamps and links.
 */
final class KlaviyoWire {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final Pattern TERM = Pattern.compile("^([a-z-]+)\\(\\s*([A-Za-z_.$]+)\\s*,\\s*(.+?)\\s*\\)$");

    private KlaviyoWire() {}

    /** One {@code op(field,value)} term; {@code values} has one element unless the value was a list. */
    record Term(String op, String field, List<String> values) {
        String value() {
            return values.get(0);
        }
    }

    /** Parses {@code and(a,b)} / {@code a,b} into terms; {@code example} goes into the 400's detail. */
    static List<Term> filter(String filter, String example) {
        List<Term> out = new ArrayList<>();
        if (filter == null || filter.isBlank()) return out;
        for (String t : terms(filter.trim())) {
            Matcher m = TERM.matcher(t);
            if (!m.matches()) throw badFilter("cannot read `" + t + "`", example);
            String raw = m.group(3).trim();
            List<String> values = new ArrayList<>();
            if (raw.startsWith("[") && raw.endsWith("]")) {
                for (String v : splitTop(raw.substring(1, raw.length() - 1))) {
                    if (!v.isBlank()) values.add(unquote(v));
                }
                if (values.isEmpty()) throw badFilter("empty list in `" + t + "`", example);
            } else {
                values.add(unquote(raw));
            }
            out.add(new Term(m.group(1), m.group(2), values));
        }
        return out;
    }

    static ApiException badFilter(String why, String example) {
        return ApiException.invalidParameter("filter", "Invalid `filter`: " + why + ". Example: " + example + ".");
    }

    private static List<String> terms(String s) {
        List<String> out = new ArrayList<>();
        for (String part : splitTop(s)) {
            String p = part.trim();
            if (p.startsWith("and(") && p.endsWith(")")) out.addAll(terms(p.substring(4, p.length() - 1)));
            else if (!p.isEmpty()) out.add(p);
        }
        return out;
    }

    private static List<String> splitTop(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') i++;
                else if (c == quote) quoted = false;
            } else if (c == '"' || c == '\'') {
                quoted = true;
                quote = c;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static String unquote(String v) {
        String s = v.trim();
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1).replace("\\\"", "\"");
        }
        return s;
    }

    /**
     * A filter's date-time: the one bounded parser ({@code core.Times}: ISO 8601 with or without an offset, a
     * bare date; years 1–9999), so an out-of-range year is a 400 naming the parameter, never a database error.
     */
    static Instant time(String v, String parameter) {
        return io.switchboard.core.Times.parse(v == null ? null : v.replace(' ', '+')).orElseThrow(() ->
                ApiException.invalidParameter(parameter, "`" + v + "` is not an ISO 8601 date-time (years 1-9999)."));
    }

    static String format(Instant t) {
        return t == null ? null : DATETIME.format(t.atOffset(ZoneOffset.UTC));
    }

    /** The instant as local time with its offset in {@code zone}: 2024-03-01T00:00:00-05:00. */
    static String format(Instant t, java.time.ZoneId zone) {
        return DATETIME.format(t.atZone(zone));
    }

    /** {@code page[size]}: default when absent, else an integer in [1, max]. */
    static int pageSize(String raw, int dflt, int max) {
        if (raw == null || raw.isBlank()) return dflt;
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw ApiException.invalidParameter("page[size]", "`page[size]` must be an integer from 1 to " + max
                + " (default " + dflt + ").");
    }

    /** An opaque cursor of one or more parts (base64url). */
    static String cursor(String... parts) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(String.join("\u0000", parts)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes {@link #cursor}; null when absent; 400 naming {@code page[cursor]} when unreadable. */
    static String[] cursor(String raw, int parts) {
        if (raw == null || raw.isBlank()) return null;
        String v = raw.trim();
        if (v.contains("://")) { // an SDK passing the whole links.next URL
            String q = URI.create(v).getRawQuery();
            v = null;
            if (q != null) {
                for (String part : q.split("&")) {
                    int eq = part.indexOf('=');
                    if (eq > 0 && java.net.URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8)
                            .equals("page[cursor]")) {
                        v = java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                }
            }
            if (v == null) throw badCursor();
        }
        try {
            String[] out = new String(Base64.getUrlDecoder().decode(v), StandardCharsets.UTF_8).split("\u0000", -1);
            if (out.length != parts) throw badCursor();
            return out;
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    private static ApiException badCursor() {
        return ApiException.invalidParameter("page[cursor]", "`page[cursor]` is not a cursor this endpoint issued; "
                + "follow `links.next` of the previous page.");
    }

    static String base(UriInfo ui) {
        String b = ui.getBaseUri().toString();
        return b.endsWith("/") ? b : b + "/";
    }

    /** A collection document's links: self always, next when there is one. */
    static void links(ObjectNode doc, UriInfo ui, String nextCursor) {
        ObjectNode links = doc.putObject("links");
        links.put("self", ui.getRequestUri().toString());
        if (nextCursor != null) {
            links.put("next", UriBuilder.fromUri(ui.getRequestUri()).replaceQueryParam("page[cursor]", nextCursor)
                    .build().toString());
        }
    }

    /** {@code {"data": {"type": t, "id": id}}}-style identifiers array. */
    static ArrayNode identifiers(ObjectNode parent, String field, String type, List<String> ids) {
        ArrayNode a = parent.putArray(field);
        for (String id : ids) a.addObject().put("type", type).put("id", id);
        return a;
    }

    /** A JSON:API relationship-linkage body {@code {"data": [{"type": type, "id": …}, …]}} → ids. */
    static List<String> linkage(byte[] body, String type, int max) {
        var root = io.switchboard.api.klaviyo.KlaviyoJson.parse(body);
        var data = root.get("data");
        if (data == null || !data.isArray()) {
            throw ApiException.invalid("/data", "`data` must be an array of {\"type\": \"" + type + "\", \"id\": …}.");
        }
        if (data.size() == 0) throw ApiException.invalid("/data", "`data` must name at least one " + type + ".");
        if (data.size() > max) {
            throw ApiException.invalid("/data", "At most " + max + " " + type + "s per request (got " + data.size() + ").");
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            var o = data.get(i);
            if (!o.isObject()) throw ApiException.invalid("/data/" + i, "Each item must be an object.");
            if (!type.equals(o.path("type").asText(null))) {
                throw new ApiException(io.switchboard.errors.ErrorKind.CONFLICT, "`type` must be `" + type + "`.",
                        "/data/" + i + "/type", null, null);
            }
            var id = o.get("id");
            if (id == null || !id.isTextual() || id.asText().isBlank()) {
                throw ApiException.invalid("/data/" + i + "/id", "`id` is required and must be a string.");
            }
            ids.add(id.asText());
        }
        return ids;
    }
}
