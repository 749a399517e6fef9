package io.switchboard.resources.klaviyo;

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
        assertThat(wire).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        assertThat(ProfileQuery.Cursor.decode(wire, ProfileQuery.SortField.EMAIL, true)).contains(c);
        assertThat(ProfileQuery.Cursor.decode(wire, ProfileQuery.SortField.EMAIL, false)).isEmpty();
        assertThat(ProfileQuery.Cursor.decode("%%%", ProfileQuery.SortField.ID, false)).isEmpty();
    }

    /** Issue 11 finding 6: a cursor is sealed; any edit, forgery or truncation is refused (no decoding). */
    @Test
    void forgedOrEditedCursorsAreRefused() {
        ProfileQuery.Cursor c = new ProfileQuery.Cursor(false, "created", false, "2024-01-01T00:00:00Z",
                "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        String wire = c.encode();
        String payload = wire.substring(0, wire.indexOf('.'));
        String tag = wire.substring(wire.indexOf('.') + 1);
        // the old, unsigned form of the same position, and a forged out-of-range time key
        String unsigned = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"b\":false,\"s\":\"created\",\"k\":\"+999999999-12-31T23:59:59Z\",\"i\":\"x\"}".getBytes());
        for (String bad : new String[] {unsigned, payload, payload + "." , "." + tag, unsigned + "." + tag,
                payload + "." + tag.substring(1), payload.substring(1) + "." + tag, wire + "." + tag, "\u0000"}) {
            assertThat(ProfileQuery.Cursor.decode(bad, ProfileQuery.SortField.CREATED, false)).as(bad).isEmpty();
        }
        assertThat(ProfileQuery.Cursor.decode(wire, ProfileQuery.SortField.CREATED, false)).contains(c);
    }
}
