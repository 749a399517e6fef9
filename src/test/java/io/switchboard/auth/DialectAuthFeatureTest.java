package io.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.auth.Auth;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.switchboard.errors.ApiExceptionMapper;
import io.switchboard.errors.Dialect;
import io.switchboard.errors.WebApplicationExceptionMapper;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every credential form of tenancy.md, each on its own dialect, resolving to a principal that carries
 * the company and the key kind — and each refused on the dialects that do not accept it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DialectAuthFeatureTest {
    static final String PK = "pk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String SK = "sk_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    static final String ADMIN = "the-admin-token";

    static final Authenticator<String, Caller> KEYS = k -> switch (k) {
        case PK -> Optional.of(new Caller(7, "ACME01", Caller.Kind.PUBLIC, "1", "pk_aaaaa"));
        case SK -> Optional.of(new Caller(7, "ACME01", Caller.Kind.SECRET, "2", "sk_bbbbb"));
        default -> Optional.empty();
    };
    static final Authenticator<String, Caller> ADMIN_OR_KEYS = t -> ADMIN.equals(t) ? Optional.of(Caller.admin()) : KEYS.authenticate(t);
    static final Authenticator<String, Caller> COMPANY_IDS = id -> "ACME01".equals(id)
            ? Optional.of(Caller.client(7, "ACME01")) : Optional.empty();

    static String who(Caller c) {
        return c.companyId() + ":" + c.kind();
    }

    @Path("/client/whoami") @AuthDialect(Dialect.KLAVIYO_CLIENT)
    public static class KlaviyoClient { @GET public String get(@Auth Caller c) { return who(c); } }

    @Path("/api/whoami") @AuthDialect(Dialect.KLAVIYO_SERVER)
    public static class KlaviyoServer {
        @GET public String get(@Auth Caller c) { return who(c); }
        @GET @Path("/secret") @RolesAllowed(Caller.ROLE_SECRET) public String secret(@Auth Caller c) { return who(c); }
    }

    @Path("/api/client/whoami") @AuthDialect(Dialect.PARCELVOY)
    public static class Parcelvoy { @GET public String get(@Auth Caller c) { return who(c); } }

    @Path("/api/public/apps/whoami") @AuthDialect(Dialect.DITTOFEED)
    public static class Dittofeed { @GET public String get(@Auth Caller c) { return who(c); } }

    @Path("/v1/whoami") @AuthDialect(Dialect.SEGMENT)
    public static class Segment {
        @GET public String get(@Auth Caller c) { return who(c); }
        @GET @Path("/optional") public String optional(@Auth Optional<Caller> c) { return c.map(DialectAuthFeatureTest::who).orElse("anonymous"); }
    }

    @Path("/admin/whoami") @AuthDialect(Dialect.ADMIN)
    public static class Admin { @GET public String get(@Auth Caller c) { return who(c); } }

    static final ResourceExtension R = ResourceExtension.builder()
            .addProvider(new DialectAuthFeature(KEYS, ADMIN_OR_KEYS, COMPANY_IDS))
            .addProvider(RolesAllowedDynamicFeature.class)
            .addProvider(new AuthValueFactoryProvider.Binder<>(Caller.class))
            .addProvider(new ApiExceptionMapper())
            .addProvider(new WebApplicationExceptionMapper())
            .addResource(new KlaviyoClient()).addResource(new KlaviyoServer()).addResource(new Parcelvoy())
            .addResource(new Dittofeed()).addResource(new Segment()).addResource(new Admin())
            .build();

    static Response get(String path, Map<String, String> headers) {
        var b = R.target(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
        if (path.contains("?")) {
            for (String kv : path.substring(path.indexOf('?') + 1).split("&")) {
                String[] p = kv.split("=", 2);
                b = b.queryParam(p[0], p[1]);
            }
        }
        var req = b.request();
        for (var e : headers.entrySet()) req = req.header(e.getKey(), e.getValue());
        return req.get();
    }

    static String ok(String path, Map<String, String> headers) {
        Response r = get(path, headers);
        assertThat(r.getStatus()).as(path + " " + headers).isEqualTo(200);
        return r.readEntity(String.class);
    }

    static int status(String path, Map<String, String> headers) {
        return get(path, headers).getStatus();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    class KlaviyoClientCompanyId {
        @Test
        void publicCompanyIdInTheQuery() {
            assertThat(ok("/client/whoami?company_id=ACME01", Map.of())).isEqualTo("7:CLIENT");
        }

        @Test
        void unknownOrMissingCompanyIdIs400NamingTheParameter() {
            Response r = get("/client/whoami?company_id=NOPE00", Map.of());
            assertThat(r.getStatus()).isEqualTo(400);
            assertThat(r.readEntity(String.class)).contains("\"parameter\":\"company_id\"");
            assertThat(status("/client/whoami", Map.of())).isEqualTo(400);
        }
    }

    @Nested
    class KlaviyoServerKey {
        @Test
        void klaviyoApiKeyAndBearerBothWork() {
            assertThat(ok("/api/whoami", Map.of("Authorization", "Klaviyo-API-Key " + SK))).isEqualTo("7:SECRET");
            assertThat(ok("/api/whoami", Map.of("Authorization", "Bearer " + SK))).isEqualTo("7:SECRET");
        }

        @Test
        void companyIdQueryDoesNotAuthenticateServerEndpoints() {
            assertThat(status("/api/whoami?company_id=ACME01", Map.of())).isEqualTo(401);
        }

        @Test
        void publicKeyOnASecretEndpointIs403() {
            assertThat(status("/api/whoami/secret", Map.of("Authorization", "Klaviyo-API-Key " + PK))).isEqualTo(403);
            assertThat(status("/api/whoami/secret", Map.of("Authorization", "Klaviyo-API-Key " + SK))).isEqualTo(200);
        }

        @Test
        void unknownKeyIs401InJsonApiShape() {
            Response r = get("/api/whoami", Map.of("Authorization", "Klaviyo-API-Key sk_" + "z".repeat(32)));
            assertThat(r.getStatus()).isEqualTo(401);
            assertThat(r.readEntity(String.class)).contains("\"code\":\"not_authenticated\"");
        }
    }

    @Nested
    class ParcelvoyBearer {
        @Test
        void publicAndSecretBearerKeys() {
            assertThat(ok("/api/client/whoami", Map.of("Authorization", "Bearer " + PK))).isEqualTo("7:PUBLIC");
            assertThat(ok("/api/client/whoami", Map.of("Authorization", "Bearer " + SK))).isEqualTo("7:SECRET");
        }

        @Test
        void missingOrWrongSchemeIs401InParcelvoyShape() {
            Response r = get("/api/client/whoami", Map.of("Authorization", "Basic " + b64(PK + ":")));
            assertThat(r.getStatus()).isEqualTo(401);
            assertThat(r.readEntity(String.class)).contains("\"status\":\"error\"");
            assertThat(status("/api/client/whoami", Map.of())).isEqualTo(401);
        }
    }

    @Nested
    class DittofeedWriteKey {
        @Test
        void anySchemeWithAPlainKey() {
            assertThat(ok("/api/public/apps/whoami", Map.of("Authorization", "Bearer " + PK))).isEqualTo("7:PUBLIC");
            assertThat(ok("/api/public/apps/whoami", Map.of("Authorization", "Whatever " + PK))).isEqualTo("7:PUBLIC");
        }

        @Test
        void base64OfKeyColonAnything() {
            assertThat(ok("/api/public/apps/whoami", Map.of("Authorization", "Basic " + b64(PK + ":")))).isEqualTo("7:PUBLIC");
            assertThat(ok("/api/public/apps/whoami", Map.of("Authorization", "Basic " + b64(SK + ":secret-part")))).isEqualTo("7:SECRET");
        }

        @Test
        void bareKeyWithoutScheme() {
            assertThat(ok("/api/public/apps/whoami", Map.of("Authorization", PK))).isEqualTo("7:PUBLIC");
        }

        @Test
        void publicWriteKeyHeader() {
            assertThat(ok("/api/public/apps/whoami", Map.of("PublicWriteKey", PK))).isEqualTo("7:PUBLIC");
            assertThat(ok("/api/public/apps/whoami", Map.of("PublicWriteKey", "Basic " + b64(PK + ":")))).isEqualTo("7:PUBLIC");
        }

        @Test
        void garbageIs401InSegmentShape() {
            Response r = get("/api/public/apps/whoami", Map.of("Authorization", "Basic " + b64("nope:")));
            assertThat(r.getStatus()).isEqualTo(401);
            assertThat(r.readEntity(String.class)).startsWith("{\"message\":");
        }
    }

    @Nested
    class SegmentBasic {
        @Test
        void basicWithTheKeyAsUserName() {
            assertThat(ok("/v1/whoami", Map.of("Authorization", "Basic " + b64(PK + ":")))).isEqualTo("7:PUBLIC");
        }

        @Test
        void bearerIsNotSegmentsForm() {
            assertThat(status("/v1/whoami", Map.of("Authorization", "Bearer " + PK))).isEqualTo(401);
        }

        @Test
        void optionalAuthLetsTheResourceReadTheBodyWriteKey() {
            assertThat(ok("/v1/whoami/optional", Map.of())).isEqualTo("anonymous");
            assertThat(ok("/v1/whoami/optional", Map.of("Authorization", "Basic " + b64(PK + ":")))).isEqualTo("7:PUBLIC");
        }
    }

    @Nested
    class AdminBearer {
        @Test
        void adminTokenAndSecretKey() {
            assertThat(ok("/admin/whoami", Map.of("Authorization", "Bearer " + ADMIN))).isEqualTo("0:ADMIN");
            assertThat(ok("/admin/whoami", Map.of("Authorization", "Bearer " + SK))).isEqualTo("7:SECRET");
        }

        @Test
        void adminTokenIsNotAcceptedOutsideAdmin() {
            assertThat(status("/api/whoami", Map.of("Authorization", "Bearer " + ADMIN))).isEqualTo(401);
            assertThat(status("/api/client/whoami", Map.of("Authorization", "Bearer " + ADMIN))).isEqualTo(401);
        }
    }

    @Test
    void writeKeyParsing() {
        assertThat(WriteKeyAuthFilter.keyFrom(null)).isNull();
        assertThat(WriteKeyAuthFilter.keyFrom("Basic " + b64(PK))).isEqualTo(PK);
        assertThat(WriteKeyAuthFilter.keyFrom("Basic !!!")).isNull();
        assertThat(BasicKeyAuthFilter.keyFrom("Basic " + b64(":" + PK))).isNull();
        assertThat(HeaderSchemeAuthFilter.extract("bearer   " + SK, "Bearer")).isEqualTo(SK);
    }
}
