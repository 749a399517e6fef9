package io.switchboard.http;

import io.switchboard.limits.EndpointPolicies;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Wraps the server's request log so that paths which carry a credential are logged masked: the
 * unsubscribe link {@code /u/{token}} (the token is the only credential of that endpoint) is logged as
 * {@code /u/[token]}. Everything else is logged as configured ({@code server.requestLog} in config.yml,
 * whose {@code %U} is the path without the query string). Installed when the server starts
 * ({@link #installer()}); the wrapped log keeps its own lifecycle as a managed bean.
 */
public final class MaskedRequestLog extends ContainerLifeCycle implements RequestLog {
    /** {@code /u/<token>} with an optional trailing slash. */
    private static final Pattern UNSUBSCRIBE = Pattern.compile("^/u/[^/]+/?$");
    public static final String MASKED_UNSUBSCRIBE = "/u/[token]";

    private final RequestLog delegate;

    public MaskedRequestLog(RequestLog delegate) {
        this.delegate = delegate;
        addBean(delegate);
    }

    public RequestLog delegate() {
        return delegate;
    }

    /**
     * The path as it may be logged. Classified on the normalized path (the one every policy uses:
     * {@code /u;x=1/<token>}, {@code /u//<token>/}, {@code /U/<token>} and {@code /u%2F<token>} are all the
     * unsubscribe endpoint); matrix parameters are never logged (they could carry anything).
     */
    public static String maskPath(String path) {
        if (path == null) return null;
        if (UNSUBSCRIBE.matcher(EndpointPolicies.normalize(path)).matches()) return MASKED_UNSUBSCRIBE;
        if (EndpointPolicies.hasMatrixParameters(path)) return path.replaceAll(";[^/]*", "");
        return path;
    }

    @Override
    public void log(Request request, Response response) {
        String path = request.getHttpURI().getPath();
        String masked = maskPath(path);
        if (masked == null || masked.equals(path)) {
            delegate.log(request, response);
            return;
        }
        HttpURI uri = HttpURI.build(request.getHttpURI()).path(masked).query(null).asImmutable();
        delegate.log(new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() {
                return uri;
            }
        }, response);
    }

    /** A lifecycle listener that wraps the server's request log just before the server starts. */
    public static LifeCycle.Listener installer() {
        return new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server && server.getRequestLog() != null
                        && !(server.getRequestLog() instanceof MaskedRequestLog)) {
                    server.setRequestLog(new MaskedRequestLog(server.getRequestLog()));
                }
            }
        };
    }
}
