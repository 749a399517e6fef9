package io.switchboard.db;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading jsonb and timestamptz columns in hand-written row mappers. */
public final class JsonColumns {
    public static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    public static final TypeReference<LinkedHashMap<String, Object>> MAP_TYPE = new TypeReference<>() {};

    private JsonColumns() {}

    public static Map<String, Object> map(ResultSet rs, String column) throws SQLException {
        String s = rs.getString(column);
        if (s == null) return new LinkedHashMap<>();
        try {
            return MAPPER.readValue(s, MAP_TYPE);
        } catch (IOException e) {
            throw new SQLException("column " + column + " is not a JSON object", e);
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    public static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}
