package io.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.dropwizard.core.setup.Environment;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.errors.Dialect;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * The application plus tiny test-only resources on each dialect's paths (the real dialect endpoints are
 * written elsewhere), so the cross-cutting filters can be tested through real HTTP. Paths contain
 * {@code __probe} so they never collide with real endpoints.
 */
public class ProbeApp extends SwitchboardApplication {
    @Override
    public void run(SwitchboardConfiguration config, Environment env) {
        super.run(config, env);
        env.jersey().register(new ClientProbe());
        env.jersey().register(new ServerProbe());
        env.jersey().register(new ParcelvoyProbe());
        env.jersey().register(new TriggerProbe());
        env.jersey().register(new DittofeedProbe());
        env.jersey().register(new SegmentProbe());
    }

    static Map<String, Object> echo(Caller c, JsonNode body) {
        return Map.of("company", c.companyId(), "size", body == null ? 0 : body.size());
    }

    @Path("/client/__probe")
    @AuthDialect(Dialect.KLAVIYO_CLIENT)
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes({MediaType.APPLICATION_JSON, "application/vnd.api+json"})
    public static class ClientProbe {
        @POST
        public Map<String, Object> post(@Auth Caller c, JsonNode body) {
            return echo(c, body);
        }

        @GET
        public Map<String, Object> get(@Auth Caller c) {
            return echo(c, null);
        }
    }

    @Path("/api/__probe")
    @AuthDialect(Dialect.KLAVIYO_SERVER)
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes({MediaType.APPLICATION_JSON, "application/vnd.api+json"})
    public static class ServerProbe {
        @POST
        public Map<String, Object> post(@Auth Caller c, JsonNode body) {
            return echo(c, body);
        }

        @GET
        public Map<String, Object> get(@Auth Caller c) {
            return echo(c, null);
        }
    }

    @Path("/api/client/__probe")
    @AuthDialect(Dialect.PARCELVOY)
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes(MediaType.APPLICATION_JSON)
    public static class ParcelvoyProbe {
        @POST
        public Map<String, Object> post(@Auth Caller c, JsonNode body) {
            return echo(c, body);
        }
    }

    @Path("/api/client/campaigns/__probe/trigger")
    @AuthDialect(Dialect.PARCELVOY)
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes(MediaType.APPLICATION_JSON)
    public static class TriggerProbe {
        @POST
        public Map<String, Object> post(@Auth Caller c, JsonNode body) {
            return echo(c, body);
        }
    }

    @Path("/api/public/apps/__probe")
    @AuthDialect(Dialect.DITTOFEED)
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes(MediaType.APPLICATION_JSON)
    public static class DittofeedProbe {
        @POST
        public Map<String, Object> post(@Auth Caller c, JsonNode body) {
            return echo(c, body);
        }
    }

    @Path("/v1/__probe")
    @AuthDialect(Dialect.SEGMENT)
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes(MediaType.APPLICATION_JSON)
    public static class SegmentProbe {
        @POST
        public Map<String, Object> post(@Auth Caller c, JsonNode body) {
            return echo(c, body);
        }
    }
}
