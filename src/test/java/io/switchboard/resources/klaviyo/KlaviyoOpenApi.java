package io.switchboard.resources.klaviyo;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.whitelist.ValidationErrorsWhitelist;
import com.atlassian.oai.validator.whitelist.rule.WhitelistRules;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Validates Klaviyo exchanges against Klaviyo's own OpenAPI documents (copied from shared/spec into
 * src/test/resources/openapi so a fresh clone needs nothing beside it): revision 2026-07-15 for current
 * requests, 2023-02-22 for requests that ask for a revision before 2023-07-15. Each document is parsed
 * once per JVM (the current one is 3 MB).
 *
 * <p>Whitelisted differences — each is a genuine, deliberate difference, not a bug being hidden:
 */
final class KlaviyoOpenApi {
    private KlaviyoOpenApi() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /*
     * The validators are built lazily and dropped by fresh() when a test class starts (KlaviyoTestClient):
     * the library's schema cache (SchemaValidator.jsonSchemaCache) keeps a compiled schema, each with a copy
     * of the document's components (thousands of JSON nodes), for what it validated — with combinators
     * resolved, close to one per validated message — and never evicts. One validator for the whole test JVM
     * held ~700 such trees (~650 MB) by the tenth Klaviyo test class and left the shared 1 GB heap in
     * back-to-back full collections. Per class it stays bounded by that class's traffic (largest seen: ~560
     * trees, ~480 MB live heap in all, in KlaviyoSegmentsTest, which polls); a rebuild costs a second or two.
     * If one class ever validates much more, drop the validators every few hundred validations too.
     */
    private static OpenApiInteractionValidator current;
    private static OpenApiInteractionValidator legacy;

    /** Drops both validators and their schema caches; the next validation builds them again. */
    static synchronized void fresh() {
        current = null;
        legacy = null;
    }

    private static synchronized OpenApiInteractionValidator validator(boolean old) {
        if (old) {
            if (legacy == null) legacy = Legacy.build();
            return legacy;
        }
        if (current == null) current = Current.build();
        return current;
    }

    private static final class Current {
        static OpenApiInteractionValidator build() {
            return OpenApiInteractionValidator
                .createForInlineApiSpecification(load("openapi/klaviyo-openapi-2026-07-15.json"))
                // merge allOf parts into one schema: with the validator's strict additionalProperties each
                // part of an allOf would otherwise reject the other part's properties
                .withResolveCombinators(true)
                .withWhitelist(ValidationErrorsWhitelist.create()
                        // Klaviyo's error objects carry an integer `status` and, for 409 duplicate_profile,
                        // `meta.duplicate_profile_id` (research §4, live traffic); the ClientError schema lists
                        // neither.
                        .withRule("error status and meta",
                                WhitelistRules.allOf(WhitelistRules.isResponse(),
                                        WhitelistRules.messageHasKey("validation.response.body.schema.additionalProperties"),
                                        WhitelistRules.messageContainsRegexp(".*'/errors/\\d+'.*"),
                                        WhitelistRules.messageContainsRegexp(
                                                ".*allowed by the schema: \\[(\"status\"|\"meta\"|,)+\\].*")))
                        // Klaviyo accepts `application/json` request bodies too (its Node SDK and mobile SDKs send
                        // them, research §0); the document lists only `application/vnd.api+json`.
                        .withRule("application/json requests",
                                WhitelistRules.allOf(WhitelistRules.isRequest(),
                                        WhitelistRules.messageHasKey("validation.request.contentType.notAllowed"),
                                        WhitelistRules.headerContainsSubstring("Content-Type", "application/json")))
                        // …and `Accept: application/json` (the Swift SDK sends it); the answer is still
                        // `application/vnd.api+json`, which the response check verifies.
                        .withRule("Accept: application/json",
                                WhitelistRules.allOf(WhitelistRules.isRequest(),
                                        WhitelistRules.messageHasKey("validation.request.accept.notAllowed"),
                                        WhitelistRules.headerContainsSubstring("Accept", "application/json")))
                        // Seed 004 (the browser endpoint as deployed) sends `data.meta.identifiers`, which this
                        // revision's OnsiteProfileMeta no longer lists; the contract requires accepting it.
                        .withRule("seed 004 meta.identifiers",
                                WhitelistRules.allOf(WhitelistRules.isRequest(),
                                        WhitelistRules.messageContainsSubstring("'/data/meta'"),
                                        WhitelistRules.messageContainsSubstring("[\"identifiers\"]")))
                        // `latitude`/`longitude` are `nullable` with `oneOf: [string, number]`; the validator's
                        // JSON-Schema draft 4 cannot express nullable-oneOf and rejects the null that Klaviyo
                        // (and we) send for an unset coordinate.
                        .withRule("null coordinates",
                                WhitelistRules.allOf(WhitelistRules.isResponse(),
                                        WhitelistRules.messageHasKey("validation.response.body.schema.oneOf"),
                                        WhitelistRules.messageContainsRegexp(".*/location/(latitude|longitude)'.*")))
                        // GET /api/lists/{id}'s data is allOf(an object adding attributes.profile_count, the list
                        // resource), profile reads' allOf(an object adding attributes.subscriptions, the profile);
                        // merging the combinator keeps only the second part's nested attributes, so the
                        // profile_count / subscriptions that Klaviyo's document itself lists are reported as not
                        // allowed. (KlaviyoConsentTest checks the subscriptions object's content field by field.)
                        .withRule("list profile_count",
                                WhitelistRules.allOf(WhitelistRules.isResponse(),
                                        WhitelistRules.messageHasKey("validation.response.body.schema.additionalProperties"),
                                        WhitelistRules.messageContainsRegexp(".*'/data(/\\d+)?/attributes'.*"),
                                        WhitelistRules.anyOf(
                                                WhitelistRules.messageContainsSubstring("[\"profile_count\"]"),
                                                WhitelistRules.messageContainsSubstring("[\"subscriptions\"]"))))
                        // Server-side profile writes took `anonymous_id` until revision 2025-07-15 (research §3);
                        // this 2026-07-15 document no longer lists it, so requests at older revisions differ.
                        .withRule("anonymous_id before 2025-10-15",
                                WhitelistRules.allOf(WhitelistRules.isRequest(),
                                        WhitelistRules.messageContainsSubstring("[\"anonymous_id\"]"),
                                        (message, operation, request, response) -> request != null
                                                && request.getHeaderValue("revision")
                                                .filter(r -> r.compareTo("2025-10-15") < 0).isPresent())))
                .build();
        }
    }

