package io.switchboard.core.identity;

/**
 * A client-side profile upsert (Klaviyo {@code POST /client/profiles}): the identifiers and writes of
 * the body's attributes, plus the identifiers the client named separately ({@code meta.identifiers}),
 * optionally by profile id. The precedence between them is identity policy, applied by
 * {@link IdentityService#clientUpsertAsync} inside the unit of work.
 *
 * @param attributes identifiers sent with the attributes
 * @param named      identifiers named apart from the attributes (may be empty, never null)
 * @param namedId    a profile id named apart from the attributes (may be null)
 */
public record ClientProfileWrite(Identifiers attributes, ProfileWrite write, Identifiers named, String namedId) {
    public ClientProfileWrite {
        if (named == null) named = Identifiers.of(null, null, null, null);
    }
}
