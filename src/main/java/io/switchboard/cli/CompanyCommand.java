package io.switchboard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.api.admin.CompanyDto;
import io.switchboard.api.admin.KeyDto;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.jsonapi.JsonApi;
import java.util.LinkedHashMap;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code java -jar switchboard.jar company create --name Acme config.yml}: the operator's twin of
 * {@code POST /admin/companies}. Prints the same JSON:API document, keys included (once).
 */
public class CompanyCommand extends ConfiguredCommand<SwitchboardConfiguration> {

    public CompanyCommand() {
        super("company", "Manage companies (tenants): `company create --name NAME config.yml`");
    }

    @Override
    public void configure(Subparser subparser) {
        // the action comes first on the command line: `company create --name Acme config.yml`
        subparser.addArgument("action").choices("create").help("what to do");
        super.configure(subparser);
        subparser.addArgument("--name").required(true).help("the company's name");
    }

    @Override
    protected void run(Bootstrap<SwitchboardConfiguration> bootstrap, Namespace ns, SwitchboardConfiguration config)
            throws Exception {
        ObjectMapper mapper = bootstrap.getObjectMapper();
        CliDatabase.with(config, mapper, jdbi -> {
                TenancyService.CreatedCompany created = new TenancyService(jdbi).createCompany(ns.getString("name"));
                JSONAPIDocument<CompanyDto> doc = new JSONAPIDocument<>(CompanyDto.of(created.company()));
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("public_key", created.publicKey().plaintext());
                meta.put("secret_key", created.secretKey().plaintext());
                meta.put("owner_invitation_url", io.switchboard.portal.PortalModule.ownerInvitationUrl(
                        new io.switchboard.core.members.MemberService(jdbi), config.getPortal().publicBaseUrl,
                        created.company().id()));
                meta.put("note", "Keys and the invitation link are shown once. Store them now; only their hashes are kept.");
                doc.setMeta(meta);
                byte[] json = JsonApi.newConverter(mapper, CompanyDto.class, KeyDto.class).writeDocument(doc);
                System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        });
    }
}
