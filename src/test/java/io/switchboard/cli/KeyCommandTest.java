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

/**
 * Issue 11 finding 10, the break-glass path: the admin token cannot mint keys for an existing company, the
 * CLI on the server host can: {@code key create --company ID --kind secret config.yml}.
 */
class KeyCommandTest {
    static String run(String url, String... args) throws Exception {
        System.setProperty("dw.database.url", url);
        System.setProperty("dw.migrateOnStartup", "false");
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            String[] all = java.util.Arrays.copyOf(args, args.length + 1);
            all[args.length] = ResourceHelpers.resourceFilePath("test-config.yml");
            new SwitchboardApplication().run(all);
        } finally {
            System.setOut(original);
            System.clearProperty("dw.database.url");
            System.clearProperty("dw.migrateOnStartup");
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        String json = printed.substring(printed.indexOf("{\"data\""));
        return json.substring(0, json.lastIndexOf('}') + 1);
    }

    @Test
    void keyCreateMintsASecretKeyForAnExistingCompany() throws Exception {
        String url = TestDatabase.newDatabase();
        JsonNode company = new ObjectMapper().readTree(run(url, "company", "create", "--name", "Locked Out"));
        String co = company.at("/data/id").asText();
        JsonNode key = new ObjectMapper().readTree(run(url, "key", "create", "--company", co, "--kind", "secret",
                "--name", "break-glass"));
        String sk = key.at("/data/attributes/key").asText();
        assertThat(sk).startsWith("sk_").isNotEqualTo(company.at("/meta/secret_key").asText());
        Jdbi db = Jdbi.create(url, "postgres", "");
        long stored = db.withHandle(h -> h.createQuery("SELECT count(*) FROM api_keys k JOIN companies c ON c.id = k.company_id "
                + "WHERE c.public_id = :p AND k.key_hash = :h AND k.kind = 'secret'").bind("p", co).bind("h", Keys.hash(sk))
                .mapTo(Long.class).one());
        assertThat(stored).isEqualTo(1);
        JsonNode list = new ObjectMapper().readTree(run(url, "key", "list", "--company", co));
        assertThat(list.at("/data")).hasSize(3);
        assertThat(list.toString()).doesNotContain(sk);
    }
}
