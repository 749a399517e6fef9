package io.switchboard.resources.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.core.events.IngestOp;
import io.switchboard.core.events.IngestOp.IdempotencyKey;
import io.switchboard.core.identity.Identifiers;
import io.switchboard.core.identity.ProfileWrite;
import io.switchboard.core.identity.WriteMode;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import io.switchboard.api.Body;
import io.switchboard.api.Body.Loc;
import io.switchboard.resources.ingest.IsoTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Segment-spec messages (segment.md) → {@link IngestOp}s, shared by the Dittofeed and Segment dialects.
 * Trait mapping per identity.md; event time with Segment's clock-skew correction; messageId idempotency
 * (one scope for both dialects, so a message sent through either path is stored once).
 */
public final class SegmentMessages {
    public static final String SCOPE = "segment";
    public static final int MAX_MESSAGE_BYTES = 32 * 1024;
    public static final int MAX_BATCH_BYTES = 500 * 1024;
    public static final int MAX_BATCH_MESSAGES = 2500;
    public static final Set<String> TYPES = Set.of("identify", "track", "page", "screen", "group", "alias");
    private static final Instant EPOCH = Instant.EPOCH;

    private final String source;
    /** Status kind for size limits: Segment answers 400, Dittofeed 413. */
    private final ErrorKind tooLarge;
    /** Dittofeed (seed 002): every message needs a {@code messageId}; Segment assigns none and accepts none. */
    private final boolean messageIdRequired;
    /** Segment's clock-skew correction also applies to a client-stamped {@code timestamp} (see eventTime). */
    private final boolean correctClientTimestamp;

    public SegmentMessages(String source, ErrorKind tooLarge) {
        this(source, tooLarge, false, false);
    }

    private SegmentMessages(String source, ErrorKind tooLarge, boolean messageIdRequired, boolean correctClientTimestamp) {
        this.source = source;
        this.tooLarge = tooLarge;
        this.messageIdRequired = messageIdRequired;
        this.correctClientTimestamp = correctClientTimestamp;
    }

    /** Segment's HTTP API: 400 for over-limit bodies, messageId optional, clock-skew correction. */
    public static SegmentMessages segment(String source) {
        return new SegmentMessages(source, ErrorKind.INVALID, false, true);
    }

    /** Dittofeed's public apps API: 413 for over-limit bodies, messageId required, timestamp as sent. */
    public static SegmentMessages dittofeed(String source) {
        return new SegmentMessages(source, ErrorKind.PAYLOAD_TOO_LARGE, true, false);
    }

    /** One message posted to {@code /<type>}: the path decides the type. */
    public List<IngestOp> single(String type, byte[] raw, JsonNode body, Instant receivedAt) {
        if (raw.length > MAX_MESSAGE_BYTES) {
            throw new ApiException(tooLarge, "The message is " + raw.length + " bytes; at most 32 KB per message.");
        }
        if (!body.isObject()) throw ApiException.invalid("", "The body must be a JSON object (one " + type + " message).");
        ObjectNode msg = ((ObjectNode) body).deepCopy();
        msg.put("type", type);
        return List.of(message(msg, null, null, "", null, receivedAt));
    }

