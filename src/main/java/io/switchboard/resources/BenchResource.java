package io.switchboard.resources;

import io.switchboard.core.GroupCommit;
import io.switchboard.core.Tx;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Endpoints for {@code bench/run} only, registered when {@code benchEndpoints: true} (never in
 * production): the HTTP ceiling of this server (a no-op that still reads the body) and the cost of a
 * durable one-row write with and without group commit. No authentication: they touch only
 * {@code bench_rows}.
 */
@Path("/bench")
public class BenchResource {
    private final Tx tx;
    private final GroupCommit groupCommit;

    public BenchResource(Jdbi jdbi, GroupCommit groupCommit) {
        this.tx = new Tx(jdbi);
        this.groupCommit = groupCommit;
        jdbi.useHandle(h -> h.execute("CREATE TABLE IF NOT EXISTS bench_rows (id bigint GENERATED ALWAYS AS IDENTITY "
                + "PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body text)"));
    }

    /** HTTP ceiling: the same server, connectors, filters and body read, and no work. */
    @GET
    @Path("/noop")
    public Response noopGet() {
        return Response.noContent().build();
    }

    @POST
    @Path("/noop")
    @Consumes(MediaType.WILDCARD)
    public Response noop(InputStream body) throws IOException {
        body.transferTo(OutputStreamSink.INSTANCE);
        return Response.noContent().build();
    }

    /** One durable row per request, through group commit (blocking the request thread until committed). */
    @POST
    @Path("/commit")
    @Consumes(MediaType.WILDCARD)
    public Response commit(InputStream body) throws IOException {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        groupCommit.run(h -> insert(h, text));
        return Response.noContent().build();
    }

    /** The same through group commit, with the request suspended (no Jetty thread held while waiting). */
    @POST
    @Path("/commit-async")
    @Consumes(MediaType.WILDCARD)
    public void commitAsync(InputStream body, @Suspended AsyncResponse response) throws IOException {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        groupCommit.submit(h -> insert(h, text)).whenComplete((r, e) ->
                io.switchboard.resources.Async.resume(response, e, () -> Response.noContent().build()));
    }

    /** The same, one transaction and one commit per request (what group commit replaces). */
    @POST
    @Path("/commit-tx")
    @Consumes(MediaType.WILDCARD)
    public Response commitTx(InputStream body) throws IOException {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        tx.run(h -> insert(h, text));
        return Response.noContent().build();
    }

    @GET
    @Path("/stats")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> stats() {
        GroupCommit.Stats s = groupCommit.stats();
        return Map.of("units", s.units(), "batches", s.batches(), "fallbacks", s.fallbacks(),
                "meanBatch", Math.round(s.meanBatch() * 100) / 100.0);
    }

    private static Integer insert(Handle h, String body) {
        return h.execute("INSERT INTO bench_rows (body) VALUES (?)", body);
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