    private static final class Legacy {
        static OpenApiInteractionValidator build() {
            return OpenApiInteractionValidator
                .createForInlineApiSpecification(load("openapi/klaviyo-openapi-2023-02-22.json"))
                .withResolveCombinators(true)
                .withWhitelist(ValidationErrorsWhitelist.create()
                        // The 2023-02-22 document declares `application/json` responses; Klaviyo (and we)
                        // answer `application/vnd.api+json` on every revision (research §0).
                        .withRule("vnd.api+json responses",
                                WhitelistRules.messageHasKey("validation.response.contentType.notAllowed"))
                        // Likewise it lists only `application/json` for requests and Accept; both media types
                        // are accepted on every revision (klaviyo.md wire rules).
                        .withRule("vnd.api+json requests",
                                WhitelistRules.anyOf(WhitelistRules.messageHasKey("validation.request.contentType.notAllowed"),
                                        WhitelistRules.messageHasKey("validation.request.accept.notAllowed")))
                        // That document's attributes are not `nullable`, yet Klaviyo returned null for unset
                        // attributes then as now; the contract says every attribute is present, null when unset.
                        .withRule("null attributes",
                                WhitelistRules.allOf(WhitelistRules.isResponse(),
                                        WhitelistRules.messageContainsSubstring("(null)"))))
                .build();
        }
    }

    /** The Klaviyo operations Switchboard serves (paths without a trailing slash). */
    static final Set<String> SERVED = Set.of("/client/profiles", "/client/events", "/client/event-bulk-create",
            "/client/subscriptions", "/client/push-tokens", "/client/push-token-unregister",
            "/client/back-in-stock-subscriptions", "/api/profiles", "/api/profiles/{id}", "/api/profile-import",
            "/api/profile-merge", "/api/events", "/api/events/{id}", "/api/data-privacy-deletion-jobs");

    /** Audience operations (issue 15, docs/audiences.md): metrics, lists, subscriptions, bulk jobs, segments. */
    static final Set<String> AUDIENCES = Set.of("/api/metrics", "/api/metrics/{id}", "/api/metric-aggregates",
            "/api/events/{id}/metric", "/api/events/{id}/relationships/metric", "/api/events/{id}/relationships/profile",
            "/api/lists", "/api/lists/{id}", "/api/lists/{id}/profiles", "/api/lists/{id}/relationships/profiles",
            "/api/profiles/{id}/lists", "/api/profiles/{id}/relationships/lists",
            "/api/profile-subscription-bulk-create-jobs", "/api/profile-subscription-bulk-delete-jobs",
            "/api/profile-suppression-bulk-create-jobs", "/api/profile-suppression-bulk-create-jobs/{job_id}",
            "/api/profile-suppression-bulk-delete-jobs", "/api/profile-suppression-bulk-delete-jobs/{job_id}",
            "/api/profile-bulk-import-jobs", "/api/profile-bulk-import-jobs/{job_id}", "/api/profile-bulk-import-jobs/{id}/lists",
            "/api/profile-bulk-import-jobs/{id}/relationships/lists", "/api/profile-bulk-import-jobs/{id}/profiles",
            "/api/profile-bulk-import-jobs/{id}/relationships/profiles", "/api/profile-bulk-import-jobs/{id}/import-errors",
            "/api/event-bulk-create-jobs", "/api/segments", "/api/segments/{id}", "/api/segments/{id}/profiles",
            "/api/segments/{id}/relationships/profiles", "/api/profiles/{id}/segments",
            "/api/profiles/{id}/relationships/segments",
            "/api/push-tokens", "/api/push-tokens/{id}", "/api/profiles/{id}/push-tokens");

