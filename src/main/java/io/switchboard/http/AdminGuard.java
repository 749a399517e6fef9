package io.switchboard.http;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SortedMap;

/**
 * Authentication on the admin port (issue 11, finding 1). Everything Dropwizard serves there — tasks
 * (log levels, GC), thread dumps (in-flight URLs), metrics, CPU profiles — needs
 * {@code Authorization: Bearer <adminToken>}; with no admin token configured those endpoints are off
 * (403 saying how to switch them on). Two endpoints stay open so that an orchestrator can probe the
 * process: {@code /ping} and {@code /healthcheck}, which without the token answers only
 * {@code {"healthy":true}} (200) or {@code {"healthy":false}} (500, as Dropwizard's own servlet) — the per-check details (database
 * errors, saturation figures) need the token. The admin connector itself listens on 127.0.0.1 unless
 * {@code SWITCHBOARD_ADMIN_BIND} says otherwise (config.yml).
 */
public final class AdminGuard implements Filter {
    private final byte[] token;
    private final HealthCheckRegistry healthChecks;

    public AdminGuard(String adminToken, HealthCheckRegistry healthChecks) {
        this.token = adminToken == null || adminToken.isBlank() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
        this.healthChecks = healthChecks;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = request.getRequestURI() == null ? "/" : io.switchboard.limits.EndpointPolicies.normalize(request.getRequestURI());
        boolean authenticated = authenticated(request.getHeader("Authorization"));
        if (authenticated) {
            chain.doFilter(req, res);
            return;
        }
        if (path.equals("/ping")) {
            chain.doFilter(req, res);
            return;
        }
        if (path.equals("/healthcheck")) {
            boolean healthy = healthy();
            write(response, healthy ? 200 : 500, "{\"healthy\":" + healthy + "}");
            return;
        }
        if (token == null) {
            write(response, 403, "{\"message\":\"The admin endpoints are off: no admin token is configured. Set "
                    + "SWITCHBOARD_ADMIN_TOKEN (config.yml adminToken) and send Authorization: Bearer <token>.\"}");
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer realm=\"switchboard-admin\"");
        write(response, 401, "{\"message\":\"Send Authorization: Bearer <admin token> (SWITCHBOARD_ADMIN_TOKEN).\"}");
    }

    boolean authenticated(String header) {
        if (token == null || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] sent = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(sent, token);
    }

    private boolean healthy() {
        SortedMap<String, HealthCheck.Result> results = healthChecks.runHealthChecks();
        return !results.isEmpty() && results.values().stream().allMatch(HealthCheck.Result::isHealthy);
    }

    private static void write(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(b.length);
        response.getOutputStream().write(b);
    }
}
