package io.switchboard.core.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Key material: generation, format checks and hashing. Plaintext keys exist only in the creating response. */
public final class Keys {
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern KEY_FORMAT = Pattern.compile("^(pk|sk)_[A-Za-z0-9]{32}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {}

    public static String newKey(String kind) {
        return ("secret".equals(kind) ? "sk_" : "pk_") + random(32);
    }

    public static String newPublicId() {
        return random(6);
    }

    static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
        }
        return sb.toString();
    }

    /**
     * {@code ^(pk|sk)_[A-Za-z0-9]{32}$}, checked by hand: it runs on every authenticated request, and a
     * regular expression's matcher was most of this method's cost there (docs/performance.md).
     */
    public static boolean looksLikeKey(String s) {
        if (s == null || s.length() != 35 || s.charAt(2) != '_' || s.charAt(1) != 'k') return false;
        char c0 = s.charAt(0);
        if (c0 != 'p' && c0 != 's') return false;
        for (int i = 3; i < 35; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
        }
        return true;
    }

    /** The same check as a regular expression (kept for tests that compare the two). */
    static boolean looksLikeKeyByPattern(String s) {
        return s != null && KEY_FORMAT.matcher(s).matches();
    }

    public static String kindOf(String key) {
        return key.startsWith("sk_") ? "secret" : "public";
    }

    /** Display prefix: the first 8 characters, e.g. {@code sk_AbC12}. */
    public static String prefix(String key) {
        return key.substring(0, 8);
    }

    public static byte[] hash(String key) {
        MessageDigest md = SHA256.get();
        md.reset();
        return md.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    /** One digester per thread: every authenticated request hashes its key (a provider lookup per call was ~20 % of the auth filter). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** Constant-time comparison of two secrets. */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(hash(a), hash(b));
    }
}
