package io.switchboard.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.api.klaviyo.KlaviyoFilter;
import io.switchboard.core.identity.ProfileQuery;
import io.switchboard.core.identity.ProfileQuery.Condition;
import io.switchboard.core.identity.ProfileQuery.Field;
import io.switchboard.core.identity.ProfileQuery.Op;
import io.switchboard.errors.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Klaviyo's filter syntax and the opaque cursor, without a server. */
class KlaviyoFilterTest {

    @Test
    void parsesEqualsAnyAndRangesCombined() {
        List<Condition> c = KlaviyoFilter.parseProfileFilter(
                "and(equals(email,\"a,b@x.io\"), any(external_id,['u1', \"u2\"]),greater-than(created,2024-01-01T00:00:00+00:00)),"
                        + "less-than(updated,2024-02-01)");
        assertThat(c).containsExactly(
                new Condition(Field.EMAIL, Op.EQUALS, List.of("a,b@x.io")),
                new Condition(Field.EXTERNAL_ID, Op.ANY, List.of("u1", "u2")),
                new Condition(Field.CREATED, Op.GREATER_THAN, List.of("2024-01-01T00:00:00Z")),
                new Condition(Field.UPDATED, Op.LESS_THAN, List.of("2024-02-01T00:00:00Z")));
        // a "+" that arrived as a space (unencoded in a query string) still parses
        assertThat(KlaviyoFilter.parseProfileFilter("greater-than(updated,2024-01-01T10:00:00 02:00)"))
                .containsExactly(new Condition(Field.UPDATED, Op.GREATER_THAN, List.of("2024-01-01T08:00:00Z")));
        assertThat(KlaviyoFilter.parseProfileFilter("  ")).isEmpty();
        assertThat(KlaviyoFilter.parseProfileFilter("equals(id,01ARZ3NDEKTSV4RRFFQ69G5FAV)"))
                .containsExactly(new Condition(Field.ID, Op.EQUALS, List.of("01ARZ3NDEKTSV4RRFFQ69G5FAV")));
    }

    @Test
    void rejectsWhatIsNotSupportedNamingTheParameter() {
        for (String bad : new String[] {"equals(email)", "equals(email,\"a\"", "equals(email,\"a)", "nope(email,\"a\")",
                "equals(_kx,\"a\")", "greater-than(email,\"a\")", "equals(created,2024-01-01)", "any(id,[])",
                "greater-than(created,tomorrow)", "equals(email,\"a\") trailing", "or(equals(id,\"a\"))"}) {
            assertThatThrownBy(() -> KlaviyoFilter.parseProfileFilter(bad)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("filter"));
        }
    }

    @Test
    void cursorsRoundTripAndAreBoundToTheirSort() {
        ProfileQuery.Cursor c = new ProfileQuery.Cursor(true, "email", true, "a@b.co", "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        String wire = c.encode();
        assertThat(wire).matches("[A-Za-z0-9_-]+");
        assertThat(ProfileQuery.Cursor.decode(wire, ProfileQuery.SortField.EMAIL, true, "page[cursor]")).isEqualTo(c);
        assertThatThrownBy(() -> ProfileQuery.Cursor.decode(wire, ProfileQuery.SortField.EMAIL, false, "page[cursor]"))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> ProfileQuery.Cursor.decode("%%%", ProfileQuery.SortField.ID, false, "page[cursor]"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("page[cursor]"));
    }
}
