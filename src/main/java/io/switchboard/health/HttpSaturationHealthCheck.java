package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * Whether the HTTP server can take more work (issue 11, finding 2): unhealthy when requests are queued
 * for a thread beyond {@code maxQueued}, or when (nearly) every request thread is busy, so an
 * orchestrator or load balancer sees a saturated process instead of a green health check while normal
 * requests wait. Bodies still arriving hold no thread ({@code http.RequestBodyGate}) and are reported
 * for information.
 */
public class HttpSaturationHealthCheck extends HealthCheck {
    private final Supplier<Server> server;
    private final IntSupplier waitingForBodies;
    private java.util.function.LongSupplier slowBodiesCut = () -> 0;
    private final int maxQueued;

    public HttpSaturationHealthCheck(Supplier<Server> server, IntSupplier waitingForBodies, int maxQueued) {
        this.server = server;
        this.waitingForBodies = waitingForBodies;
        this.maxQueued = maxQueued;
    }

    public HttpSaturationHealthCheck withSlowBodiesCut(java.util.function.LongSupplier s) {
        this.slowBodiesCut = s;
        return this;
    }

    @Override
    protected Result check() {
        Server s = server.get();
        if (s == null) return Result.healthy("not started");
        ThreadPool pool = s.getThreadPool();
        if (!(pool instanceof ThreadPool.SizedThreadPool sized)) return Result.healthy();
        int max = sized.getMaxThreads();
        int busy = pool instanceof org.eclipse.jetty.util.thread.QueuedThreadPool q ? q.getBusyThreads()
                : max - pool.getIdleThreads();
        int queued = pool instanceof org.eclipse.jetty.util.thread.QueuedThreadPool q ? q.getQueueSize() : 0;
        String figures = "busy threads " + busy + "/" + max + ", queued jobs " + queued
                + ", request bodies arriving " + waitingForBodies.getAsInt()
                + ", slow bodies cut since start " + slowBodiesCut.getAsLong();
        if (queued > maxQueued || (pool.isLowOnThreads() && queued > 0)) {
            return Result.unhealthy("saturated: " + figures);
        }
        return Result.healthy(figures);
    }
}
