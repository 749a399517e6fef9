package io.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Shared helpers for the ingestion tests: per-dialect credentials and table counts. */
public final class IngestionTestSupport {
    private IngestionTestSupport() {}

    public static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    public static Map<String, String> basic(String key) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)));
    }

    public static Map<String, String> klaviyo(String revision) {
        return Map.of("revision", revision, "Content-Type", "application/vnd.api+json");
    }

    public static Map<String, String> klaviyoServer(String key, String revision) {
        return Map.of("Authorization", "Klaviyo-API-Key " + key, "revision", revision,
                "Content-Type", "application/vnd.api+json");
    }

    public static long events(AppFixture f, TestCompany c) {
        return f.count("SELECT count(*) FROM events WHERE company_id = ?", f.companyId(c.publicId()));
    }

    public static long profiles(AppFixture f, TestCompany c) {
        return f.count("SELECT count(*) FROM profiles WHERE company_id = ? AND merged_into IS NULL", f.companyId(c.publicId()));
    }

    public static long rows(AppFixture f, String table, TestCompany c) {
        return f.count("SELECT count(*) FROM " + table + " WHERE company_id = ?", f.companyId(c.publicId()));
    }

    /** The live profile owning an identifier, or null. */
    public static String owner(AppFixture f, TestCompany c, String kind, String value) {
        return f.db().withHandle(h -> h.createQuery("SELECT profile_id FROM profile_identifiers WHERE company_id = :c "
                        + "AND kind = :k AND value = :v").bind("c", f.companyId(c.publicId())).bind("k", kind)
                .bind("v", value).mapTo(String.class).findOne().orElse(null));
    }

    /** Admin view of a profile's events (secret key). */
    public static JsonNode adminEvents(AppFixture f, TestCompany c, String profileId) {
        Res r = f.get("/admin/companies/" + c.publicId() + "/profiles/" + profileId + "/events", bearer(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("data");
    }

    public static JsonNode admin(AppFixture f, TestCompany c, String profileId, String what) {
        Res r = f.get("/admin/companies/" + c.publicId() + "/profiles/" + profileId + "/" + what, bearer(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }
}
