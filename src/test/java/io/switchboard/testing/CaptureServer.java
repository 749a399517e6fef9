package io.switchboard.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A real in-process HTTP server (JDK {@code HttpServer}) standing in for Twilio, FCM, a webhook target or
 * an OAuth token endpoint: it records every request and answers from a script (first matching queued
 * answer, else the default for the path, else 200 {}).
 */
public final class CaptureServer implements AutoCloseable {
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            }
            return null;
        }
    }

    public record Answer(int status, String body, Map<String, String> headers) {
        public static Answer of(int status, String body) {
            return new Answer(status, body, Map.of());
        }
    }

    private record Scripted(Predicate<Request> when, Answer answer) {}

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Scripted> once = new ConcurrentLinkedDeque<>();
    private final List<Scripted> always = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<Predicate<Request>, Long>> delays = new CopyOnWriteArrayList<>();

    public CaptureServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(),
                    Map.copyOf(ex.getRequestHeaders()), new String(in, StandardCharsets.UTF_8));
            requests.add(r);
            Answer a = null;
            synchronized (once) {
                for (var it = once.iterator(); it.hasNext(); ) {
                    Scripted s = it.next();
                    if (s.when().test(r)) {
                        a = s.answer();
                        it.remove();
                        break;
                    }
                }
            }
            if (a == null) {
                for (Scripted s : always) {
                    if (s.when().test(r)) {
                        a = s.answer();
                        break;
                    }
                }
            }
            if (a == null) a = Answer.of(200, "{}");
            for (var d : delays) {
                if (d.getKey().test(r)) {
                    try {
                        Thread.sleep(d.getValue());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers the next matching request (once) with this. */
    public void answerOnce(Predicate<Request> when, Answer a) {
        once.add(new Scripted(when, a));
    }

    /** Answers every matching request with this (after any one-off answers). */
    public void answerAlways(Predicate<Request> when, Answer a) {
        always.add(0, new Scripted(when, a));
    }

    /** Answers matching requests only after this many milliseconds (a slow provider). */
    public void delay(Predicate<Request> when, long ms) {
        delays.add(Map.entry(when, ms));
    }

    public static Predicate<Request> pathContains(String s) {
        return r -> r.path().contains(s) || r.body().contains(s);
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    public List<Request> requests(Predicate<Request> p) {
        return requests.stream().filter(p).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
