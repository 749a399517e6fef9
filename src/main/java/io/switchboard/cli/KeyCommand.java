package io.switchboard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.api.admin.CompanyDto;
import io.switchboard.api.admin.KeyDto;
import io.switchboard.core.tenancy.Company;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.errors.ApiException;
import io.switchboard.jsonapi.JsonApi;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * The break-glass path for a company's keys, run on the server host against its database (the bootstrap
 * admin token cannot touch existing companies): {@code key create --company ID --kind secret [--name N]
 * config.yml} mints a key and prints it once (the same JSON:API document as {@code POST
 * /admin/companies/{id}/keys}); {@code key list --company ID config.yml} prints the keys' prefixes. Revoke
 * a leaked key with the new secret key through the admin API.
 */
public class KeyCommand extends ConfiguredCommand<SwitchboardConfiguration> {

    public KeyCommand() {
        super("key", "Manage a company's API keys on the server host: "
                + "`key create --company ID --kind secret|public [--name NAME] config.yml`, `key list --company ID config.yml`");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("action").choices("create", "list").help("what to do");
        super.configure(subparser);
        subparser.addArgument("--company").required(true).help("the company's public id");
        subparser.addArgument("--kind").choices("secret", "public").setDefault("secret").help("the key's kind (create)");
        subparser.addArgument("--name").setDefault("cli").help("a label for the key (create)");
    }

    @Override
    protected void run(Bootstrap<SwitchboardConfiguration> bootstrap, Namespace ns, SwitchboardConfiguration config)
            throws Exception {
        ObjectMapper mapper = bootstrap.getObjectMapper();
        CliDatabase.with(config, mapper, jdbi -> {
                TenancyService tenancy = new TenancyService(jdbi);
                String publicId = ns.getString("company");
                Company c = tenancy.companyByPublicId(publicId)
                        .orElseThrow(() -> new IllegalArgumentException("No company " + publicId + "."));
                var converter = JsonApi.newConverter(mapper, CompanyDto.class, KeyDto.class);
                byte[] json;
                if ("create".equals(ns.getString("action"))) {
                    TenancyService.MintedKey k;
                    try {
                        k = tenancy.mintKey(c.id(), ns.getString("kind"), ns.getString("name"));
                    } catch (ApiException e) {
                        throw new IllegalArgumentException(e.detail());
                    }
                    JSONAPIDocument<KeyDto> doc = new JSONAPIDocument<>(KeyDto.of(k.key(), k.plaintext()));
                    doc.setMeta(java.util.Map.of("note", "The key is shown once. Store it now; only its hash is kept."));
                    json = converter.writeDocument(doc);
                } else {
                    List<KeyDto> keys = tenancy.keys(c.id()).stream().map(k -> KeyDto.of(k, null)).toList();
                    json = converter.writeDocumentCollection(new JSONAPIDocument<>(keys));
                }
                System.out.println(new String(json, StandardCharsets.UTF_8));
        });
    }
}
