package io.switchboard.core.members;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * The portal's people (docs/portal.md): members, their memberships and roles, server-side sessions,
 * single-use invitation and password-reset links, and sign-in rate limiting with lockout.
 *
 * <p>Secrets never stored: session, invitation and reset tokens are kept as SHA-256 hashes, passwords
 * as Argon2id hashes (Spring Security Crypto over BouncyCastle). Company-owned rows are always read
 * and written with their company_id.
 */
public class MemberService {
    public static final int MIN_PASSWORD = 10;
    public static final int MAX_PASSWORD = 200;
    /** Failed sign-ins for one email inside {@link #LOCK_WINDOW} that lock it for the rest of the window. */
    public static final int LOCK_AFTER = 5;
    public static final Duration LOCK_WINDOW = Duration.ofMinutes(15);
    /** Failed sign-ins from one client address inside {@link #LOCK_WINDOW} after which it is refused. */
    public static final int IP_LIMIT = 30;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Argon2PasswordEncoder ENCODER = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    /** Hashed once so that a sign-in for an unknown email costs what a known one costs. */
    private static final String DUMMY_HASH = ENCODER.encode("not a password of anyone");

    private final Jdbi jdbi;
    private final Duration sessionTtl;
    private final Duration invitationTtl;
    private final Duration resetTtl;

    public MemberService(Jdbi jdbi, Duration sessionTtl, Duration invitationTtl, Duration resetTtl) {
        this.jdbi = jdbi;
        this.sessionTtl = sessionTtl;
        this.invitationTtl = invitationTtl;
        this.resetTtl = resetTtl;
    }

    public MemberService(Jdbi jdbi) {
        this(jdbi, Duration.ofHours(12), Duration.ofDays(7), Duration.ofHours(1));
    }

    // ---------------------------------------------------------------- records

    public record Session(long id, long memberId, String email, String csrfToken, Instant expiresAt) {}

    /** A new session and the cookie token for it (the only time the token exists outside the browser). */
    public record NewSession(Session session, String token) {}

    public record Membership(long companyId, String companyPublicId, String companyName, Role role) {}

    public record CompanyMember(long memberId, String email, Role role, Instant since) {}

    public record PendingInvitation(long id, String email, Role role, Instant createdAt, Instant expiresAt) {}

    /** What an invitation link shows before it is accepted. */
    public record InvitationInfo(long companyId, String companyName, String email, Role role,
                                 boolean memberExists) {}

    public enum SignInOutcome { OK, INVALID, LOCKED, RATE_LIMITED }

    public record SignInResult(SignInOutcome outcome, NewSession session) {}

    /** A rule a request broke, with the form field it concerns; pages show the message next to it. */
    public static final class Refused extends RuntimeException {
        private final String field;

        public Refused(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    // ---------------------------------------------------------------- tokens

    static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean plausibleToken(String token) {
        return token != null && token.length() == 43 && token.matches("[A-Za-z0-9_-]{43}");
    }

    public static String normalizeEmail(String email) {
        String e = email == null ? "" : email.trim();
        if (e.length() < 3 || e.length() > 320 || !e.matches("[^@\\s]+@[^@\\s]+")) {
            throw new Refused("email", "Enter a valid email address.");
        }
        return e.toLowerCase(Locale.ROOT);
    }

    static void checkPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new Refused("password", "The password needs at least " + MIN_PASSWORD + " characters.");
        }
        if (password.length() > MAX_PASSWORD) {
            throw new Refused("password", "The password may have at most " + MAX_PASSWORD + " characters.");
        }
    }

    // ---------------------------------------------------------------- invitations

