package io.switchboard.resources.klaviyo.events;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import io.switchboard.resources.klaviyo.KlaviyoTestBase;
import io.switchboard.testing.AppFixture;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Klaviyo event request and response shapes checked against Klaviyo's own OpenAPI document (2026-07-15). */
class KlaviyoEventsOpenApiTest extends KlaviyoTestBase {
    static final String REV = "2026-07-15";

    static OpenApiInteractionValidator validator() throws Exception {
        return validator("klaviyo-openapi.json", "/client/events", "/client/event-bulk-create", "/api/events",
                "/api/events/{id}");
    }

    static OpenApiInteractionValidator validator(String file, String... paths) throws Exception {
        Path spec = Path.of("..", "shared", "spec", file);
        return OpenApiInteractionValidator.createForInlineApiSpecification(slice(Files.readString(spec), paths))
                .withLevelResolver(LevelResolver.create()
                        // the server URL of the document is Klaviyo's; credentials are checked by the app
                        .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                        .withLevel("validation.request.parameter.header.missing", ValidationReport.Level.IGNORE)
                        .build())
                .build();
    }

    /**
     * The document is 3 MB; the validator needs only these paths and the components they reach (loading the
     * whole document costs minutes and a gigabyte).
     */
    static String slice(String json, String... paths) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = AppFixture.JSON;
        com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(json);
        com.fasterxml.jackson.databind.node.ObjectNode out = doc.deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode keptPaths = out.putObject("paths");
        for (String p : paths) keptPaths.set(p, doc.get("paths").get(p));
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> todo = new java.util.ArrayDeque<>();
        todo.add(keptPaths);
        while (!todo.isEmpty()) {
            com.fasterxml.jackson.databind.JsonNode n = todo.pop();
            if (n.isObject() && n.has("$ref") && n.get("$ref").isTextual()) {
                String ref = n.get("$ref").asText();
                if (seen.add(ref)) todo.add(doc.at(ref.substring(1)));
            }
            n.elements().forEachRemaining(todo::add);
        }
        com.fasterxml.jackson.databind.node.ObjectNode comps = out.putObject("components");
        doc.get("components").fields().forEachRemaining(section -> {
            com.fasterxml.jackson.databind.node.ObjectNode kept = comps.putObject(section.getKey());
            section.getValue().fields().forEachRemaining(e -> {
                if (seen.contains("#/components/" + section.getKey() + "/" + e.getKey())) kept.set(e.getKey(), e.getValue());
            });
        });
        return m.writeValueAsString(out);
    }

    static void ok(ValidationReport r) {
        assertThat(r.getMessages()).as(r.toString()).isEmpty();
    }

    @Test
    void eventRequestsAndResponsesMatchTheDocument() throws Exception {
        OpenApiInteractionValidator v = validator();
        TestCompany c = F.createCompany("OpenAPI");
        String clientEvent = """
                {"data":{"type":"event","attributes":{"properties":{"sku":"A1"},"time":"2024-06-01T12:00:00Z","value":9.99,
                 "value_currency":"USD","unique_id":"oa-1","metric":{"data":{"type":"metric","attributes":{"name":"Viewed"}}},
                 "profile":{"data":{"type":"profile","attributes":{"email":"oa@example.com","first_name":"Oa"}}}}}}""";
        ok(v.validateRequest(SimpleRequest.Builder.post("/client/events").withQueryParam("company_id", c.publicId())
                .withHeader("revision", REV).withContentType("application/vnd.api+json").withBody(clientEvent).build()));
        Res posted = F.post("/client/events?company_id=" + c.publicId(), clientEvent, klaviyo(REV));
        assertThat(posted.status()).isEqualTo(202);

        String bulk = """
                {"data":{"type":"event-bulk-create","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"oa@example.com"}}},
                 "events":{"data":[{"type":"event","attributes":{"properties":{},"metric":{"data":{"type":"metric","attributes":{"name":"Bulk"}}},"unique_id":"b1"}}]}}}}""";
        ok(v.validateRequest(SimpleRequest.Builder.post("/client/event-bulk-create").withQueryParam("company_id", c.publicId())
                .withHeader("revision", REV).withContentType("application/vnd.api+json").withBody(bulk).build()));
        assertThat(F.post("/client/event-bulk-create?company_id=" + c.publicId(), bulk, klaviyo(REV)).status()).isEqualTo(202);

        Res list = F.get("/api/events?page[size]=1", klaviyoServer(c.secretKey(), REV));
        assertThat(list.status()).isEqualTo(200);
        Request listReq = SimpleRequest.Builder.get("/api/events").withQueryParam("page[size]", "1")
                .withHeader("revision", REV).build();
        ok(v.validateResponse("/api/events", Request.Method.GET, SimpleResponse.Builder.status(200)
                .withContentType("application/vnd.api+json").withBody(list.body()).build()));
        assertThat(listReq).isNotNull();
        // the validator does bite: a wrong shape is reported
        assertThat(v.validateResponse("/api/events", Request.Method.GET, SimpleResponse.Builder.status(200)
                .withContentType("application/vnd.api+json").withBody("{\"data\":[{\"id\":1,\"type\":\"nope\"}]}").build())
                .getMessages()).isNotEmpty();
        String id = list.json().at("/data/0/id").asText();
        Res one = F.get("/api/events/" + id, klaviyoServer(c.secretKey(), REV));
        ok(v.validateResponse("/api/events/{id}", Request.Method.GET, SimpleResponse.Builder.status(200)
                .withContentType("application/vnd.api+json").withBody(one.body()).build()));
    }

    @Test
    void theFlat20230222ShapeIsWhatThatRevisionDocuments() throws Exception {
        OpenApiInteractionValidator v = validator("klaviyo-openapi-2023-02-22.json", "/client/events/", "/api/events/");
        TestCompany c = F.createCompany("OpenAPI old");
        String flat = """
                {"data":{"type":"event","attributes":{"profile":{"$email":"old@example.com","$first_name":"Old"},
                 "metric":{"name":"Viewed Product"},"properties":{"ProductID":1111},"time":"2023-01-01T00:00:00Z","value":9.99}}}""";
        ok(v.validateRequest(SimpleRequest.Builder.post("/client/events/").withQueryParam("company_id", c.publicId())
                .withHeader("revision", "2023-02-22").withContentType("application/json").withBody(flat).build()));
        Res r = F.post("/client/events/?company_id=" + c.publicId(), flat, Map.of("revision", "2023-02-22"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(owner(F, c, "email", "old@example.com")).isNotNull();
    }
}
