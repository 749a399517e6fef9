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
    /** The database URL that means "start the embedded PostgreSQL" (config.yml default). */
    public static final String EMBEDDED = "embedded";
    private static EmbeddedPostgres instance;

    private EmbeddedDatabase() {}

    /** Whether the factory's URL asks for the embedded server (blank or "embedded"). */
    public static boolean isEmbedded(DataSourceFactory factory) {
        return factory.getUrl() == null || factory.getUrl().isBlank() || EMBEDDED.equals(factory.getUrl());
    }

    /** If the URL is blank, start (once) the embedded server and point the factory at it. */
    public static synchronized void configureIfNeeded(DataSourceFactory factory, EmbeddedDatabaseConfig cfg) {
        if (!isEmbedded(factory)) {
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
                // zonky starts PostgreSQL with -F (fsync off) and synchronous_commit=off for tests;
                // a server that answers 2xx only after commit needs both on (later -c options win).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("wal_buffers", "16MB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("checkpoint_timeout", "15min")
                .setServerConfig("commit_delay", "0")
                // statistics of young, fast-growing tables (a fresh install) are refreshed within seconds
                // rather than a minute: until the first ANALYZE the planner believes they are empty and
                // picks whole-table plans for key lookups (docs/performance.md, "Fresh tables")
                .setServerConfig("autovacuum_naptime", "5s");
        if (cfg.getPort() > 0) {
            b.setPort(cfg.getPort());
        }
        EmbeddedPostgres pg = b.start();
        LOG.info("embedded PostgreSQL started on port {} in {} ms (data under {})",
                pg.getPort(), (System.nanoTime() - t0) / 1_000_000, dir);
        return pg;
    }

    /**
     * Looks at a postmaster already running on the data directory. The JVM that started it holds
     * zonky's {@code epg-lock} file lock for as long as it lives. If the lock is held, another live
     * server process owns the database: its port is returned and this process shares it (a second
     * server, or {@code company create} next to a running server). If the lock is free but a
     * postmaster still runs, its starter died (SIGKILL): the orphan is stopped with a fast shutdown,
     * which keeps every committed transaction, and null is returned so this process starts its own.
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
            Path lockFile = dir.resolve("epg-lock");
            boolean ownerAlive;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock lock = ch.tryLock();
                ownerAlive = lock == null;
                if (lock != null) lock.release();
            }
            if (ownerAlive && lines.size() > 3) {
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
