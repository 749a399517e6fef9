package io.switchboard.core.identity;

import io.switchboard.core.identity.ProfileQuery.Condition;
import io.switchboard.core.identity.ProfileQuery.Cursor;
import io.switchboard.core.identity.ProfileQuery.Page;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.db.ProfileQueryDao;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Jdbi;

/**
 * Filtered, sorted, cursor-paged listing of live profiles (Klaviyo {@code GET /api/profiles} and the
 * admin list). Identifier values in conditions are normalised as writes normalise them, so
 * {@code equals(email,"Sarah@Example.com")} finds {@code sarah@example.com}.
 */
public class ProfileQueries {
    private final Jdbi jdbi;
    private final LongFunction<CompanySettings> settings;

    public ProfileQueries(Jdbi jdbi, LongFunction<CompanySettings> settings) {
        this.jdbi = jdbi;
        this.settings = settings;
    }

    public Page page(long companyId, ProfileQuery query) {
        CompanySettings s = settings.apply(companyId);
        List<Condition> normalized = new ArrayList<>();
        for (Condition c : query.conditions()) {
            normalized.add(new Condition(c.field(), c.op(), c.values().stream().map(v -> normalize(c.field(), v, s))
                    .toList()));
        }
        ProfileQuery q = new ProfileQuery(normalized, query.sort(), query.descending(), query.size(), query.cursor());
        int size = q.size();
        List<Profile> rows = jdbi.withHandle(h -> new ProfileQueryDao(h).fetch(companyId, q, size + 1));
        boolean more = rows.size() > size;
        Cursor cur = q.cursor();
        List<Profile> items;
        Cursor next;
        Cursor prev;
        if (cur != null && cur.before()) {
            items = more ? rows.subList(rows.size() - size, rows.size()) : rows;
            prev = more ? at(true, items.get(0), q) : null;
            next = items.isEmpty() ? null : at(false, items.get(items.size() - 1), q);
        } else {
            items = more ? rows.subList(0, size) : rows;
            next = more ? at(false, items.get(items.size() - 1), q) : null;
            prev = cur != null && !items.isEmpty() ? at(true, items.get(0), q) : null;
        }
        return new Page(List.copyOf(items), next, prev);
    }

    private static Cursor at(boolean before, Profile p, ProfileQuery q) {
        return new Cursor(before, q.sort().wire(), q.descending(), ProfileQuery.sortKey(p, q.sort()), p.id());
    }

    private static String normalize(ProfileQuery.Field f, String v, CompanySettings s) {
        if (v == null) return "";
        return switch (f) {
            case EMAIL -> Normalizer.email(v).orElse(v.trim().toLowerCase(Locale.ROOT));
            case PHONE_NUMBER -> Normalizer.phone(v, s).orElse(v.trim());
            case EXTERNAL_ID, ID -> v.trim();
            case CREATED, UPDATED -> v;
        };
    }
}
