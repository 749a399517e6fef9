package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every Klaviyo HTTP test class sets up: a running server on a fresh embedded database ({@link #F}), the
 * OpenAPI-validating {@link KlaviyoTestClient} ({@link #K}), company {@link #A} to work in and company
 * {@link #B} for cross-tenant denial, plus the helpers the classes share. Each test class gets its own server,
 * database and companies: {@link Fixture} starts them before the class's own {@code @BeforeAll} methods run
 * and stops them after the class. The fields are static (the classes' static helpers use them), so Klaviyo test
 * classes must run one at a time, as surefire runs them here; the fixture fails loudly if two overlap.
 */
@ExtendWith(KlaviyoTestBase.Fixture.class)
public abstract class KlaviyoTestBase {
    protected static AppFixture F;
    static KlaviyoTestClient K;
    protected static TestCompany A;
    protected static TestCompany B;

    /** Starts {@link #F} (server and database), then builds {@link #K} and creates {@link #A} and {@link #B}. */
    static final class Fixture implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            Class<?> testClass = context.getRequiredTestClass();
            if (!KlaviyoTestBase.class.isAssignableFrom(testClass)) {
                return; // a @Nested class: it shares its enclosing class's server and companies
            }
            if (F != null) {
                throw new IllegalStateException(testClass.getSimpleName() + " started while another Klaviyo test class"
                        + " still holds the shared fixture: these classes must not run in parallel");
            }
            AppFixture f = new AppFixture();
            F = f;
            f.app.before();
            K = new KlaviyoTestClient(f);
            A = f.createCompany(testClass.getSimpleName());
            B = f.createCompany("Neighbour");
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (!KlaviyoTestBase.class.isAssignableFrom(context.getRequiredTestClass()) || F == null) {
                return;
            }
            try {
                F.app.after();
            } finally {
                F = null;
                K = null;
                A = null;
                B = null;
            }
        }
    }

    /** The prefix and 8 random characters: a name, email or id no other test uses. */
    protected static String uniq(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a profile with these attributes (a JSON object) in company c; its id. */
    static String createProfile(TestCompany c, String attributes) {
        Res r = K.send("POST", "/api/profiles", "{\"data\":{\"type\":\"profile\",\"attributes\":" + attributes + "}}",
                server(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    /** Creates a static list in company c; its id. */
    static String createList(TestCompany c, String name) {
        Res r = K.send("POST", "/api/lists", "{\"data\":{\"type\":\"list\",\"attributes\":{\"name\":\"" + name + "\"}}}",
                server(c.secretKey()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().at("/data/id").asText();
    }

    /** The ids of a JSON:API {@code data} array, in order. */
    protected static List<String> ids(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.forEach(d -> out.add(d.get("id").asText()));
        return out;
    }

    /** How many profiles company c has, read from the table. */
    protected static long profiles(TestCompany c) {
        return F.count("SELECT count(*) FROM profiles WHERE company_id = ?", F.companyId(c.publicId()));
    }

    /** How many profiles company {@link #A} has. */
    protected static long profiles() {
        return profiles(A);
    }
}
