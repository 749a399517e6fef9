package io.switchboard.api.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.jasminb.jsonapi.JSONAPIDocument;
import com.github.jasminb.jsonapi.Link;
import com.github.jasminb.jsonapi.Links;
import io.switchboard.core.identity.Profile;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.errors.ApiException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps stored profiles to Klaviyo's {@code profile} resource object and documents: every attribute
 * present ({@code null} when unset), {@code created}/{@code updated}/{@code last_event_date} as
 * ISO-8601 with a {@code +00:00} offset, {@code location} with all of its keys, {@code properties},
 * and an absolute {@code links.self}. Shared by the profile endpoints and the events endpoints
 * ({@code include=profile}); keep it stable.
 */
public final class KlaviyoProfileMapper {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Microsecond precision (what PostgreSQL stores), always with a numeric offset like Klaviyo's. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx")
            .withZone(ZoneOffset.UTC);

    /** Attribute names in document order (identifiers first, as Klaviyo lists them). */
    public static final List<String> ATTRIBUTES = List.of("email", "phone_number", "external_id", "first_name",
            "last_name", "organization", "locale", "title", "image", "created", "updated", "last_event_date",
            "location", "properties");

    private final URI base;

    /** @param base the server's absolute base URI (e.g. {@code uriInfo.getBaseUri()}), ending in "/" */
    public KlaviyoProfileMapper(URI base) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
    }

    public String selfLink(String profileId) {
        return base + "api/profiles/" + profileId + "/";
    }

    /** The resource object with every attribute. */
    public KlaviyoProfileDto resource(Profile p) {
        return resource(p, null);
    }

    /**
     * The resource object; {@code fields} (sparse fieldset, e.g. {@code email}, {@code location.city})
     * restricts the attributes, null means all.
     */
    public KlaviyoProfileDto resource(Profile p, Set<String> fields) {
        KlaviyoProfileDto d = new KlaviyoProfileDto();
        d.id = p.id();
        d.links = links(selfLink(p.id()));
        for (String a : ATTRIBUTES) {
            if (fields != null && !fields.contains(a) && !(a.equals("location") && hasPrefix(fields, "location."))) {
                continue;
            }
            JsonNode v = switch (a) {
                case "email" -> text(p.email());
                case "phone_number" -> text(p.phoneNumber());
                case "external_id" -> text(p.externalId());
                case "created" -> time(p.createdAt());
                case "updated" -> time(p.updatedAt());
                case "last_event_date" -> time(p.lastEventAt());
                case "location" -> location(p, fields);
                case "properties" -> p.properties() == null ? F.objectNode() : p.properties().deepCopy();
                default -> {
                    JsonNode x = p.attributes() == null ? null : p.attributes().get(a);
                    yield x == null ? NullNode.instance : x;
                }
            };
            d.attributes.put(a, v);
        }
        return d;
    }

    /** A single-resource document: {@code data} and top-level {@code links.self}. */
    public JSONAPIDocument<KlaviyoProfileDto> document(Profile p, Set<String> fields) {
        KlaviyoProfileDto d = resource(p, fields);
        JSONAPIDocument<KlaviyoProfileDto> doc = new JSONAPIDocument<>(d);
        doc.setLinks(links(d.links.getSelf().getHref()));
        return doc;
    }

    /** A collection document with {@code links.self/next/prev} (absolute; next/prev only when they exist). */
    public JSONAPIDocument<List<KlaviyoProfileDto>> collection(List<Profile> profiles, Set<String> fields, String self,
                                                              String next, String prev) {
        List<KlaviyoProfileDto> data = new ArrayList<>();
        for (Profile p : profiles) data.add(resource(p, fields));
        JSONAPIDocument<List<KlaviyoProfileDto>> doc = new JSONAPIDocument<>(data);
        Map<String, Link> l = new HashMap<>();
        l.put("self", new Link(self));
        if (next != null) l.put("next", new Link(next));
        if (prev != null) l.put("prev", new Link(prev));
        doc.setLinks(new Links(l));
        return doc;
    }

    /**
     * An id-and-links document (profile-merge's answer: {@code data} has no {@code attributes}, which
     * jsonapi-converter would always write, so this one is built as a tree).
     */
    public ObjectNode reference(String profileId) {
        ObjectNode doc = F.objectNode();
        ObjectNode data = doc.putObject("data");
        data.put("type", "profile").put("id", profileId);
        data.putObject("links").put("self", selfLink(profileId));
        doc.putObject("links").put("self", selfLink(profileId));
        return doc;
    }

    /**
     * Parses {@code fields[profile]} (comma-separated; Klaviyo's enum of attribute names and
     * {@code location.*}); {@code id} is always present and accepted. Unknown names → 400.
     */
    public static Set<String> sparseFields(String raw, String parameter) {
        if (raw == null || raw.isBlank()) return null;
        Set<String> out = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String f = part.trim();
            if (f.isEmpty() || f.equals("id")) continue;
            boolean ok = ATTRIBUTES.contains(f)
                    || (f.startsWith("location.") && ProfileWrite.LOCATION.contains(f.substring(9)))
                    || f.equals("subscriptions") || f.startsWith("subscriptions.")
                    || f.equals("predictive_analytics") || f.startsWith("predictive_analytics.");
            if (!ok) {
                throw ApiException.invalidParameter(parameter, "`" + f + "` is not a profile field; allowed: "
                        + String.join(", ", ATTRIBUTES) + ", location.<field>.");
            }
            out.add(f);
        }
        return out;
    }

    private static boolean hasPrefix(Set<String> fields, String prefix) {
        return fields.stream().anyMatch(f -> f.startsWith(prefix));
    }

    private static JsonNode location(Profile p, Set<String> fields) {
        JsonNode stored = p.attributes() == null ? null : p.attributes().get("location");
        boolean whole = fields == null || fields.contains("location");
        ObjectNode loc = F.objectNode();
        for (String k : ProfileWrite.LOCATION) {
            if (!whole && !fields.contains("location." + k)) continue;
            JsonNode v = stored == null ? null : stored.get(k);
            loc.set(k, v == null ? NullNode.instance : v);
        }
        return loc;
    }

    private static JsonNode text(String s) {
        return s == null ? NullNode.instance : TextNode.valueOf(s);
    }

    public static JsonNode time(Instant t) {
        return t == null ? NullNode.instance : TextNode.valueOf(format(t));
    }

    public static String format(Instant t) {
        return TIME.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    private static Links links(String self) {
        Map<String, Link> l = new HashMap<>();
        l.put("self", new Link(self));
        return new Links(l);
    }
}
