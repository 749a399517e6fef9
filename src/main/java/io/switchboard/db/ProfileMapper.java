package io.switchboard.db;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.identity.Profile;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

public class ProfileMapper implements RowMapper<Profile> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Profile map(ResultSet rs, StatementContext ctx) throws SQLException {
        Array anon = rs.getArray("anonymous_ids");
        List<String> anonIds = anon == null ? List.of() : Arrays.asList((String[]) anon.getArray());
        return new Profile(rs.getLong("company_id"), rs.getString("id"), rs.getString("external_id"),
                rs.getString("email"), rs.getString("phone_number"), anonIds, obj(rs.getString("attributes")),
                obj(rs.getString("properties")), obj(rs.getString("write_times")), instant(rs, "created_at"),
                instant(rs, "updated_at"), instant(rs, "last_event_at"), rs.getString("merged_into"));
    }

    static ObjectNode obj(String json) throws SQLException {
        try {
            return json == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new SQLException("bad jsonb", e);
        }
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
