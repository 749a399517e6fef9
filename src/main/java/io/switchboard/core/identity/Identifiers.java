package io.switchboard.core.identity;

import java.util.ArrayList;
import java.util.List;

/**
 * The identifiers a write names, as received (raw). {@link Normalizer} turns them into
 * {@link Identifier}s; values that are junk or malformed drop out (or are rejected, for strict callers).
 */
public record Identifiers(String externalId, String email, String phoneNumber, List<String> anonymousIds) {
    public Identifiers {
        anonymousIds = anonymousIds == null ? List.of() : List.copyOf(anonymousIds.stream().filter(a -> a != null).toList());
    }

    public static Identifiers of(String externalId, String email, String phoneNumber, String anonymousId) {
        List<String> anon = new ArrayList<>();
        if (anonymousId != null) anon.add(anonymousId);
        return new Identifiers(externalId, email, phoneNumber, anon);
    }

    public static Identifiers external(String externalId) {
        return of(externalId, null, null, null);
    }

    public static Identifiers anonymous(String anonymousId) {
        return of(null, null, null, anonymousId);
    }

    public boolean isEmpty() {
        return externalId == null && email == null && phoneNumber == null && anonymousIds.isEmpty();
    }
}
