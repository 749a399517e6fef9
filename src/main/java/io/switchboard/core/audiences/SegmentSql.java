package io.switchboard.core.audiences;

import io.switchboard.errors.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link SegmentDefinition} into one set-based SELECT of the member profile ids. Every value is
 * a bind parameter; the SQL text depends only on the definition's shape (fixed templates per operator).
 * Metric conditions are grouped per person (a merged-away profile's events count for its survivor) in a
 * derived table joined once per condition. {@code scoped}: restrict to {@code :scope} (live ids) and, for
 * events, {@code :scopeAll} (those ids and their tombstones) — the incremental path.
 */
final class SegmentSql {
    final String sql;
    final Map<String, Object> binds = new LinkedHashMap<>();

    private final StringBuilder joins = new StringBuilder();
    private int n;

    private SegmentSql(long companyId, SegmentDefinition def, Map<String, String> metricNames, boolean scoped,
                       Instant now) {
        binds.put("c", companyId);
        List<String> groups = new ArrayList<>();
        for (SegmentDefinition.Group g : def.groups()) {
            List<String> ors = new ArrayList<>();
            for (SegmentDefinition.Condition c : g.conditions()) ors.add(condition(c, metricNames, scoped, now));
            groups.add("(" + String.join(" OR ", ors) + ")");
        }
        this.sql = "SELECT p.id FROM profiles p" + joins + " WHERE p.company_id = :c AND p.merged_into IS NULL"
                + (scoped ? " AND p.id = ANY(:scope)" : "") + (groups.isEmpty() ? "" : " AND " + String.join(" AND ", groups));
    }

    static SegmentSql compile(long companyId, SegmentDefinition def, Map<String, String> metricNames, boolean scoped,
                              Instant now) {
        return new SegmentSql(companyId, def, metricNames, scoped, now);
    }

    private String bind(Object v) {
        String k = "v" + (n++);
        binds.put(k, v);
        return ":" + k;
    }

    private String condition(SegmentDefinition.Condition c, Map<String, String> metricNames, boolean scoped,
                             Instant now) {
        if (c instanceof SegmentDefinition.Property p) return property(p);
        if (c instanceof SegmentDefinition.Metric m) return metric(m, metricNames, scoped, now);
        if (c instanceof SegmentDefinition.Membership m) return membership(m);
        return consent((SegmentDefinition.Consent) c);
    }

    /** text and json expressions of a property name: properties['x'] / properties.x, or a standard attribute. */
    private String[] expr(String property) {
        String prop = property.trim();
        String key = null;
        if (prop.startsWith("properties['") && prop.endsWith("']")) key = prop.substring(12, prop.length() - 2);
        else if (prop.startsWith("properties[\"") && prop.endsWith("\"]")) key = prop.substring(12, prop.length() - 2);
        else if (prop.startsWith("properties.")) key = prop.substring(11);
        if (key != null) {
            String k = bind(key);
            return new String[] {"(p.properties ->> " + k + ")", "(p.properties -> " + k + ")"};
        }
        switch (prop) {
            case "email", "phone_number", "external_id" -> {
                return new String[] {"p." + prop, "to_jsonb(p." + prop + ")"};
            }
            case "first_name", "last_name", "organization", "title", "locale", "image" -> {
                String k = bind(prop);
                return new String[] {"(p.attributes ->> " + k + ")", "(p.attributes -> " + k + ")"};
            }
            default -> {
                if (prop.startsWith("location.")) {
                    String k = bind(prop.substring(9));
                    return new String[] {"(p.attributes -> 'location' ->> " + k + ")",
                            "(p.attributes -> 'location' -> " + k + ")"};
                }
                throw ApiException.invalid(null, "Unknown profile property `" + prop + "`; use properties['name'], "
                        + "email, phone_number, external_id, first_name, last_name, organization, title, locale or "
                        + "location.<field>.");
            }
        }
    }

    private String property(SegmentDefinition.Property p) {
        String[] e = expr(p.property());
        String text = e[0];
        String json = e[1];
        return switch (p.kind()) {
            case "existence" -> p.operator().equals("is-set") ? "(" + text + " IS NOT NULL AND " + text + " <> '')"
                    : "(" + text + " IS NULL OR " + text + " = '')";
            case "boolean" -> "(" + json + " = " + bind(String.valueOf(p.value())) + "::jsonb)";
            case "numeric" -> {
                String num = "(CASE WHEN jsonb_typeof(" + json + ") = 'number' THEN (" + text + ")::numeric END)";
                yield "(" + num + " " + cmp(p.operator()) + " " + bind(p.value()) + ")";
            }
            default -> {
                String v = bind(p.value() == null ? "" : p.value().toString());
                yield switch (p.operator()) {
                    case "equals" -> "(" + text + " = " + v + ")";
                    case "not-equals" -> "(" + text + " IS DISTINCT FROM " + v + ")";
                    case "contains" -> "(strpos(" + text + ", " + v + ") > 0)";
                    case "not-contains" -> "(COALESCE(strpos(" + text + ", " + v + "), 0) = 0)";
                    case "starts-with" -> "(left(" + text + ", length(" + v + ")) = " + v + ")";
                    case "not-starts-with" -> "(left(" + text + ", length(" + v + ")) IS DISTINCT FROM " + v + ")";
                    case "ends-with" -> "(right(" + text + ", length(" + v + ")) = " + v + ")";
                    case "not-ends-with" -> "(right(" + text + ", length(" + v + ")) IS DISTINCT FROM " + v + ")";
                    default -> throw ApiException.invalid(null, "Unsupported string operator `" + p.operator() + "`.");
                };
            }
        };
    }

    static String cmp(String operator) {
        return switch (operator) {
            case "equals" -> "=";
            case "not-equals" -> "<>";
            case "greater-than" -> ">";
            case "greater-than-or-equal" -> ">=";
            case "less-than" -> "<";
            case "less-than-or-equal" -> "<=";
            default -> throw ApiException.invalid(null, "Unsupported numeric operator `" + operator + "`.");
        };
    }

    private String metric(SegmentDefinition.Metric m, Map<String, String> metricNames, boolean scoped, Instant now) {
        String alias = "m" + (n++);
        String name = metricNames.get(m.metricId());
        SegmentDefinition.Window w = m.window();
        Instant from = w.inTheLast() != null ? now.minus(w.inTheLast()) : w.start();
        Instant to = w.atLeastAgo() != null ? now.minus(w.atLeastAgo()) : w.end();
        StringBuilder sub = new StringBuilder("SELECT COALESCE(pr.merged_into, e.profile_id) AS pid, count(*) AS n, "
                + "COALESCE(sum(e.value), 0) AS s FROM events e JOIN profiles pr ON pr.company_id = e.company_id "
                + "AND pr.id = e.profile_id WHERE e.company_id = :c AND e.name = " + bind(name == null ? "" : name));
        if (from != null) sub.append(" AND e.occurred_at >= ").append(bind(java.sql.Timestamp.from(from)));
        if (to != null) sub.append(" AND e.occurred_at < ").append(bind(java.sql.Timestamp.from(to)));
        if (scoped) sub.append(" AND e.profile_id = ANY(:scopeAll)");
        sub.append(" GROUP BY 1");
        joins.append(" LEFT JOIN (").append(sub).append(") ").append(alias).append(" ON ").append(alias)
                .append(".pid = p.id");
        String measure = "COALESCE(" + alias + (m.sum() ? ".s" : ".n") + ", 0)";
        return "(" + measure + " " + cmp(m.operator()) + " " + bind(m.value() == null ? BigDecimal.ZERO : m.value()) + ")";
    }

    private String membership(SegmentDefinition.Membership m) {
        String ids = bind(m.groupIds().toArray(String[]::new));
        String in = "(EXISTS (SELECT 1 FROM list_memberships lm WHERE lm.company_id = :c AND lm.profile_id = p.id "
                + "AND lm.list_id = ANY(" + ids + ")) OR EXISTS (SELECT 1 FROM segment_memberships sm WHERE "
                + "sm.company_id = :c AND sm.profile_id = p.id AND sm.segment_id = ANY(" + ids + ")))";
        return m.member() ? in : "(NOT " + in + ")";
    }

    private String consent(SegmentDefinition.Consent k) {
        String ch = bind(k.channel());
        String contact = k.channel().equals("email") ? "p.email IS NOT NULL" : "p.phone_number IS NOT NULL";
        String unsub = "EXISTS (SELECT 1 FROM subscriptions su WHERE su.company_id = :c AND su.profile_id = p.id "
                + "AND su.channel = " + ch + " AND su.purpose = 'marketing' AND su.state = 'unsubscribed')";
        String suppressed = k.channel().equals("email") ? " OR EXISTS (SELECT 1 FROM suppressions x WHERE "
                + "x.company_id = :c AND x.profile_id = p.id)" : "";
        String can = "(" + contact + " AND NOT (" + unsub + suppressed + "))";
        String state = "";
        if (k.state() != null) {
            state = switch (k.state()) {
                case "never_subscribed" -> " AND NOT EXISTS (SELECT 1 FROM subscriptions su WHERE su.company_id = :c "
                        + "AND su.profile_id = p.id AND su.channel = " + ch + " AND su.purpose = 'marketing')";
                default -> " AND EXISTS (SELECT 1 FROM subscriptions su WHERE su.company_id = :c AND su.profile_id = p.id "
                        + "AND su.channel = " + ch + " AND su.purpose = 'marketing' AND su.state = " + bind(k.state()) + ")";
            };
        }
        return "(" + (k.canReceive() ? can : "NOT " + can) + state + ")";
    }
}
