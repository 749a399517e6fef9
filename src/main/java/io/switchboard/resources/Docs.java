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

    /** A numeric path id; anything else is simply not found. */
    static long id(String raw, String what) {
        try {
            long v = Long.parseLong(raw);
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // falls through
        }
        throw ApiException.notFound("No " + what + " " + raw + ".");
    }
}
