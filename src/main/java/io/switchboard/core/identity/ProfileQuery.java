package io.switchboard.core.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.Cursors;
import io.switchboard.core.Times;
import java.util.List;
import java.util.Locale;

/**
 * A dialect-neutral, filtered, sorted, keyset-paged listing of a company's live profiles. Dialects
 * translate their own syntax into it (Klaviyo {@code filter=and(equals(email,"a@b.c"),…)}, the admin
 * API's query parameters) and render the {@link Page} in their own shape.
 *
 * @param conditions all must hold (AND)
 * @param sort       the sort key; ties are broken by id in the same direction
 * @param descending sort direction
 * @param size       page size (the dialect validates its own bounds)
 * @param cursor     where the page starts, or null for the first page
 */
public record ProfileQuery(List<Condition> conditions, SortField sort, boolean descending, int size, Cursor cursor) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ProfileQuery {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        sort = sort == null ? SortField.ID : sort;
    }

    /** Fields a condition can test. Identifier values are normalised like writes before matching. */
    public enum Field {
        ID("id"), EMAIL("email"), PHONE_NUMBER("phone_number"), EXTERNAL_ID("external_id"),
        CREATED("created"), UPDATED("updated");

        private final String wire;

        Field(String wire) {
            this.wire = wire;
        }

        public String wire() { return wire; }

        public boolean isTime() { return this == CREATED || this == UPDATED; }

        public static Field of(String wire) {
            for (Field f : values()) if (f.wire.equals(wire)) return f;
            return null;
        }
    }

    public enum Op { EQUALS, ANY, GREATER_THAN, LESS_THAN }

    /** One test: {@code values} has one element except for {@link Op#ANY}; times are ISO-8601 instants. */
    public record Condition(Field field, Op op, List<String> values) {
        public Condition {
            values = List.copyOf(values);
        }
    }

    public enum SortField {
        ID("id"), CREATED("created"), UPDATED("updated"), EMAIL("email");

        private final String wire;

        SortField(String wire) {
            this.wire = wire;
        }

        public String wire() { return wire; }

        public static SortField of(String wire) {
            for (SortField f : values()) if (f.wire.equals(wire)) return f;
            return null;
        }
    }

    /**
     * A position between two rows: {@code before} = the page ends just before ({@code key}, {@code id}),
     * else it starts just after it. Bound to the sort it was made for.
     */
    public record Cursor(boolean before, String sort, boolean descending, String key, String id) {

        /** The opaque, sealed wire form (see {@link Cursors}). */
        public String encode() {
            ObjectNode n = JSON.createObjectNode();
            n.put("b", before);
            n.put("s", (descending ? "-" : "") + sort);
            n.put("k", key);
            n.put("i", id);
            return Cursors.seal(n.toString());
        }

        /**
         * Decodes a cursor for a query sorted by {@code sort}; empty for a cursor this server did not seal,
         * or one made for another sort order.
         */
        public static java.util.Optional<Cursor> decode(String raw, SortField sort, boolean descending) {
            try {
                String payload = Cursors.open(raw).orElseThrow(() -> new IllegalArgumentException("not sealed"));
                JsonNode n = JSON.readTree(payload);
                String s = n.path("s").asText();
                Cursor c = new Cursor(n.path("b").asBoolean(), s.startsWith("-") ? s.substring(1) : s,
                        s.startsWith("-"), n.path("k").isTextual() ? n.path("k").asText() : null,
                        n.path("i").isTextual() ? n.path("i").asText() : null);
                if (c.id == null || !c.sort.equals(sort.wire()) || c.descending != descending) {
                    throw new IllegalArgumentException("cursor for another sort");
                }
                if ((sort == SortField.CREATED || sort == SortField.UPDATED)
                        && (c.key == null || Times.parse(c.key).isEmpty())) {
                    throw new IllegalArgumentException("bad time key");
                }
                if (c.id.indexOf('\0') >= 0 || (c.key != null && c.key.indexOf('\0') >= 0)) {
                    throw new IllegalArgumentException("NUL");
                }
                return java.util.Optional.of(c);
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }
    }

    /** One page: the profiles in order and the cursors of the neighbouring pages (null when none). */
    public record Page(List<Profile> items, Cursor next, Cursor prev) {}

    /** The sort key of a profile, as stored in cursors. */
    public static String sortKey(Profile p, SortField sort) {
        return switch (sort) {
            case ID -> p.id();
            case CREATED -> p.createdAt().toString();
            case UPDATED -> p.updatedAt().toString();
            case EMAIL -> p.email() == null ? "" : p.email().toLowerCase(Locale.ROOT);
        };
    }
}
