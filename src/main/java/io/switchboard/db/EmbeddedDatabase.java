package io.switchboard.db;

import io.dropwizard.db.DataSourceFactory;
import io.switchboard.SwitchboardConfiguration.EmbeddedDatabaseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a real PostgreSQL (zonky embedded binaries) whose data directory persists across restarts.
 * Used when no {@code database.url} is configured. One instance per JVM.
 */
public final class EmbeddedDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static EmbeddedPostgres instance;

    private EmbeddedDatabase() {}

    /** If the URL is blank, start (once) the embedded server and point the factory at it. */
    public static synchronized void configureIfNeeded(DataSourceFactory factory, EmbeddedDatabaseConfig cfg) {
        if (factory.getUrl() != null && !factory.getUrl().isBlank()) {
            return;
        }
        Path dir = Path.of(cfg.getDataDir()).toAbsolutePath().normalize().resolve("pg");
        int port;
        try {
            if (instance != null) {
                port = instance.getPort();
            } else {
                Integer shared = sharedPort(dir);
                if (shared != null) {
                    LOG.info("using the embedded PostgreSQL already running on {} (port {})", dir, shared);
                    port = shared;
                } else {
                    instance = start(dir, cfg);
                    port = instance.getPort();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not start embedded PostgreSQL: " + e.getMessage(), e);
        }
        factory.setUrl("jdbc:postgresql://localhost:" + port + "/postgres");
        factory.setUser("postgres");
        factory.setPassword("");
    }

    private static EmbeddedPostgres start(Path dir, EmbeddedDatabaseConfig cfg) throws IOException {
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                // durability stays on: fsync and synchronous_commit are PostgreSQL's defaults
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("wal_buffers", "16MB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("checkpoint_timeout", "15min")
                .setServerConfig("commit_delay", "0");
        if (cfg.getPort() > 0) {
            b.setPort(cfg.getPort());
        }
        EmbeddedPostgres pg = b.start();
        LOG.info("embedded PostgreSQL started on port {} in {} ms (data under {})",
                pg.getPort(), (System.nanoTime() - t0) / 1_000_000, dir);
        return pg;
    }

    /**
     * Looks at a postmaster already running on the data directory. If another live server process
     * (a JVM) started it, its port is returned and this process shares it (a second server, or the
     * {@code company create} command next to a running server). If its starter is gone — a server
     * killed with SIGKILL leaves its postmaster behind — it is stopped with a fast shutdown (which
     * keeps every committed transaction) and null is returned, so this process starts its own.
     */
    private static Integer sharedPort(Path dir) {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            long pid = Long.parseLong(lines.get(0).trim());
            ProcessHandle ph = ProcessHandle.of(pid).orElse(null);
            if (ph == null || !ph.isAlive() || !ph.info().command().orElse("").contains("postgres")) {
                return null;
            }
            boolean owned = ph.parent().map(p -> p.isAlive() && p.info().command().orElse("").contains("java"))
                    .orElse(false);
            if (owned && lines.size() > 3) {
                return Integer.parseInt(lines.get(3).trim());
            }
            LOG.warn("stopping orphaned embedded PostgreSQL (pid {}) left by an earlier process", pid);
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            ph.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            LOG.warn("could not inspect {}: {}", pidFile, e.toString());
            return null;
        }
    }

    public static synchronized void stop() {
        if (instance != null) {
            try {
                instance.close();
            } catch (IOException e) {
                LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
            }
            instance = null;
        }
    }
}