    /**
     * A single-use invitation to {@code companyId} with {@code role}; {@code email} may be null (the first
     * owner's link, which whoever holds it accepts with an email of their choice). Returns the token.
     */
    public String invite(long companyId, String email, Role role, Long invitedBy) {
        String e = email == null ? null : normalizeEmail(email);
        String token = newToken();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO invitations (company_id, email, role, token_hash, invited_by, expires_at)
                        VALUES (:c, :e, :r, :t, :by, :exp)""")
                .bind("c", companyId).bind("e", e).bind("r", role.wire()).bind("t", hash(token))
                .bind("by", invitedBy).bind("exp", OffsetDateTime.now().plus(invitationTtl)).execute());
        return token;
    }

    public Optional<InvitationInfo> invitation(String token) {
        if (!plausibleToken(token)) return Optional.empty();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT i.company_id, c.name, i.email, i.role,
                               EXISTS (SELECT 1 FROM members m WHERE lower(m.email) = i.email
                                       AND m.password_hash IS NOT NULL) AS member_exists
                        FROM invitations i JOIN companies c ON c.id = i.company_id
                        WHERE i.token_hash = :t AND i.accepted_at IS NULL AND i.expires_at > now()""")
                .bind("t", hash(token))
                .map((rs, ctx) -> new InvitationInfo(rs.getLong(1), rs.getString(2), rs.getString(3),
                        Role.parse(rs.getString(4)).orElseThrow(), rs.getBoolean(5)))
                .findFirst());
    }

    /**
     * Accepts an invitation: the member is created with {@code password} (or, if the email already has
     * a password, must present it), joins the company with the invited role, and the link is spent.
     * Returns a new session.
     */
    public NewSession accept(String token, String email, String password) {
        if (!plausibleToken(token)) throw new Refused("token", "This invitation link is not valid.");
        String e = normalizeEmail(email);
        if (password == null || password.length() > MAX_PASSWORD) checkPassword(password);
        return jdbi.inTransaction(h -> {
            var inv = h.createQuery("""
                            SELECT company_id, id, email, role FROM invitations
                            WHERE token_hash = :t AND accepted_at IS NULL AND expires_at > now() FOR UPDATE""")
                    .bind("t", hash(token)).mapToMap().findFirst()
                    .orElseThrow(() -> new Refused("token", "This invitation link is not valid, used or expired."));
            String invited = (String) inv.get("email");
            if (invited != null && !invited.equals(e)) {
                throw new Refused("email", "This invitation is for another email address.");
            }
            long companyId = ((Number) inv.get("company_id")).longValue();
            Role role = Role.parse((String) inv.get("role")).orElseThrow();
            var existing = h.createQuery("SELECT id, password_hash FROM members WHERE lower(email) = :e FOR UPDATE")
                    .bind("e", e).mapToMap().findFirst();
            long memberId;
            if (existing.isPresent() && existing.get().get("password_hash") != null) {
                if (!ENCODER.matches(password, (String) existing.get().get("password_hash"))) {
                    throw new Refused("password", "This email already has an account: enter its password.");
                }
                memberId = ((Number) existing.get().get("id")).longValue();
            } else {
                checkPassword(password);
                String ph = ENCODER.encode(password);
                if (existing.isPresent()) {
                    memberId = ((Number) existing.get().get("id")).longValue();
                    h.createUpdate("UPDATE members SET password_hash = :p WHERE id = :id")
                            .bind("p", ph).bind("id", memberId).execute();
                } else {
                    memberId = h.createQuery("INSERT INTO members (email, password_hash) VALUES (:e, :p) RETURNING id")
                            .bind("e", e).bind("p", ph).mapTo(Long.class).one();
                }
            }
            h.createUpdate("""
                            INSERT INTO memberships (company_id, member_id, role) VALUES (:c, :m, :r)
                            ON CONFLICT (company_id, member_id) DO NOTHING""")
                    .bind("c", companyId).bind("m", memberId).bind("r", role.wire()).execute();
            h.createUpdate("UPDATE invitations SET accepted_at = now() WHERE company_id = :c AND id = :id")
                    .bind("c", companyId).bind("id", ((Number) inv.get("id")).longValue()).execute();
            return newSession(h, memberId, e);
        });
    }

    public List<PendingInvitation> pendingInvitations(long companyId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, email, role, created_at, expires_at FROM invitations
                        WHERE company_id = :c AND accepted_at IS NULL AND expires_at > now()
                        ORDER BY created_at DESC LIMIT 100""")
                .bind("c", companyId)
                .map((rs, ctx) -> new PendingInvitation(rs.getLong(1), rs.getString(2),
                        Role.parse(rs.getString(3)).orElseThrow(), rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5).toInstant()))
                .list());
    }

    public boolean cancelInvitation(long companyId, long invitationId) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "DELETE FROM invitations WHERE company_id = :c AND id = :id AND accepted_at IS NULL")
                .bind("c", companyId).bind("id", invitationId).execute()) > 0;
    }

    // ---------------------------------------------------------------- sign-in and sessions

    public SignInResult signIn(String email, String password, String clientIp) {
        String e = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        String ip = clientIp == null ? "" : clientIp;
        if (e.isEmpty() || e.length() > 320 || password == null || password.length() > MAX_PASSWORD) {
            return new SignInResult(SignInOutcome.INVALID, null);
        }
        return jdbi.inTransaction(h -> {
            OffsetDateTime since = OffsetDateTime.now().minus(LOCK_WINDOW);
            int ipFailures = h.createQuery("""
                            SELECT count(*) FROM sign_in_attempts
                            WHERE client_ip = :ip AND at > :since AND NOT succeeded""")
                    .bind("ip", ip).bind("since", since).mapTo(Integer.class).one();
            if (ipFailures >= IP_LIMIT) {
                return new SignInResult(SignInOutcome.RATE_LIMITED, null);
            }
            // failures since the last success inside the window
            int failures = h.createQuery("""
                            SELECT count(*) FROM sign_in_attempts a
                            WHERE lower(a.email) = :e AND a.at > :since AND NOT a.succeeded
                              AND a.at > coalesce((SELECT max(s.at) FROM sign_in_attempts s
                                                   WHERE lower(s.email) = :e AND s.succeeded), '-infinity')""")
                    .bind("e", e).bind("since", since).mapTo(Integer.class).one();
            if (failures >= LOCK_AFTER) {
                record(h, e, ip, false);
                return new SignInResult(SignInOutcome.LOCKED, null);
            }
            var m = h.createQuery("SELECT id, password_hash FROM members WHERE lower(email) = :e")
                    .bind("e", e).mapToMap().findFirst();
            String stored = m.map(r -> (String) r.get("password_hash")).orElse(null);
            boolean ok = ENCODER.matches(password, stored == null ? DUMMY_HASH : stored) && stored != null;
            record(h, e, ip, ok);
            if (!ok) {
                return new SignInResult(failures + 1 >= LOCK_AFTER ? SignInOutcome.LOCKED : SignInOutcome.INVALID, null);
            }
            return new SignInResult(SignInOutcome.OK, newSession(h, ((Number) m.get().get("id")).longValue(), e));
        });
    }

    private static void record(Handle h, String email, String ip, boolean ok) {
        h.createUpdate("INSERT INTO sign_in_attempts (email, client_ip, succeeded) VALUES (:e, :ip, :ok)")
                .bind("e", email).bind("ip", ip.length() > 100 ? ip.substring(0, 100) : ip).bind("ok", ok).execute();
    }

    private NewSession newSession(Handle h, long memberId, String email) {
        String token = newToken();
        String csrf = newToken();
        OffsetDateTime exp = OffsetDateTime.now().plus(sessionTtl);
        long id = h.createQuery("""
                        INSERT INTO portal_sessions (member_id, token_hash, csrf_token, expires_at)
                        VALUES (:m, :t, :c, :exp) RETURNING id""")
                .bind("m", memberId).bind("t", hash(token)).bind("c", csrf).bind("exp", exp)
                .mapTo(Long.class).one();
        return new NewSession(new Session(id, memberId, email, csrf, exp.toInstant()), token);
    }

    /** The live session a cookie token stands for: not expired, not revoked. */
    public Optional<Session> session(String token) {
        if (!plausibleToken(token)) return Optional.empty();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.id, s.member_id, m.email, s.csrf_token, s.expires_at
                        FROM portal_sessions s JOIN members m ON m.id = s.member_id
                        WHERE s.token_hash = :t AND s.revoked_at IS NULL AND s.expires_at > now()""")
                .bind("t", hash(token))
                .map((rs, ctx) -> new Session(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()))
                .findFirst());
    }

    public void signOut(long sessionId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE portal_sessions SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
                .bind("id", sessionId).execute());
    }

    /** Revokes every session of the member (all browsers). */
    public int signOutEverywhere(long memberId) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE portal_sessions SET revoked_at = now() WHERE member_id = :m AND revoked_at IS NULL")
                .bind("m", memberId).execute());
    }

    // ---------------------------------------------------------------- password resets

    /** A reset token for the email's member, or empty when there is none (callers answer alike either way). */
    public Optional<String> requestReset(String email) {
        String e;
        try {
            e = normalizeEmail(email);
        } catch (Refused r) {
            return Optional.empty();
        }
        return jdbi.inTransaction(h -> {
            Optional<Long> id = h.createQuery("SELECT id FROM members WHERE lower(email) = :e")
                    .bind("e", e).mapTo(Long.class).findFirst();
            if (id.isEmpty()) return Optional.<String>empty();
            String token = newToken();
            h.createUpdate("INSERT INTO password_resets (member_id, token_hash, expires_at) VALUES (:m, :t, :exp)")
                    .bind("m", id.get()).bind("t", hash(token))
                    .bind("exp", OffsetDateTime.now().plus(resetTtl)).execute();
            return Optional.of(token);
        });
    }

    public boolean resetValid(String token) {
        if (!plausibleToken(token)) return false;
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT 1 FROM password_resets WHERE token_hash = :t AND used_at IS NULL AND expires_at > now()")
                .bind("t", hash(token)).mapTo(Integer.class).findFirst().isPresent());
    }

    /** Sets the new password, spends the link and signs the member out everywhere. */
    public void resetPassword(String token, String password) {
        if (!plausibleToken(token)) throw new Refused("token", "This reset link is not valid.");
        checkPassword(password);
        jdbi.useTransaction(h -> {
            long memberId = h.createQuery("""
                            UPDATE password_resets SET used_at = now()
                            WHERE token_hash = :t AND used_at IS NULL AND expires_at > now() RETURNING member_id""")
                    .bind("t", hash(token)).mapTo(Long.class).findFirst()
                    .orElseThrow(() -> new Refused("token", "This reset link is not valid, used or expired."));
            h.createUpdate("UPDATE members SET password_hash = :p WHERE id = :m")
                    .bind("p", ENCODER.encode(password)).bind("m", memberId).execute();
            h.createUpdate("UPDATE portal_sessions SET revoked_at = now() WHERE member_id = :m AND revoked_at IS NULL")
                    .bind("m", memberId).execute();
        });
    }

    // ---------------------------------------------------------------- memberships

    public List<Membership> memberships(long memberId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT c.id, c.public_id, c.name, ms.role FROM memberships ms JOIN companies c ON c.id = ms.company_id
                        WHERE ms.member_id = :m ORDER BY c.name, c.id""")
                .bind("m", memberId)
                .map((rs, ctx) -> new Membership(rs.getLong(1), rs.getString(2), rs.getString(3),
                        Role.parse(rs.getString(4)).orElseThrow()))
                .list());
    }

    /** The member's membership in the company with this public id; empty when not a member (or no such company). */
    public Optional<Membership> membership(long memberId, String companyPublicId) {
        if (companyPublicId == null || companyPublicId.length() != 6) return Optional.empty();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT c.id, c.public_id, c.name, ms.role FROM companies c
                        JOIN memberships ms ON ms.company_id = c.id AND ms.member_id = :m
                        WHERE c.public_id = :p""")
                .bind("m", memberId).bind("p", companyPublicId)
                .map((rs, ctx) -> new Membership(rs.getLong(1), rs.getString(2), rs.getString(3),
                        Role.parse(rs.getString(4)).orElseThrow()))
                .findFirst());
    }

    public List<CompanyMember> members(long companyId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT m.id, m.email, ms.role, ms.created_at FROM memberships ms JOIN members m ON m.id = ms.member_id
                        WHERE ms.company_id = :c ORDER BY m.email LIMIT 500""")
                .bind("c", companyId)
                .map((rs, ctx) -> new CompanyMember(rs.getLong(1), rs.getString(2),
                        Role.parse(rs.getString(3)).orElseThrow(), rs.getTimestamp(4).toInstant()))
                .list());
    }

    /** Changes a member's role; a company always keeps at least one owner. */
    public void changeRole(long companyId, long memberId, Role role) {
        jdbi.useTransaction(h -> {
            lockOwners(h, companyId);
            String current = h.createQuery("SELECT role FROM memberships WHERE company_id = :c AND member_id = :m")
                    .bind("c", companyId).bind("m", memberId).mapTo(String.class).findFirst()
                    .orElseThrow(() -> new Refused("member", "No such member."));
            if ("owner".equals(current) && role != Role.OWNER && owners(h, companyId) <= 1) {
                throw new Refused("role", "A company needs at least one owner.");
            }
            h.createUpdate("UPDATE memberships SET role = :r WHERE company_id = :c AND member_id = :m")
                    .bind("r", role.wire()).bind("c", companyId).bind("m", memberId).execute();
        });
    }

    public void removeMember(long companyId, long memberId) {
        jdbi.useTransaction(h -> {
            lockOwners(h, companyId);
            String current = h.createQuery("SELECT role FROM memberships WHERE company_id = :c AND member_id = :m")
                    .bind("c", companyId).bind("m", memberId).mapTo(String.class).findFirst()
                    .orElseThrow(() -> new Refused("member", "No such member."));
            if ("owner".equals(current) && owners(h, companyId) <= 1) {
                throw new Refused("member", "A company needs at least one owner.");
            }
            h.createUpdate("DELETE FROM memberships WHERE company_id = :c AND member_id = :m")
                    .bind("c", companyId).bind("m", memberId).execute();
        });
    }

    private static void lockOwners(Handle h, long companyId) {
        h.createQuery("SELECT member_id FROM memberships WHERE company_id = :c AND role = 'owner' FOR UPDATE")
                .bind("c", companyId).mapTo(Long.class).list();
    }

    private static int owners(Handle h, long companyId) {
        return h.createQuery("SELECT count(*) FROM memberships WHERE company_id = :c AND role = 'owner'")
                .bind("c", companyId).mapTo(Integer.class).one();
    }
}
