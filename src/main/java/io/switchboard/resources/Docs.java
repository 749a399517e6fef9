package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.switchboard.errors.ApiException;

/** Small helpers shared by the admin resources of the delivery module. */
final class Docs {
    private Docs() {}

    static <T> T data(JSONAPIDocument<T> doc) {
        if (doc == null || doc.get() == null) {
            throw ApiException.invalid("/data", "The request needs a JSON:API document with `data`.");
        }
        return doc.get();
    }

    /** A path id (opaque: a ULID, or a decimal id from before migration 006); anything else is simply not found. */
    static String id(String raw, String what) {
        if (io.switchboard.db.Ids.plausible(raw)) return raw;
        throw ApiException.notFound("No " + what + " " + raw + ".");
    }
}
