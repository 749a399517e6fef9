package io.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ResourceHelpers;
import io.switchboard.SwitchboardApplication;
import io.switchboard.core.tenancy.Keys;
import io.switchboard.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** {@code company create --name Acme config.yml} prints the same JSON:API document as the admin API. */
class CompanyCommandTest {
    @Test
    void createsACompanyAndPrintsItsKeysOnce() throws Exception {
        String url = TestDatabase.newDatabase();
        System.setProperty("dw.database.url", url);
        System.setProperty("dw.migrateOnStartup", "false");
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            new SwitchboardApplication().run("company", "create", "--name", "Cli Co",
                    ResourceHelpers.resourceFilePath("test-config.yml"));
        } finally {
            System.setOut(original);
            System.clearProperty("dw.database.url");
            System.clearProperty("dw.migrateOnStartup");
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        String json = printed.substring(printed.indexOf("{\"data\""));
        JsonNode doc = new ObjectMapper().readTree(json.substring(0, json.lastIndexOf('}') + 1));
        assertThat(doc.at("/data/type").asText()).isEqualTo("company");
        assertThat(doc.at("/data/attributes/name").asText()).isEqualTo("Cli Co");
        String sk = doc.at("/meta/secret_key").asText();
        assertThat(sk).startsWith("sk_");
        byte[] stored = Jdbi.create(url, "postgres", "").withHandle(h -> h.createQuery(
                "SELECT k.key_hash FROM api_keys k JOIN companies c ON c.id = k.company_id WHERE c.public_id = :p AND k.kind = 'secret'")
                .bind("p", doc.at("/data/id").asText()).mapTo(byte[].class).one());
        assertThat(stored).isEqualTo(Keys.hash(sk));
    }
}
