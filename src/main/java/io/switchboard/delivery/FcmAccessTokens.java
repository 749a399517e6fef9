package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.campaigns.Provider;
import io.switchboard.db.JsonColumns;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OAuth access tokens for FCM HTTP v1.
 * <ul>
 *   <li>{@code config.access_token}: used as is (tests, or a token minted elsewhere).</li>
 *   <li>{@code config.service_account}: the service-account JSON downloaded from the Firebase console
 *   (as an object or a string). A JWT (RS256, {@code iss} = client_email, {@code scope} =
 *   firebase.messaging, {@code aud} = token_uri) signed with its {@code private_key} is exchanged at
 *   {@code token_uri} (OAuth 2.0 JWT bearer grant) for an access token, cached until a minute before it
 *   expires and dropped when FCM answers 401.</li>
 * </ul>
 */
public class FcmAccessTokens {
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    private static final String DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";

    private record Cached(String token, Instant expires) {}

    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private final NetworkGuard guard;

    public FcmAccessTokens(HttpClient http, Duration timeout, NetworkGuard guard) {
        this.guard = guard;
        this.http = http;
        this.timeout = timeout;
    }

    public String token(Provider p) throws Exception {
        String statik = p.string("access_token");
        if (statik != null && !statik.isBlank()) return statik;
        String key = key(p);
        Cached c = cache.get(key);
        if (c != null && c.expires().isAfter(Instant.now().plusSeconds(60))) return c.token();
        JsonNode sa = serviceAccount(p.config().get("service_account"));
        String tokenUri = sa.path("token_uri").asText(DEFAULT_TOKEN_URI);
        long now = Instant.now().getEpochSecond();
        String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        String claims = b64(JsonColumns.MAPPER.writeValueAsString(Map.of("iss", sa.path("client_email").asText(),
                "scope", SCOPE, "aud", tokenUri, "iat", now, "exp", now + 3600)));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(privateKey(sa.path("private_key").asText()));
        sig.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        String jwt = header + "." + claims + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig.sign());
        String refused = guard.check(URI.create(tokenUri));
        if (refused != null) throw new IllegalArgumentException("token_uri refused: " + refused);
        HttpRequest req = HttpRequest.newBuilder(URI.create(tokenUri)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type="
                        + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                        + "&assertion=" + jwt)).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("token endpoint answered HTTP " + res.statusCode());
        }
        JsonNode j = JsonColumns.MAPPER.readTree(res.body());
        String token = j.path("access_token").asText(null);
        if (token == null) throw new IllegalStateException("token endpoint answered without access_token");
        cache.put(key, new Cached(token, Instant.now().plusSeconds(j.path("expires_in").asLong(3600))));
        return token;
    }

    /** FCM said 401: the cached token is no good. */
    public void invalidate(Provider p) {
        cache.remove(key(p));
    }

    private static String key(Provider p) {
        return p.companyId() + "/" + p.id() + "/" + p.updatedAt();
    }

    static JsonNode serviceAccount(Object v) throws Exception {
        JsonNode n = v instanceof String s ? JsonColumns.MAPPER.readTree(s) : JsonColumns.MAPPER.valueToTree(v);
        if (!n.hasNonNull("client_email") || !n.hasNonNull("private_key")) {
            throw new IllegalArgumentException("service_account needs client_email and private_key");
        }
        return n;
    }

    static PrivateKey privateKey(String pem) throws Exception {
        String b = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b)));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
