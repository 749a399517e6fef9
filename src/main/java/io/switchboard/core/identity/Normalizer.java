package io.switchboard.core.identity;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import io.switchboard.core.tenancy.CompanySettings;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Identifier normalisation (identity.md, "Identifiers"): trim; lowercase emails; E.164 phones through
 * libphonenumber with the company's default region; junk values are never identifiers.
 */
public final class Normalizer {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s\"(),:;<>\\[\\]\\\\]+@[^@\\s\"(),:;<>\\[\\]\\\\]+\\.[^@\\s\"(),:;<>\\[\\]\\\\.]{2,}$");
    private static final Pattern ZEROS_AND_DASHES = Pattern.compile("^[0-]*$");
    private static final Set<String> JUNK = Set.of("", "null", "undefined", "nan", "none", "anonymous", "guest",
            "[object object]", "0", "-1");
    public static final int MAX_IDENTIFIER_LENGTH = 512;

    private Normalizer() {}

    /** True for values that are never identifiers (case-insensitive, also when quoted). */
    public static boolean isJunk(String raw, CompanySettings settings) {
        if (raw == null) return true;
        String v = raw.trim();
        while (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            v = v.substring(1, v.length() - 1).trim();
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (JUNK.contains(lower) || ZEROS_AND_DASHES.matcher(v).matches()) return true;
        if (settings != null) {
            for (String b : settings.identifierBlockList()) {
                if (b != null && b.trim().equalsIgnoreCase(lower)) return true;
            }
        }
        return false;
    }

    /** A plain id (external or anonymous): trimmed, or empty when junk. */
    public static Optional<String> plainId(String raw, CompanySettings settings) {
        if (isJunk(raw, settings)) return Optional.empty();
        String v = raw.trim();
        return v.length() > MAX_IDENTIFIER_LENGTH ? Optional.empty() : Optional.of(v);
    }

    /** The normalised email, or empty when it does not look like an email. Junk must be checked first. */
    public static Optional<String> email(String raw) {
        if (raw == null) return Optional.empty();
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.length() > 320 || !EMAIL.matcher(v).matches()) return Optional.empty();
        return Optional.of(v);
    }

    /** E.164, or empty when it cannot be parsed as a possible number. */
    public static Optional<String> phone(String raw, CompanySettings settings) {
        if (raw == null) return Optional.empty();
        String v = raw.trim();
        if (v.isEmpty() || v.length() > 64) return Optional.empty();
        String region = settings == null ? "US" : settings.defaultRegion();
        try {
            Phonenumber.PhoneNumber n = PHONES.parse(v, region);
            if (!PHONES.isPossibleNumber(n)) return Optional.empty();
            return Optional.of(PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164));
        } catch (NumberParseException e) {
            return Optional.empty();
        }
    }
}
