// A recording reverse proxy in front of Switchboard: every request a client makes (CORS preflights
// included, which browsers do not show to page scripts or playwright) is forwarded unchanged and
// recorded — method, path, content type and encoding, Origin, preflight headers, answer status.
// The suites print and assert these records: "the requests the client actually made".
import http from "node:http";

export async function startRecorder(target) {
  const upstream = new URL(target);
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const rec = {
        method: req.method,
        path: req.url,
        contentType: req.headers["content-type"] ?? null,
        contentEncoding: req.headers["content-encoding"] ?? null,
        origin: req.headers.origin ?? null,
        authorization: req.headers.authorization ? req.headers.authorization.split(" ")[0] : null,
        requestHeaders: req.headers["access-control-request-headers"] ?? null,
        bytes: body.length,
        writeKeyInBody: !req.headers["content-encoding"] && body.includes('"writeKey"'),
        status: null,
      };
      requests.push(rec);
      const headers = { ...req.headers, host: upstream.host };
      const fwd = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
        rec.status = up.statusCode;
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      });
      fwd.on("error", (e) => { rec.status = `proxy error ${e.message}`; res.writeHead(502); res.end(); });
      fwd.end(body);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    port,
    /** Base URL on "localhost" (a different origin from a page served on 127.0.0.1). */
    url: `http://localhost:${port}`,
    requests,
    clear() { requests.length = 0; },
    close() { return new Promise((r) => { server.closeAllConnections?.(); server.close(r); }); },
  };
}

/** One line per distinct request shape: "OPTIONS /v1/t (preflight …)", "POST /v1/t [text/plain] → 200". */
export function describe(requests) {
  const lines = requests.map((r) => {
    const path = r.path.replace(/company_id=[^&]+/, "company_id=…");
    if (r.method === "OPTIONS") return `OPTIONS ${path} (preflight; requested headers: ${r.requestHeaders ?? "none"}) → ${r.status}`;
    const extras = [r.contentType, r.contentEncoding && `Content-Encoding: ${r.contentEncoding}`,
      r.authorization && `Authorization: ${r.authorization}`, r.writeKeyInBody && "writeKey in body",
      r.origin && `Origin: ${r.origin}`].filter(Boolean);
    return `${r.method} ${path} [${extras.join("; ")}] → ${r.status}`;
  });
  const counts = new Map();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => (n > 1 ? `${n}× ${l}` : l));
}
