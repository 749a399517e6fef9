package io.switchboard.core.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A locked profile being changed inside one transaction: identifier columns, attributes, properties and
 * the per-key write times that make "newest write wins" possible.
 */
final class Draft {
    final String id;
    final boolean isNew;
    String externalId;
    String email;
    String phoneNumber;
    final List<String> anonymousIds;
    final ObjectNode attributes;
    final ObjectNode properties;
    final ObjectNode writeTimes;
    Instant createdAt;
    Instant lastEventAt;
    boolean dirty;

    Draft(String id, boolean isNew, Instant now) {
        this.id = id;
        this.isNew = isNew;
        this.anonymousIds = new ArrayList<>();
        this.attributes = JsonNodeFactory.instance.objectNode();
        this.properties = JsonNodeFactory.instance.objectNode();
        this.writeTimes = JsonNodeFactory.instance.objectNode();
        this.createdAt = now;
    }

    Draft(Profile p) {
        this.id = p.id();
        this.isNew = false;
        this.externalId = p.externalId();
        this.email = p.email();
        this.phoneNumber = p.phoneNumber();
        this.anonymousIds = new ArrayList<>(p.anonymousIds());
        this.attributes = p.attributes().deepCopy();
        this.properties = p.properties().deepCopy();
        this.writeTimes = p.writeTimes().deepCopy();
        this.createdAt = p.createdAt();
        this.lastEventAt = p.lastEventAt();
    }

    String get(IdentifierKind k) {
        return switch (k) {
            case EXTERNAL_ID -> externalId;
            case EMAIL -> email;
            case PHONE_NUMBER -> phoneNumber;
            case ANONYMOUS_ID -> anonymousIds.isEmpty() ? null : anonymousIds.get(0);
        };
    }

    void set(IdentifierKind k, String v) {
        switch (k) {
            case EXTERNAL_ID -> externalId = v;
            case EMAIL -> email = v;
            case PHONE_NUMBER -> phoneNumber = v;
            case ANONYMOUS_ID -> {
                if (v != null && !anonymousIds.contains(v)) anonymousIds.add(v);
            }
        }
        dirty = true;
    }

    boolean owns(Identifier i) {
        return i.kind() == IdentifierKind.ANONYMOUS_ID ? anonymousIds.contains(i.value()) : i.value().equals(get(i.kind()));
    }

    List<Identifier> identifiers() {
        List<Identifier> out = new ArrayList<>();
        if (externalId != null) out.add(new Identifier(IdentifierKind.EXTERNAL_ID, externalId));
        if (email != null) out.add(new Identifier(IdentifierKind.EMAIL, email));
        if (phoneNumber != null) out.add(new Identifier(IdentifierKind.PHONE_NUMBER, phoneNumber));
        anonymousIds.forEach(a -> out.add(new Identifier(IdentifierKind.ANONYMOUS_ID, a)));
        return out;
    }

    // ---- attributes and properties, addressed by flat key: "first_name", "location.city", "properties.plan"

    long writeTime(String key) {
        JsonNode t = writeTimes.get(key);
        return t == null ? 0L : t.asLong();
    }

    JsonNode value(String key) {
        if (key.startsWith("properties.")) return properties.get(key.substring(11));
        if (key.startsWith("location.")) {
            JsonNode loc = attributes.get("location");
            return loc == null ? null : loc.get(key.substring(9));
        }
        return attributes.get(key);
    }

    /** Sets (or with null / NullNode, clears) a key and stamps its write time. */
    void put(String key, JsonNode v, long at) {
        boolean clear = v == null || v.isNull();
        if (key.startsWith("properties.")) {
            String k = key.substring(11);
            if (clear) properties.remove(k); else properties.set(k, v);
        } else if (key.startsWith("location.")) {
            String k = key.substring(9);
            ObjectNode loc = attributes.get("location") instanceof ObjectNode o ? o : attributes.putObject("location");
            if (clear) loc.remove(k); else loc.set(k, v);
            if (loc.isEmpty()) attributes.remove("location");
        } else {
            if (clear) attributes.remove(key); else attributes.set(key, v);
        }
        writeTimes.put(key, at);
        dirty = true;
    }

    /** All flat keys that have a value or a write time. */
    Set<String> keys() {
        Set<String> out = new LinkedHashSet<>();
        writeTimes.fieldNames().forEachRemaining(out::add);
        attributes.fields().forEachRemaining(e -> {
            if (e.getKey().equals("location") && e.getValue().isObject()) {
                e.getValue().fieldNames().forEachRemaining(f -> out.add("location." + f));
            } else {
                out.add(e.getKey());
            }
        });
        properties.fieldNames().forEachRemaining(f -> out.add("properties." + f));
        return out;
    }

    /** Applies a write: each key only if the write is not older than the key's last write. */
    void apply(ProfileWrite w, Instant receivedAt) {
        long at = (w.timestamp() != null ? w.timestamp() : receivedAt).toEpochMilli();
        w.attributes().forEach((k, v) -> {
            if (at >= writeTime(k)) put(k, v, at);
        });
        w.properties().forEach((k, v) -> {
            String key = "properties." + k;
            if (at >= writeTime(key)) put(key, v, at);
        });
        PatchProperties p = w.patch();
        p.append().forEach((k, v) -> {
            String key = "properties." + k;
            JsonNode cur = properties.get(k);
            ArrayNode arr = JsonNodeFactory.instance.arrayNode();
            if (cur != null && cur.isArray()) arr.addAll((ArrayNode) cur);
            else if (cur != null && !cur.isNull()) arr.add(cur);
            if (v.isArray()) v.forEach(arr::add); else arr.add(v);
            put(key, arr, Math.max(at, writeTime(key)));
        });
        p.unappend().forEach((k, v) -> {
            String key = "properties." + k;
            JsonNode cur = properties.get(k);
            if (cur == null || !cur.isArray()) return;
            ArrayNode arr = ((ArrayNode) cur).deepCopy();
            List<JsonNode> remove = new ArrayList<>();
            if (v.isArray()) v.forEach(remove::add); else remove.add(v);
            for (Iterator<JsonNode> it = arr.iterator(); it.hasNext(); ) {
                if (remove.contains(it.next())) it.remove();
            }
            put(key, arr, Math.max(at, writeTime(key)));
        });
        p.unset().forEach(k -> put("properties." + k, null, Math.max(at, writeTime("properties." + k))));
    }

    /** Takes each of the loser's keys that was written later than ours (ties stay with this survivor). */
    void absorb(Draft loser) {
        for (String key : loser.keys()) {
            long theirs = loser.writeTime(key);
            if (theirs > writeTime(key) || (value(key) == null && loser.value(key) != null && theirs >= writeTime(key))) {
                put(key, loser.value(key), theirs);
            }
        }
        if (loser.createdAt != null && (createdAt == null || loser.createdAt.isBefore(createdAt))) {
            createdAt = loser.createdAt;
        }
        if (loser.lastEventAt != null && (lastEventAt == null || loser.lastEventAt.isAfter(lastEventAt))) {
            lastEventAt = loser.lastEventAt;
        }
        dirty = true;
    }

    ObjectNode snapshot() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("id", id);
        s.put("external_id", externalId);
        s.put("email", email);
        s.put("phone_number", phoneNumber);
        ArrayNode anon = s.putArray("anonymous_ids");
        anonymousIds.forEach(anon::add);
        s.set("attributes", attributes.deepCopy());
        s.set("properties", properties.deepCopy());
        s.put("created", createdAt == null ? null : createdAt.toString());
        return s;
    }
}
