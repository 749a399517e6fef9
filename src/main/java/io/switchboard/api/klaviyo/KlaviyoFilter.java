package io.switchboard.api.klaviyo;

import io.switchboard.core.Times;
import io.switchboard.core.identity.ProfileQuery.Condition;
import io.switchboard.core.identity.ProfileQuery.Field;
import io.switchboard.core.identity.ProfileQuery.Op;
import io.switchboard.errors.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Klaviyo's {@code filter} query syntax for profiles: {@code equals(email,"a@b.com")},
 * {@code any(external_id,["u1","u2"])}, {@code greater-than(updated,2024-01-01T00:00:00Z)} (datetimes
 * unquoted), combined with {@code and(…)} or a top-level comma. Strings take {@code "…"} or {@code '…'}.
 * Supported: {@code equals}/{@code any} on id, email, phone_number, external_id; {@code greater-than}/
 * {@code less-than} on created, updated. Anything else is a 400 naming {@code filter}.
 */
public final class KlaviyoFilter {
    public static final String PARAMETER = "filter";
    private static final Map<String, Op> OPS = Map.of("equals", Op.EQUALS, "any", Op.ANY, "greater-than",
            Op.GREATER_THAN, "less-than", Op.LESS_THAN);
    private static final Set<Field> IDENTITY_FIELDS = Set.of(Field.ID, Field.EMAIL, Field.PHONE_NUMBER,
            Field.EXTERNAL_ID);

    private final String src;
    private int pos;

    private KlaviyoFilter(String src) {
        this.src = src;
    }

    /** Parses a profile filter; null or blank → no conditions. */
    public static List<Condition> parseProfileFilter(String filter) {
        if (filter == null || filter.isBlank()) return List.of();
        if (filter.indexOf('\0') >= 0) {
            throw ApiException.invalidParameter(PARAMETER, "Invalid filter provided: it contains a NUL character.");
        }
        KlaviyoFilter p = new KlaviyoFilter(filter.trim());
        List<Condition> out = new ArrayList<>();
        p.expressions(out);
        p.skipSpace();
        if (p.pos != p.src.length()) throw p.error("unexpected `" + p.src.substring(p.pos) + "`");
        return out;
    }

    private void expressions(List<Condition> out) {
        expression(out);
        skipSpace();
        while (peek() == ',') {
            pos++;
            expression(out);
            skipSpace();
        }
    }

    private void expression(List<Condition> out) {
        skipSpace();
        String name = word();
        skipSpace();
        expect('(');
        if (name.equals("and")) {
            expressions(out);
            expect(')');
            return;
        }
        Op op = OPS.get(name);
        if (op == null) {
            throw error("operator `" + name + "` is not supported here; use equals, any, greater-than, less-than or and");
        }
        skipSpace();
        String fieldName = word();
        Field field = Field.of(fieldName);
        if (field == null) {
            throw error("`" + fieldName + "` cannot be filtered on; use id, email, phone_number, external_id, created or updated");
        }
        boolean ok = field.isTime() ? (op == Op.GREATER_THAN || op == Op.LESS_THAN)
                : IDENTITY_FIELDS.contains(field) && (op == Op.EQUALS || op == Op.ANY);
        if (!ok) {
            throw error("`" + name + "` is not allowed on `" + fieldName + "`"
                    + (field.isTime() ? " (use greater-than or less-than)" : " (use equals or any)"));
        }
        skipSpace();
        expect(',');
        skipSpace();
        List<String> values = new ArrayList<>();
        if (op == Op.ANY) {
            expect('[');
            skipSpace();
            if (peek() != ']') {
                values.add(value());
                skipSpace();
                while (peek() == ',') {
                    pos++;
                    skipSpace();
                    values.add(value());
                    skipSpace();
                }
            }
            expect(']');
            if (values.isEmpty()) throw error("`any` needs at least one value");
            if (values.size() > 100) throw error("`any` takes at most 100 values");
        } else {
            values.add(value());
        }
        skipSpace();
        expect(')');
        if (field.isTime()) {
            values = List.of(instant(values.get(0)).toString());
        }
        out.add(new Condition(field, op, values));
    }

    private String word() {
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '-'
                || src.charAt(pos) == '_' || src.charAt(pos) == '.')) {
            pos++;
        }
        if (start == pos) throw error("expected a name at position " + (pos + 1));
        return src.substring(start, pos);
    }

    private String value() {
        char c = peek();
        if (c == '"' || c == '\'') {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < src.length() && src.charAt(pos) != c) {
                char ch = src.charAt(pos++);
                if (ch == '\\' && pos < src.length()) ch = src.charAt(pos++);
                sb.append(ch);
            }
            if (pos >= src.length()) throw error("unterminated string");
            pos++;
            return sb.toString();
        }
        int start = pos;
        while (pos < src.length() && src.charAt(pos) != ',' && src.charAt(pos) != ')' && src.charAt(pos) != ']') {
            pos++;
        }
        String v = src.substring(start, pos).trim();
        if (v.isEmpty()) throw error("expected a value at position " + (start + 1));
        return v;
    }

    private static Instant instant(String raw) {
        // an unencoded "+00:00" in a query string arrives as " 00:00"
        return Times.parse(raw.trim().replace(' ', '+')).orElseThrow(() -> ApiException.invalidParameter(PARAMETER, "Invalid filter provided: `"
                + raw.trim() + "` is not a datetime between years 1 and 9999; use ISO-8601 such as "
                + "2024-01-01T00:00:00Z (unquoted)."));
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
    }

    private char peek() {
        return pos < src.length() ? src.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected `" + c + "` at position " + (pos + 1));
        pos++;
    }

    private ApiException error(String what) {
        return ApiException.invalidParameter(PARAMETER, "Invalid filter provided: " + what + ".");
    }
}
