package io.switchboard.core.tenancy;

import io.switchboard.core.Tx;
import io.switchboard.db.ApiKeyDao;
import io.switchboard.db.CompanyDao;
import io.switchboard.errors.ApiException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Companies and their keys: creation, minting, listing, revocation, and key authentication. */
public class TenancyService {
    private final Jdbi jdbi;
    /** Every write under the one retry policy ({@link Tx}). */
    private final Tx tx;
    private final RateLimitCeilings ceilings;
    private final java.util.List<java.util.function.LongConsumer> settingsListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final KeyUsage keyUsage;

    public TenancyService(Jdbi jdbi) {
        this(jdbi, RateLimitCeilings.NONE);
    }

    /** {@code ceilings}: what a company may set itself in {@code settings.rate_limits} (the operator's config). */
    public TenancyService(Jdbi jdbi, RateLimitCeilings ceilings) {
        this.jdbi = jdbi;
        this.tx = new Tx(jdbi);
        this.keyUsage = new KeyUsage(jdbi);
        this.ceilings = ceilings;
    }

    /** A key as minted: the stored record plus the plaintext, which is never available again. */
    public record MintedKey(ApiKey key, String plaintext) {}

    public record CreatedCompany(Company company, MintedKey publicKey, MintedKey secretKey) {}

    public CreatedCompany createCompany(String name) {
        String n = name == null ? "" : name.trim();
        if (n.isEmpty() || n.length() > 200) {
            throw ApiException.invalid("/data/attributes/name", "`name` is required: a non-empty string of at most 200 characters.");
        }
        return tx.run(h -> {
            CompanyDao companies = h.attach(CompanyDao.class);
            Company c = null;
            for (int attempt = 0; c == null && attempt < 20; attempt++) {
                c = companies.insert(Keys.newPublicId(), n, CompanySettings.DEFAULTS).orElse(null);
            }
            if (c == null) {
                throw new IllegalStateException("could not allocate a unique public id");
            }
            MintedKey pk = mint(h, c.id(), "public", "default public key");
            MintedKey sk = mint(h, c.id(), "secret", "default secret key");
            return new CreatedCompany(c, pk, sk);
        });
    }

    private static MintedKey mint(Handle h, long companyId, String kind, String name) {
        String plaintext = Keys.newKey(kind);
        ApiKey k = h.attach(ApiKeyDao.class).insert(companyId, io.switchboard.db.Ids.newId(), kind, name, Keys.prefix(plaintext), Keys.hash(plaintext));
        return new MintedKey(k, plaintext);
    }

    public MintedKey mintKey(long companyId, String kind, String name) {
        if (!"public".equals(kind) && !"secret".equals(kind)) {
            throw ApiException.invalid("/data/attributes/kind", "`kind` must be \"public\" or \"secret\".");
        }
        String n = name == null ? "" : name.trim();
        if (n.length() > 200) {
            throw ApiException.invalid("/data/attributes/name", "`name` must be at most 200 characters.");
        }
        return tx.run(h -> mint(h, companyId, kind, n));
    }

    public Optional<Company> company(long companyId) {
        return jdbi.withExtension(CompanyDao.class, d -> d.findById(companyId));
    }

    public Optional<Company> companyByPublicId(String publicId) {
        if (publicId == null || publicId.length() != 6) return Optional.empty();
        return jdbi.withExtension(CompanyDao.class, d -> d.findByPublicId(publicId));
    }

    /**
     * Applies a JSON merge patch (RFC 7396) to the company's settings, atomically (the row is locked while
     * it is read, merged and written): keys the patch leaves out keep their values, {@code null} removes a
     * key (back to its default), objects such as {@code rate_limits} merge key by key, arrays are replaced.
     * The merged settings are validated as a whole ({@link SettingsPatch}); on a 400 nothing is written.
     * {@code pointer} is where the patch sits in the request (for error pointers).
     */
    public Company patchSettings(long companyId, com.fasterxml.jackson.databind.JsonNode patch, String pointer) {
        tx.use(h -> {
            CompanyDao d = h.attach(CompanyDao.class);
            Company c = d.lock(companyId).orElseThrow(() -> ApiException.notFound("No company."));
            d.updateSettings(companyId, SettingsPatch.apply(c.settings(), patch, pointer,
                    cls -> ceilings.ceilingFor(cls, c.publicId())));
        });
        settingsListeners.forEach(l -> l.accept(companyId));
        return company(companyId).orElseThrow();
    }