    /** {@code {batch:[…], context?, sentAt?}}: all or nothing. */
    public List<IngestOp> batch(byte[] raw, JsonNode body, Instant receivedAt) {
        if (raw.length > MAX_BATCH_BYTES) {
            throw new ApiException(tooLarge, "The batch is " + raw.length + " bytes; at most 500 KB per batch.");
        }
        if (!body.isObject()) throw ApiException.invalid("", "The body must be a JSON object with a `batch` array.");
        JsonNode batch = body.get("batch");
        if (batch == null || !batch.isArray()) {
            throw ApiException.invalid("/batch", "`batch` is required and must be an array of messages.");
        }
        if (batch.size() > MAX_BATCH_MESSAGES) {
            throw ApiException.invalid("/batch", "At most " + MAX_BATCH_MESSAGES + " messages per batch; got "
                    + batch.size() + ".");
        }
        ObjectNode context = Body.object(body, "context", new Loc("context", "/context"));
        Instant sentAt = time(body, "sentAt", new Loc("sentAt", "/sentAt"));
        List<IngestOp> ops = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            JsonNode item = batch.get(i);
            String where = "batch[" + i + "]";
            if (!item.isObject()) throw ApiException.invalid("/batch/" + i, "`" + where + "` must be an object.");
            int size = item.toString().getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_MESSAGE_BYTES) {
                throw new ApiException(tooLarge, "`" + where + "` is " + size + " bytes; at most 32 KB per message.",
                        "/batch/" + i, null, null);
            }
            String type = Body.text(item, "type", new Loc(where + ".type", "/batch/" + i + "/type"));
            if (type == null || !TYPES.contains(type)) {
                throw ApiException.invalid("/batch/" + i + "/type", "`" + where + ".type` must be one of "
                        + "identify, track, page, screen, group, alias" + (type == null ? "." : "; got \"" + type + "\"."));
            }
            ops.add(message(((ObjectNode) item).deepCopy(), context, sentAt, where + ".", "/batch/" + i, receivedAt));
        }
        return ops;
    }

    private IngestOp message(ObjectNode msg, ObjectNode batchContext, Instant batchSentAt, String p, String ptr,
                             Instant receivedAt) {
        String pointer = ptr == null ? "" : ptr;
        String type = msg.get("type").asText();
        String where = p.isEmpty() ? null : p.substring(0, p.length() - 1);
        ObjectNode ctx = Body.object(msg, "context", loc(p, pointer, "context"));
        if (batchContext != null) msg.set("context", Body.mergeUnder(batchContext, ctx));
        String messageId = Body.id(msg, "messageId", loc(p, pointer, "messageId"));
        if (messageIdRequired && (messageId == null || messageId.isBlank())) {
            throw ApiException.invalid(pointer + "/messageId", "`" + p + "messageId` is required: a unique id of the "
                    + "message (a UUID, say), used to drop retried duplicates.");
        }
        String userId = Body.id(msg, "userId", loc(p, pointer, "userId"));
        String anonymousId = Body.id(msg, "anonymousId", loc(p, pointer, "anonymousId"));
        Instant timestamp = time(msg, "timestamp", loc(p, pointer, "timestamp"));
        Instant sentAt = time(msg, "sentAt", loc(p, pointer, "sentAt"));
        Instant original = time(msg, "originalTimestamp", loc(p, pointer, "originalTimestamp"));
        if (sentAt == null) sentAt = batchSentAt;
        Instant eventTime = correctClientTimestamp
                ? correctedTime(timestamp, sentAt, original, receivedAt)
                : eventTime(timestamp, sentAt, original, receivedAt);
        if (eventTime.atOffset(java.time.ZoneOffset.UTC).getYear() > 9999) {
            throw ApiException.invalid(pointer + "/timestamp", "`" + p + "timestamp` must be before the year 10000.");
        }
        if (eventTime.isBefore(EPOCH)) {
            throw ApiException.invalid(pointer + "/timestamp", "`" + p + "timestamp` must be after 1970-01-01.");
        }
        // the stored raw message: everything sent (except a credential), plus the server's receivedAt
        msg.remove("writeKey");
        msg.put("receivedAt", receivedAt.toString());
        if (batchSentAt != null && !msg.has("sentAt")) msg.put("sentAt", batchSentAt.toString());
        IdempotencyKey key = messageId == null || messageId.isBlank() ? null : new IdempotencyKey(SCOPE, messageId);

        if (type.equals("alias")) {
            String previousId = Body.id(msg, "previousId", loc(p, pointer, "previousId"));
            if (previousId == null) {
                throw ApiException.invalid(pointer + "/previousId", "`" + p + "previousId` is required for alias.");
            }
            if (userId == null) {
                throw ApiException.invalid(pointer + "/userId", "`" + p + "userId` is required for alias.");
            }
            var event = new IngestOp.Event("alias", null, null, null, null, eventTime, source, messageId, msg, false);
            return new IngestOp(where, key, new IngestOp.Alias(previousId, userId), List.of(event));
        }
        if (userId == null && anonymousId == null) {
            throw ApiException.invalid(pointer + "/userId", "`" + p + "userId` or `" + p + "anonymousId` is required.");
        }
        ProfileWrite write = ProfileWrite.NONE;
        String email = null;
        String phone = null;
        List<IngestOp.Effect> effects = new ArrayList<>();
        switch (type) {
            case "identify" -> {
                ObjectNode traits = Body.object(msg, "traits", loc(p, pointer, "traits"));
                String traitsPointer = pointer + "/traits";
                if (traits == null && msg.get("context") instanceof ObjectNode c) {
                    // RudderStack's SDKs send identify traits in context.traits only (Segment's spec allows both)
                    traits = Body.object(c, "traits", new Loc(p + "context.traits", pointer + "/context/traits"));
                    traitsPointer = pointer + "/context/traits";
                }
                if (traits != null) {
                    email = traitText(traits, "email");
                    phone = traitText(traits, "phone");
                    write = traits(traits, timestamp, traitsPointer);
                }
                effects.add(new IngestOp.Event("identify", null, traits, null, null, eventTime, source, messageId, msg,
                        false).at(traitsPointer));
            }
            case "track" -> {
                String event = Body.text(msg, "event", loc(p, pointer, "event"));
                if (event == null || event.isBlank()) {
                    throw ApiException.invalid(pointer + "/event", "`" + p + "event` is required for track and must "
                            + "be a non-empty string.");
                }
                ObjectNode props = Body.properties(msg, "properties", loc(p, pointer, "properties"));
                effects.add(new IngestOp.Event("track", event, props, value(props), currency(props), eventTime, source,
                        messageId, msg, false).at(pointer + "/properties"));
                // Dittofeed SDKs' subscribe()/unsubscribe(): membership of the subscription group as a list
                if (event.equals("DFSubscriptionChange") && props != null && props.path("subscriptionId").isTextual()) {
                    String action = props.path("action").asText("");
                    if (action.equalsIgnoreCase("Subscribe") || action.equalsIgnoreCase("Unsubscribe")) {
                        effects.add(new IngestOp.ListMembership(props.get("subscriptionId").asText(),
                                action.equalsIgnoreCase("Subscribe")));
                    }
                }
            }
            case "page", "screen" -> {
                String name = Body.text(msg, "name", loc(p, pointer, "name"));
                ObjectNode props = Body.properties(msg, "properties", loc(p, pointer, "properties"));
                ObjectNode stored = props == null ? Body.MAPPER.createObjectNode() : props.deepCopy();
                if (name != null) stored.put("name", name);
                JsonNode category = msg.get("category");
                if (category != null && category.isTextual()) stored.put("category", category.asText());
                effects.add(new IngestOp.Event(type, type.equals("page") ? "Page Viewed" : "Screen Viewed", stored,
                        null, null, eventTime, source, messageId, msg, false).at(pointer + "/properties"));
            }
            case "group" -> {
                String groupId = Body.id(msg, "groupId", loc(p, pointer, "groupId"));
                if (groupId == null || groupId.isBlank()) {
                    throw ApiException.invalid(pointer + "/groupId", "`" + p + "groupId` is required for group.");
                }
                ObjectNode traits = Body.object(msg, "traits", loc(p, pointer, "traits"));
                Boolean assigned = Body.bool(msg, "assigned", loc(p, pointer, "assigned"));
                effects.add(new IngestOp.Group(groupId, traits, assigned == null || assigned));
                effects.add(new IngestOp.Event("group", null, traits, null, null, eventTime, source, messageId, msg,
                        false).at(pointer + "/traits"));
            }
            default -> throw new IllegalStateException(type);
        }
        Identifiers ids = Identifiers.of(userId, email, phone, anonymousId);
        return new IngestOp(where, key, new IngestOp.Resolve(ids, write, WriteMode.NORMAL), effects);
    }

    private static Loc loc(String p, String pointer, String field) {
        return new Loc(p + field, pointer + "/" + field);
    }

    /**
     * segment.md "Time": {@code timestamp} when present; else receivedAt − (sentAt − originalTimestamp) when
     * both are present; else the receive time.
     */
    public static Instant eventTime(Instant timestamp, Instant sentAt, Instant originalTimestamp, Instant receivedAt) {
        if (timestamp != null) return timestamp;
        if (sentAt != null && originalTimestamp != null) {
            return receivedAt.minus(Duration.between(originalTimestamp, sentAt));
        }
        return receivedAt;
    }

    /**
     * Segment's clock-skew correction (its "Timestamps" spec): a client that reports when it sent the
     * message ({@code sentAt}) has its own clock; the time it stamped on the message (
     * {@code originalTimestamp}, else {@code timestamp} — analytics.js, analytics-node and RudderStack stamp
     * {@code timestamp}/{@code originalTimestamp} and {@code sentAt}) is moved onto the server's clock:
     * receivedAt − (sentAt − client time). A message with both {@code timestamp} and
     * {@code originalTimestamp} already carries its corrected time (a replay): {@code timestamp} is kept.
     * Without {@code sentAt}: {@code timestamp}, else the receive time.
     */
    public static Instant correctedTime(Instant timestamp, Instant sentAt, Instant originalTimestamp, Instant receivedAt) {
        if (timestamp != null && originalTimestamp != null) return timestamp;
        Instant client = originalTimestamp != null ? originalTimestamp : timestamp;
        if (sentAt != null && client != null) return receivedAt.minus(Duration.between(client, sentAt));
        return timestamp != null ? timestamp : receivedAt;
    }

    /** An optional ISO-8601 date-time field ({@link IsoTime}); not one → 400 naming the field. */
    static Instant time(JsonNode parent, String field, Loc loc) {
        String s = Body.text(parent, field, loc);
        if (s == null) return null;
        Instant t = IsoTime.parse(s);
        if (t == null) {
            throw Body.invalid(loc, "The value of `" + loc.path() + "` must be an ISO-8601 date-time between the "
                    + "years 0001 and 9999, such as 2025-07-15T10:30:00Z.");
        }
        return t;
    }

    private static String traitText(ObjectNode traits, String f) {
        JsonNode v = traits.get(f);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static java.math.BigDecimal value(ObjectNode props) {
        if (props == null) return null;
        JsonNode v = props.has("revenue") ? props.get("revenue") : props.get("value");
        return v != null && v.isNumber() ? v.decimalValue() : null;
    }

    private static String currency(ObjectNode props) {
        if (props == null) return null;
        JsonNode v = props.get("currency");
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /**
     * identity.md mapping: email/phone are identifiers; firstName/first_name, lastName/last_name, title,
     * company.name → organization, avatar → image, address.* → location; other traits → properties.
     */
    static ProfileWrite traits(ObjectNode traits, Instant timestamp) {
        return traits(traits, timestamp, "/traits");
    }

    static ProfileWrite traits(ObjectNode traits, Instant timestamp, String pointer) {
        ProfileWrite.Builder b = ProfileWrite.builder().timestamp(timestamp).propertiesPointer(pointer);
        for (Iterator<Map.Entry<String, JsonNode>> it = traits.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "email", "phone", "id", "userId", "anonymousId" -> { }
                case "firstName", "first_name" -> b.attribute("first_name", v);
                case "lastName", "last_name" -> b.attribute("last_name", v);
                case "title" -> b.attribute("title", v);
                case "avatar" -> b.attribute("image", v);
                case "timezone" -> b.attribute("location.timezone", v);
                case "locale" -> b.attribute("locale", v);
                case "company" -> {
                    if (v.isObject()) {
                        if (v.has("name")) b.attribute("organization", v.get("name"));
                        ObjectNode rest = ((ObjectNode) v).deepCopy();
                        rest.remove("name");
                        if (!rest.isEmpty()) b.property("company", rest);
                    } else if (v.isTextual()) {
                        b.attribute("organization", v);
                    } else {
                        b.property(k, v);
                    }
                }
                case "address" -> {
                    if (v.isObject()) {
                        address(b, v, "street", "address1");
                        address(b, v, "address1", "address1");
                        address(b, v, "address2", "address2");
                        address(b, v, "city", "city");
                        address(b, v, "country", "country");
                        address(b, v, "state", "region");
                        address(b, v, "region", "region");
                        address(b, v, "postalCode", "zip");
                        address(b, v, "zip", "zip");
                    } else {
                        b.property(k, v);
                    }
                }
                default -> b.property(k, v);
            }
        }
        return b.build();
    }

    private static void address(ProfileWrite.Builder b, JsonNode address, String from, String to) {
        JsonNode v = address.get(from);
        if (v != null) b.attribute("location." + to, v.isTextual() || v.isNull() ? v : TextNode.valueOf(v.asText()));
    }
}
