package io.switchboard.core;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sealing of list cursors ({@code page[cursor]}): the wire form is {@code base64url(payload) "."
 * base64url(HMAC-SHA256(key, payload)[0..16])}. A cursor the server did not issue — forged, edited,
 * truncated, or made under another key — fails {@link #open} and the list answers 400 naming
 * {@code page[cursor]}; only sealed payloads are ever decoded. Payloads are positions in a company's own
 * data (never a company id: every query stays scoped by the caller's company).
 *
 * <p>The key is installed once at startup ({@code cursorSecret} in config.yml, else the database's own
 * secret, see docs/operations.md), so every server on one database accepts the others' cursors and cursors
 * survive restarts. Before {@link #install} (tools, unit tests) a random per-process key is used. Cursors
 * made under any key installed in this process are accepted; new ones are sealed with the latest.
 */
public final class Cursors {
    private static final int TAG_BYTES = 16;
    private static final int MAX_LENGTH = 2048;
    private static final List<byte[]> KEYS = new CopyOnWriteArrayList<>();

    static {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        KEYS.add(k);
    }

    private Cursors() {}

    /** Makes {@code key} the sealing key of this process (at least 32 bytes). */
    public static void install(byte[] key) {
        if (key == null || key.length < 32) throw new IllegalArgumentException("cursor key needs at least 32 bytes");
        for (byte[] k : KEYS) if (MessageDigest.isEqual(k, key)) {
            KEYS.remove(k);
            break;
        }
        KEYS.add(0, key.clone());
    }

    /**
     * Installs the deployment's key: SHA-256 of {@code configuredSecret} when it is set (config.yml
     * {@code cursorSecret}, at least 32 characters), else the database's {@code cursor_hmac} secret, made
     * by the first server that starts on it.
     */
    public static void installFor(org.jdbi.v3.core.Jdbi jdbi, String configuredSecret) {
        if (configuredSecret != null && !configuredSecret.isBlank()) {
            if (configuredSecret.length() < 32) {
                throw new IllegalArgumentException("cursorSecret must be at least 32 characters (or empty to use "
                        + "the database's own secret)");
            }
            try {
                install(MessageDigest.getInstance("SHA-256").digest(configuredSecret.getBytes(StandardCharsets.UTF_8)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        byte[] key = jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO server_secrets (name, secret) VALUES ('cursor_hmac', :s) ON CONFLICT (name) DO NOTHING")
                    .bind("s", fresh).execute();
            return h.createQuery("SELECT secret FROM server_secrets WHERE name = 'cursor_hmac'").mapTo(byte[].class).one();
        });
        install(key);
    }

    /** The opaque, tamper-proof wire form of {@code payload}. */
    public static String seal(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(p) + "." + b64.encodeToString(tag(KEYS.get(0), p));
    }

    /** The payload of a cursor this server sealed; empty for anything else. */
    public static Optional<String> open(String token) {
        if (token == null) return Optional.empty();
        String t = token.trim();
        int dot = t.indexOf('.');
        if (t.length() > MAX_LENGTH || dot <= 0 || dot != t.lastIndexOf('.')) return Optional.empty();
        byte[] payload;
        byte[] tag;
        try {
            payload = Base64.getUrlDecoder().decode(t.substring(0, dot));
            tag = Base64.getUrlDecoder().decode(t.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (byte[] k : KEYS) {
            if (MessageDigest.isEqual(tag(k, payload), tag)) {
                return Optional.of(new String(payload, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private static byte[] tag(byte[] key, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] full = mac.doFinal(payload);
            return java.util.Arrays.copyOf(full, TAG_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