    /**
     * Loads a document and prunes it to the operations Switchboard serves and the components they reach.
     * The validator copies every component schema into each schema it compiles; on Klaviyo's whole
     * document (thousands of schemas) that takes minutes per operation, on the pruned one milliseconds.
     * What is kept is verbatim.
     */
    private static String load(String resource) {
        try (InputStream in = KlaviyoOpenApi.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            ObjectNode doc = (ObjectNode) JSON.readTree(in);
            ObjectNode paths = (ObjectNode) doc.get("paths");
            List<String> drop = new ArrayList<>();
            paths.fieldNames().forEachRemaining(p -> {
                String key = p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
                if (!SERVED.contains(key) && !AUDIENCES.contains(key)) drop.add(p);
            });
            paths.remove(drop);
            Set<String> reached = new HashSet<>();
            Deque<JsonNode> todo = new ArrayDeque<>(List.of(paths));
            JsonNode components = doc.path("components");
            while (!todo.isEmpty()) {
                JsonNode n = todo.pop();
                if (n.isObject() && n.has("$ref") && n.get("$ref").isTextual()) {
                    String ref = n.get("$ref").asText();
                    if (ref.startsWith("#/components/") && reached.add(ref)) {
                        JsonNode target = components.at(ref.substring("#/components".length()));
                        if (!target.isMissingNode()) todo.push(target);
                    }
                }
                n.elements().forEachRemaining(todo::push);
            }
            components.fields().forEachRemaining(section -> {
                if (section.getValue() instanceof ObjectNode o && !section.getKey().equals("securitySchemes")) {
                    List<String> unused = new ArrayList<>();
                    o.fieldNames().forEachRemaining(name -> {
                        if (!reached.contains("#/components/" + section.getKey() + "/" + name)) unused.add(name);
                    });
                    o.remove(unused);
                }
            });
            return JSON.writeValueAsString(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when a revision header asks for the 2023-02-22 shapes (any date before 2023-07-15). */
    static boolean legacy(String revision) {
        return revision != null && revision.length() >= 10 && revision.substring(0, 10).compareTo("2023-07-15") < 0;
    }

    /**
     * Validates one exchange. {@code requestValid}: false for tests that send a deliberately invalid
     * request, where only the response is checked against the operation.
     */
    static ValidationReport validate(String method, String pathAndQuery, String body, Map<String, String> headers,
                                     int status, String responseBody, Map<String, List<String>> responseHeaders,
                                     boolean requestValid) {
        boolean legacy = legacy(headers.get("revision"));
        OpenApiInteractionValidator v = validator(legacy);
        URI uri = URI.create("http://x" + pathAndQuery);
        String path = uri.getRawPath();
        if (legacy) {
            if (!path.endsWith("/")) path = path + "/";
        } else if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Request.Method m = Request.Method.valueOf(method);
        SimpleResponse.Builder rb = SimpleResponse.Builder.status(status);
        if (responseBody != null && !responseBody.isEmpty()) rb.withBody(responseBody);
        responseHeaders.forEach((k, vals) -> {
            if (!k.equals(":status")) rb.withHeader(k, vals);
        });
        SimpleResponse response = rb.build();
        if (!requestValid) {
            return v.validateResponse(path, m, response);
        }
        SimpleRequest.Builder qb = new SimpleRequest.Builder(method, path);
        headers.forEach(qb::withHeader);
        if (body != null) qb.withBody(body);
        if (uri.getRawQuery() != null) {
            for (String part : uri.getRawQuery().split("&")) {
                int eq = part.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String val = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                qb.withQueryParam(k, val);
            }
        }
        return v.validate(qb.build(), response);
    }

    static String describe(ValidationReport r) {
        return r.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + ": " + m.getMessage() + " " + m.getAdditionalInfo())
                .collect(Collectors.joining("\n"));
    }
}
