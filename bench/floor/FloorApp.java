package floor;

import io.dropwizard.core.Application;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The framework floor of bench/run: a bare Dropwizard 5.0.1 application with ONE JAX-RS method that
 * drains the request body and answers 204 — what Switchboard's {@code POST /bench/noop} does, without
 * any of Switchboard's filters, providers, request log or health checks. Compiled by bench/run with
 * {@code javac} against target/switchboard.jar (the project's own dependencies: no extra download) and
 * started from bench/floor/floor.yml (request log off, gzip off, same connectors).
 */
public class FloorApp extends Application<Configuration> {
    public static void main(String[] args) throws Exception {
        new FloorApp().run(args);
    }

    @Override
    public void initialize(Bootstrap<Configuration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        environment.jersey().register(new Noop());
    }

    @Path("/bench")
    public static class Noop {
        private static final OutputStream SINK = OutputStream.nullOutputStream();

        @POST
        @Path("/noop")
        @Consumes(MediaType.WILDCARD)
        public Response noop(InputStream body) throws IOException {
            body.transferTo(SINK);
            return Response.noContent().build();
        }
    }
}
