package io.switchboard.db;

import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.config.JdbiConfig;

/**
 * SqlObject DAOs attached once per {@link Handle}. Jdbi's {@code Handle.attach} builds an invoker for
 * every method of the interface on each call (measured: ~18% of the server's CPU on the single-event
 * path, docs/performance.md); the hot paths attach the same DAOs again and again on the same handle,
 * and group commit runs many requests on one long-lived handle. The cache lives in the handle's own
 * config registry (each handle gets an empty copy), so it goes away with the handle.
 */
public final class Daos implements JdbiConfig<Daos> {
    private final Map<Class<?>, Object> attached = new HashMap<>();

    public Daos() {}

    @Override
    public Daos createCopy() {
        return new Daos();
    }

    /** {@code h.attach(type)}, once per handle. A handle is used by one thread at a time. */
    public static <T> T attach(Handle h, Class<T> type) {
        Map<Class<?>, Object> m = h.getConfig(Daos.class).attached;
        Object dao = m.get(type);
        if (dao == null) {
            dao = h.attach(type);
            m.put(type, dao);
        }
        return type.cast(dao);
    }
}