    /**
     * Replaces the settings (the portal's form). Rate-limit windows that change must be within the
     * company's ceilings ({@link #rateLimitProblems}); an IllegalArgumentException otherwise.
     */
    public Company updateSettings(long companyId, CompanySettings settings) {
        CompanySettings current = company(companyId).orElseThrow().settings();
        List<String> problems = rateLimitProblems(companyId, current, settings);
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join(" ", problems));
        jdbi.useExtension(CompanyDao.class, d -> d.updateSettings(companyId, settings));
        settingsListeners.forEach(l -> l.accept(companyId));
        return company(companyId).orElseThrow();
    }

    /**
     * Why {@code next} may not replace {@code current}: each rate-limit window that changes and is above
     * the company's ceiling (or 0 where the ceiling is on), as {@link SettingsPatch#overCeiling}. Empty: fine.
     */
    public List<String> rateLimitProblems(long companyId, CompanySettings current, CompanySettings next) {
        String publicId = company(companyId).map(Company::publicId).orElse(null);
        List<String> out = new java.util.ArrayList<>();
        next.rateLimits().forEach((key, o) -> {
            io.switchboard.core.tenancy.RateClass cls = io.switchboard.core.tenancy.RateClass.forKey(key);
            if (cls == null || o == null) return;
            io.switchboard.core.tenancy.RateLimit cap = ceilings.ceilingFor(cls, publicId);
            CompanySettings.RateLimitOverride was = current.rateLimits().get(key);
            Integer burst = o.burstPerSecond(), steady = o.steadyPerMinute();
            if (burst != null && (was == null || !burst.equals(was.burstPerSecond()))) {
                String p = SettingsPatch.overCeiling(key, "burst_per_second", burst, cap.burstPerSecond());
                if (p != null) out.add(p);
            }
            if (steady != null && (was == null || !steady.equals(was.steadyPerMinute()))) {
                String p = SettingsPatch.overCeiling(key, "steady_per_minute", steady, cap.steadyPerMinute());
                if (p != null) out.add(p);
            }
        });
        return out;
    }

    /**
     * Called with the company id after its settings changed in this process (caches drop the entry, so
     * the change applies here at once; other processes see it when their cache entry expires).
     */
    public void onSettingsChanged(java.util.function.LongConsumer listener) {
        settingsListeners.add(listener);
    }

    public List<ApiKey> keys(long companyId) {
        return jdbi.withExtension(ApiKeyDao.class, d -> d.list(companyId));
    }

    public boolean revokeKey(long companyId, String keyId) {
        return jdbi.withExtension(ApiKeyDao.class, d -> {
            Optional<ApiKey> k = d.find(companyId, keyId);
            if (k.isEmpty()) return false;
            d.revoke(companyId, keyId);
            return true;
        });
    }

    public long companyCount() {
        return jdbi.withExtension(CompanyDao.class, CompanyDao::count);
    }

    /** Marks a key used (the keys page's "last used"): cheap, written off the request path at most once a minute. */
    public void keyUsed(long companyId, String keyId) {
        keyUsage.used(companyId, keyId);
    }

    /** Whose a presented key is (the auth layer turns it into its principal). */
    public record KeyOwner(long companyId, String companyPublicId, boolean secret, String keyId, String prefix) {}

    /** The owner of a presented key; empty for unknown, malformed and revoked keys alike. */
    public Optional<KeyOwner> authenticateKey(String presented) {
        if (!Keys.looksLikeKey(presented)) {
            return Optional.empty();
        }
        byte[] hash = Keys.hash(presented);
        for (ApiKeyDao.KeyMatch m : jdbi.withExtension(ApiKeyDao.class, d -> d.findByHash(hash))) {
            if (MessageDigest.isEqual(m.keyHash(), hash) && m.revokedAt() == null
                    && m.kind().equals(Keys.kindOf(presented))) {
                return Optional.of(new KeyOwner(m.companyId(), m.publicId(), "secret".equals(m.kind()), m.id(), m.prefix()));
            }
        }
        return Optional.empty();
    }
}
