package io.switchboard.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.core.members.MemberService;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The portal over HTTP on real PostgreSQL: invitations, passwords, sessions, CSRF, lockout, roles and
 * tenant isolation (docs/portal.md).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PortalIntegrationTest {
    static final AppFixture F = new AppFixture();
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = F.app;
    static final String PASSWORD = "correct-horse-battery";

    /** A browser: a cookie jar and the CSRF token of the last page it loaded. */
    static final class Browser {
        final Map<String, String> cookies = new HashMap<>();
        String csrf = "";

        Res get(String path) {
            return keep(F.request("GET", path, null, headers(Map.of())));
        }

        Res post(String path, Map<String, String> form) {
            Map<String, String> f = new LinkedHashMap<>(form);
            f.putIfAbsent("_csrf", csrf);
            return postRaw(path, f);
        }

        /** An htmx POST (form plus the X-CSRF-Token and HX-Request headers); the "HX" key is dropped. */
        Res request(String path, Map<String, String> form) {
            Map<String, String> f = new LinkedHashMap<>(form);
            f.remove("HX");
            String body = f.entrySet().stream()
                    .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
            return keep(F.request("POST", path, body, headers(Map.of("Content-Type", "application/x-www-form-urlencoded",
                    "X-CSRF-Token", csrf, "HX-Request", "true"))));
        }

        Res postRaw(String path, Map<String, String> form) {
            String body = form.entrySet().stream()
                    .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
            return keep(F.request("POST", path, body, headers(Map.of("Content-Type", "application/x-www-form-urlencoded"))));
        }

        Map<String, String> headers(Map<String, String> extra) {
            Map<String, String> h = new HashMap<>(extra);
            if (!cookies.isEmpty()) {
                h.put("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("; ")));
            }
            return h;
        }

        Res keep(Res r) {
            for (String sc : r.headers().allValues("Set-Cookie")) {
                String nv = sc.split(";", 2)[0];
                int eq = nv.indexOf('=');
                String v = nv.substring(eq + 1);
                if (v.isEmpty() || sc.contains("Max-Age=0")) cookies.remove(nv.substring(0, eq));
                else cookies.put(nv.substring(0, eq), v);
            }
            Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]*)\"").matcher(r.body());
            if (m.find()) csrf = m.group(1);
            return r;
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    record Company(String publicId, String invitationPath, String secretKey) {}

    static Company company(String name) {
        Res r = F.post("/admin/companies", "{\"data\":{\"type\":\"company\",\"attributes\":{\"name\":\"" + name + "\"}}}",
                Map.of("Authorization", "Bearer " + AppFixture.ADMIN_TOKEN, "Content-Type", "application/vnd.api+json"));
        assertThat(r.status()).isEqualTo(201);
        String url = r.json().at("/meta/owner_invitation_url").asText();
        assertThat(url).contains("/portal/invitations/");
        return new Company(r.json().at("/data/id").asText(), url.substring(url.indexOf("/portal/")),
                r.json().at("/meta/secret_key").asText());
    }

    static String email(String who) {
        return who + "-" + System.nanoTime() + "@example.test";
    }

    /** Accepts an invitation in a fresh browser: signed in afterwards. */
    static Browser join(String invitationPath, String email) {
        Browser b = new Browser();
        assertThat(b.get(invitationPath).status()).isEqualTo(200);
        Res r = b.post(invitationPath, Map.of("email", email, "password", PASSWORD, "password_again", PASSWORD));
        assertThat(r.status()).as(r.body()).isEqualTo(303);
        assertThat(b.cookies).containsKey("sb_session");
        return b;
    }

    static Browser owner(Company c) {
        return join(c.invitationPath(), email("owner"));
    }

    /** An owner invites {@code role}; the invitee joins in a new browser. */
    static Browser invited(Browser owner, Company c, String role) {
        String e = email(role);
        owner.get("/portal/c/" + c.publicId() + "/members");
        Res r = owner.post("/portal/c/" + c.publicId() + "/members/invite", Map.of("email", e, "role", role));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        Matcher m = Pattern.compile("(/portal/invitations/[A-Za-z0-9_-]{43})").matcher(r.body());
        assertThat(m.find()).isTrue();
        return join(m.group(1), e);
    }

    static long keys(String publicId) {
        return F.count("SELECT count(*) FROM api_keys k JOIN companies c ON c.id = k.company_id WHERE c.public_id = ?", publicId);
    }

    @Test
    void invitationSetsAnArgon2idPasswordSignsInAndIsSingleUse() {
        Company c = company("Invited Co");
        String e = email("first");
        Browser b = join(c.invitationPath(), e);
        Res home = b.get("/portal");
        assertThat(home.status()).isEqualTo(303);
        assertThat(home.header("Location")).endsWith("/portal/c/" + c.publicId());
        Res overview = b.get("/portal/c/" + c.publicId());
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("Invited Co").contains(e);
        // stored: an Argon2id hash, no plaintext token anywhere
        String hash = F.db().withHandle(h -> h.createQuery("SELECT password_hash FROM members WHERE email = :e")
                .bind("e", e).mapTo(String.class).one());
        assertThat(hash).startsWith("$argon2id$").doesNotContain(PASSWORD);
        String token = c.invitationPath().substring(c.invitationPath().lastIndexOf('/') + 1);
        assertThat(F.count("SELECT count(*) FROM invitations WHERE encode(token_hash, 'escape') LIKE ?", "%" + token + "%")).isZero();
        // the link is spent
        Browser other = new Browser();
        assertThat(other.get(c.invitationPath()).status()).isEqualTo(404);
        assertThat(other.postRaw(c.invitationPath(), Map.of("_csrf", "x")).status()).isEqualTo(403);
        // the session cookie's attributes
        Browser fresh = new Browser();
        fresh.get(c.invitationPath());
        assertThat(fresh.cookies).containsKey("sb_csrf");
    }

    @Test
    void signInWrongPasswordThenRightOneAndCookieAttributes() {
        Company c = company("Signin Co");
        String e = email("s");
        join(c.invitationPath(), e);
        Browser b = new Browser();
        b.get("/portal/sign-in");
        Res bad = b.post("/portal/sign-in", Map.of("email", e, "password", "wrong-password-1"));
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.body()).contains("The email or password is not right.");
        Res ok = b.post("/portal/sign-in", Map.of("email", e.toUpperCase(), "password", PASSWORD));
        assertThat(ok.status()).isEqualTo(303);
        String cookie = ok.headers().allValues("Set-Cookie").stream().filter(s -> s.startsWith("sb_session=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/portal").doesNotContain("Secure");
        // behind a TLS-terminating proxy the cookie is Secure
        Browser tls = new Browser();
        Res page = tls.keep(F.request("GET", "/portal/sign-in", null, Map.of("X-Forwarded-Proto", "https")));
        assertThat(page.headers().allValues("Set-Cookie").get(0)).contains("Secure");
    }

    @Test
    void lockoutAfterFiveFailedSignInsEvenWithTheRightPassword() {
        Company c = company("Lock Co");
        String e = email("lock");
        join(c.invitationPath(), e);
        Browser b = new Browser();
        b.get("/portal/sign-in");
        for (int i = 0; i < MemberService.LOCK_AFTER - 1; i++) {
            assertThat(b.post("/portal/sign-in", Map.of("email", e, "password", "wrong-" + i + "-xxxxxx")).status()).isEqualTo(401);
        }
        Res fifth = b.post("/portal/sign-in", Map.of("email", e, "password", "wrong-last-xxxxxx"));
        assertThat(fifth.status()).isEqualTo(429);
        Res right = b.post("/portal/sign-in", Map.of("email", e, "password", PASSWORD));
        assertThat(right.status()).isEqualTo(429);
        assertThat(right.body()).contains("locked");
        assertThat(b.cookies).doesNotContainKey("sb_session");
    }

    @Test
    void csrfIsRequiredOnEveryPost() {
        Company c = company("Csrf Co");
        Browser o = owner(c);
        String keysPath = "/portal/c/" + c.publicId() + "/keys";
        o.get(keysPath);
        long before = keys(c.publicId());
        Res none = o.postRaw(keysPath, Map.of("kind", "secret", "name", "no token"));
        assertThat(none.status()).isEqualTo(403);
        assertThat(none.body()).contains("CSRF");
        Res wrong = o.postRaw(keysPath, Map.of("kind", "secret", "name", "bad token", "_csrf", "not-the-token"));
        assertThat(wrong.status()).isEqualTo(403);
        // the pre-session (sign-in form) token does not stand in for the session's
        Res pre = o.postRaw(keysPath, Map.of("kind", "secret", "name", "pre", "_csrf", o.cookies.get("sb_csrf")));
        assertThat(pre.status()).isEqualTo(403);
        assertThat(keys(c.publicId())).isEqualTo(before);
        Res ok = o.post(keysPath, Map.of("kind", "secret", "name", "with token"));
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.body()).containsPattern("sk_[A-Za-z0-9]{32}");
        assertThat(keys(c.publicId())).isEqualTo(before + 1);
        // sign-in form: no double-submit cookie, no sign-in
        Browser anon = new Browser();
        assertThat(anon.postRaw("/portal/sign-in", Map.of("email", "a@b.c", "password", "x", "_csrf", "guess")).status()).isEqualTo(403);
    }

    @Test
    void viewersAndEditorsCannotManageKeysMembersOrSettings() {
        Company c = company("Roles Co");
        Browser o = owner(c);
        Browser viewer = invited(o, c, "viewer");
        Browser editor = invited(o, c, "editor");
        String base = "/portal/c/" + c.publicId();
        for (Browser b : new Browser[] {viewer, editor}) {
            assertThat(b.get(base).status()).isEqualTo(200);
            assertThat(b.get(base + "/keys").status()).isEqualTo(403);
            b.get(base + "/members");
            long before = keys(c.publicId());
            assertThat(b.post(base + "/keys", Map.of("kind", "secret", "name", "sneaky")).status()).isEqualTo(403);
            assertThat(keys(c.publicId())).isEqualTo(before);
            assertThat(b.post(base + "/members/invite", Map.of("email", email("x"), "role", "owner")).status()).isEqualTo(403);
            assertThat(b.post(base + "/settings", Map.of("default_region", "DE")).status()).isEqualTo(403);
        }
        assertThat(F.count("SELECT count(*) FROM invitations i JOIN companies c ON c.id = i.company_id "
                + "WHERE c.public_id = ? AND i.role = 'owner' AND i.email IS NOT NULL", c.publicId())).isZero();
        // the keys link is not offered to a viewer
        assertThat(viewer.get(base).body()).doesNotContain(base + "/keys");
    }

    @Test
    void aMemberOfOneCompanyCannotReachAnotherByUrl() {
        Company a = company("Tenant A");
        Company b = company("Tenant B");
        Browser ownerA = owner(a);
        Browser ownerB = owner(b);
        String bBase = "/portal/c/" + b.publicId();
        for (String p : new String[] {"", "/keys", "/members", "/settings", "/profiles", "/events"}) {
            Res r = ownerA.get(bBase + p);
            assertThat(r.status()).as(p).isEqualTo(404);
            assertThat(r.body()).doesNotContain("Tenant B");
        }
        ownerA.get("/portal/c/" + a.publicId() + "/keys");
        long before = keys(b.publicId());
        assertThat(ownerA.post(bBase + "/keys", Map.of("kind", "secret", "name", "cross")).status()).isEqualTo(404);
        assertThat(keys(b.publicId())).isEqualTo(before);
        // a key id of company B revoked through company A's URL: not found, B's key still active
        String bKey = F.db().withHandle(h -> h.createQuery("SELECT min(k.id) FROM api_keys k JOIN companies c ON c.id = k.company_id WHERE c.public_id = ?")
                .bind(0, b.publicId()).mapTo(String.class).one());
        assertThat(ownerA.post("/portal/c/" + a.publicId() + "/keys/" + bKey + "/revoke", Map.of()).status()).isEqualTo(404);
        assertThat(F.count("SELECT count(*) FROM api_keys WHERE id = ? AND revoked_at IS NULL", bKey)).isEqualTo(1);
        // B's members cannot be changed through A's URL either
        long bOwner = F.count("SELECT ms.member_id FROM memberships ms JOIN companies c ON c.id = ms.company_id WHERE c.public_id = ?", b.publicId());
        assertThat(ownerA.post("/portal/c/" + a.publicId() + "/members/" + bOwner + "/remove", Map.of()).status()).isEqualTo(422);
        assertThat(F.count("SELECT count(*) FROM memberships WHERE member_id = ?", bOwner)).isEqualTo(1);
        assertThat(ownerB.get(bBase).status()).isEqualTo(200);
    }

    @Test
    void thePortalTakesNoApiKeysAndTheApisTakeNoSessionCookie() {
        Company c = company("Separation Co");
        Browser o = owner(c);
        Res withKey = F.request("GET", "/portal/c/" + c.publicId() + "/keys", null,
                Map.of("Authorization", "Klaviyo-API-Key " + c.secretKey()));
        assertThat(withKey.status()).isEqualTo(303);
        assertThat(withKey.header("Location")).endsWith("/portal/sign-in");
        Res api = F.request("GET", "/api/profiles", null, Map.of("Cookie", "sb_session=" + o.cookies.get("sb_session"),
                "revision", "2024-10-15", "Accept", "application/vnd.api+json"));
        assertThat(api.status()).isIn(401, 403);
        Res admin = F.request("GET", "/admin/companies/" + c.publicId(), null,
                Map.of("Cookie", "sb_session=" + o.cookies.get("sb_session")));
        assertThat(admin.status()).isEqualTo(401);
    }

    @Test
    void signOutAndSignOutEverywhereRevokeSessions() {
        Company c = company("Sessions Co");
        String e = email("sess");
        Browser first = join(c.invitationPath(), e);
        Browser second = new Browser();
        second.get("/portal/sign-in");
        assertThat(second.post("/portal/sign-in", Map.of("email", e, "password", PASSWORD)).status()).isEqualTo(303);
        String base = "/portal/c/" + c.publicId();
        first.get(base);
        String stolen = first.cookies.get("sb_session");
        assertThat(first.post("/portal/sign-out", Map.of()).status()).isEqualTo(303);
        Res after = F.request("GET", base, null, Map.of("Cookie", "sb_session=" + stolen));
        assertThat(after.status()).isEqualTo(303);
        assertThat(second.get(base).status()).isEqualTo(200);
        Browser third = new Browser();
        third.get("/portal/sign-in");
        third.post("/portal/sign-in", Map.of("email", e, "password", PASSWORD));
        third.get(base);
        assertThat(third.post("/portal/sign-out-everywhere", Map.of()).status()).isEqualTo(303);
        assertThat(second.get(base).status()).isEqualTo(303);
        assertThat(third.get(base).status()).isEqualTo(303);
    }

    @Test
    void passwordResetIsSingleUseAndSignsOutEverywhere() {
        Company c = company("Reset Co");
        String e = email("reset");
        Browser b = join(c.invitationPath(), e);
        MemberService members = new MemberService(F.db());
        String token = members.requestReset(e).orElseThrow();
        assertThat(members.requestReset("nobody@example.test")).isEmpty();
        Browser r = new Browser();
        assertThat(r.get("/portal/reset/" + token).status()).isEqualTo(200);
        Res set = r.post("/portal/reset/" + token, Map.of("password", "a-brand-new-password", "password_again", "a-brand-new-password"));
        assertThat(set.status()).isEqualTo(303);
        assertThat(r.get("/portal/reset/" + token).status()).isEqualTo(404);
        assertThat(b.get("/portal/c/" + c.publicId()).status()).isEqualTo(303);
        assertThat(members.signIn(e, PASSWORD, "10.0.0.9").outcome()).isEqualTo(MemberService.SignInOutcome.INVALID);
        assertThat(members.signIn(e, "a-brand-new-password", "10.0.0.9").outcome()).isEqualTo(MemberService.SignInOutcome.OK);
    }

    @Test
    void theLastOwnerCannotBeDemotedOrRemoved() {
        Company c = company("Owner Co");
        Browser o = owner(c);
        String base = "/portal/c/" + c.publicId();
        o.get(base + "/members");
        long me = F.count("SELECT ms.member_id FROM memberships ms JOIN companies c ON c.id = ms.company_id WHERE c.public_id = ?", c.publicId());
        assertThat(o.post(base + "/members/" + me + "/role", Map.of("role", "viewer")).status()).isEqualTo(422);
        assertThat(o.post(base + "/members/" + me + "/remove", Map.of()).status()).isEqualTo(422);
        assertThat(F.count("SELECT count(*) FROM memberships WHERE member_id = ? AND role = 'owner'", me)).isEqualTo(1);
    }

    @Test
    void pagesSendSecurityHeadersAndEscapeWhatTenantsControl() {
        Company c = company("<script>alert(1)</script> Co");
        Browser o = owner(c);
        Res r = o.get("/portal/c/" + c.publicId());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.body()).doesNotContain("<script>alert(1)</script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(r.body()).doesNotContainPattern("<script>[^<]");
        Res root = F.request("GET", "/", null, Map.of());
        assertThat(root.status()).isEqualTo(303);
        assertThat(root.header("Location")).endsWith("/portal");
        Res htmx = F.request("GET", "/portal/assets/htmx.min.js", null, Map.of());
        assertThat(htmx.status()).isEqualTo(200);
        assertThat(htmx.header("Content-Type")).startsWith("text/javascript");
    }

    @Test
    void settingsAreValidatedAndMerged() {
        Company c = company("Settings Co");
        Browser o = owner(c);
        String base = "/portal/c/" + c.publicId();
        o.get(base + "/settings");
        Res bad = o.post(base + "/settings", Map.of("default_region", "XX", "cors_origins", "not an origin", "burst_client", "-3"));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body()).contains("Default region").contains("not an origin").contains("Burst per second of client");
        Res ok = o.post(base + "/settings", Map.of("default_region", "de", "cors_origins", "https://shop.example.com\n",
                "burst_client", "20", "steady_client", "600"));
        assertThat(ok.status()).isEqualTo(200);
        String settings = F.db().withHandle(h -> h.createQuery("SELECT settings::text FROM companies WHERE public_id = :p")
                .bind("p", c.publicId()).mapTo(String.class).one());
        assertThat(settings).contains("\"DE\"").contains("https://shop.example.com").contains("\"burst_per_second\": 20");
    }

    static String profileWithEvent(String publicId, String email) {
        Res r = F.request("POST", "/client/events?company_id=" + publicId,
                "{\"data\":{\"type\":\"event\",\"attributes\":{\"properties\":{\"sku\":\"A1\"},"
                        + "\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"Viewed Product\"}}},"
                        + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\"}}}}}}",
                Map.of("revision", "2024-10-15", "Content-Type", "application/vnd.api+json"));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return F.db().withHandle(h -> h.createQuery("SELECT p.id FROM profiles p JOIN companies c ON c.id = p.company_id "
                + "WHERE c.public_id = :c AND p.email = :e").bind("c", publicId).bind("e", email).mapTo(String.class).one());
    }

    @Test
    void profilePagesSearchAndActionsRespectRolesAndTenants() {
        Company a = company("Profiles A");
        Company b = company("Profiles B");
        Browser owner = owner(a);
        Browser viewer = invited(owner, a, "viewer");
        Browser ownerB = owner(b);
        String e1 = email("p1"), e2 = email("p2"), eb = email("pb");
        String p1 = profileWithEvent(a.publicId(), e1);
        String p2 = profileWithEvent(a.publicId(), e2);
        String pb = profileWithEvent(b.publicId(), eb);
        String base = "/portal/c/" + a.publicId();
        // search and profile page
        Res found = viewer.get(base + "/profiles?q=" + enc(e1));
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body()).contains(p1).doesNotContain(p2);
        Res page = viewer.get(base + "/profiles/" + p1);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Viewed Product").contains(e1);
        assertThat(viewer.get(base + "/events").body()).contains("Viewed Product");
        // another company's profile and events: not through this company's URL, not in its search
        assertThat(owner.get(base + "/profiles/" + pb).status()).isEqualTo(404);
        assertThat(owner.get(base + "/profiles?q=" + enc(eb)).body()).doesNotContain(pb);
        assertThat(owner.get(base + "/events?profile=" + pb).body()).doesNotContain("/profiles/" + pb);
        // a viewer cannot merge or delete
        viewer.get(base + "/profiles/" + p1);
        assertThat(viewer.post(base + "/profiles/" + p1 + "/merge", Map.of("source", p2, "confirm", "yes")).status()).isEqualTo(403);
        assertThat(viewer.post(base + "/profiles/" + p1 + "/delete", Map.of()).status()).isEqualTo(403);
        // merging another company's profile in is refused, nothing changes there
        owner.get(base + "/profiles/" + p1);
        assertThat(owner.post(base + "/profiles/" + p1 + "/merge", Map.of("source", pb, "confirm", "yes")).status()).isEqualTo(422);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE id = ? AND merged_into IS NULL", pb)).isEqualTo(1);
        // merge needs confirmation, then merges
        Res confirm = owner.post(base + "/profiles/" + p1 + "/merge", Map.of("source", p2));
        assertThat(confirm.status()).isEqualTo(200);
        assertThat(confirm.body()).contains("Merge profiles");
        assertThat(F.count("SELECT count(*) FROM profiles WHERE id = ? AND merged_into IS NULL", p2)).isEqualTo(1);
        assertThat(owner.post(base + "/profiles/" + p1 + "/merge", Map.of("source", p2, "confirm", "yes")).status()).isEqualTo(303);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE id = ? AND merged_into IS NULL", p2)).isZero();
        // deletion through company B's URL of A's profile: not found; then deleted through A's
        ownerB.get("/portal/c/" + b.publicId() + "/profiles");
        assertThat(ownerB.post("/portal/c/" + b.publicId() + "/profiles/" + p1 + "/delete", Map.of()).status()).isEqualTo(404);
        assertThat(owner.post(base + "/profiles/" + p1 + "/delete", Map.of()).status()).isEqualTo(303);
        assertThat(owner.get(base + "/profiles/" + p1).status()).isIn(404, 200);
        assertThat(F.count("SELECT count(*) FROM profile_identifiers WHERE profile_id = ?", p1)).isZero();
    }
}
