// Headless Chromium (Debian's /usr/bin/chromium via playwright-core) and a small static page server
// on its own origin (http://127.0.0.1:<port>), so SDKs loaded in the page talk to Switchboard (on
// http://localhost:<other port>) cross-origin, with real CORS. Scripts are served from node_modules
// only; any other host is unresolvable, and every request to one is listed in `blocked` (the suites assert it is empty).
import http from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const hasChromium = existsSync(executablePath);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** routes: { "/path": { file: "node_modules/…" } | { html: "…" } | { dir: "node_modules/…/" } (prefix) } */
export async function startPageServer(routes) {
  const served = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    served.push(url.pathname);
    let file = null;
    let html = null;
    for (const [prefix, r] of Object.entries(routes)) {
      if (r.dir && url.pathname.startsWith(prefix)) file = path.join(ROOT, r.dir, url.pathname.slice(prefix.length));
      else if (url.pathname === prefix) { file = r.file ? path.join(ROOT, r.file) : null; html = r.html ?? null; }
    }
    if (html !== null) { res.writeHead(200, { "content-type": "text/html; charset=utf-8" }); res.end(html); return; }
    if (file && file.startsWith(ROOT) && existsSync(file)) {
      res.writeHead(200, { "content-type": file.endsWith(".js") || file.endsWith(".mjs") ? "text/javascript" : "application/octet-stream" });
      res.end(await readFile(file));
      return;
    }
    res.writeHead(404); res.end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return { origin: `http://127.0.0.1:${port}`, served, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

export async function launch() {
  return chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"],
  });
}

/** A page whose requests may only go to 127.0.0.1 / localhost; anything else is aborted and recorded. */
export async function guardedPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const blocked = [];
  const console_ = [];
  // No request interception: with it on, playwright answers CORS preflights itself, and CORS must be real.
  // Other hosts are unreachable instead (launch(): --host-resolver-rules); attempts to reach them are listed.
  const local = (u) => u.hostname === "127.0.0.1" || u.hostname === "localhost";
  page.on("request", (r) => { const u = new URL(r.url()); if (/^https?:$/.test(u.protocol) && !local(u)) blocked.push(r.url()); });
  page.on("console", (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => console_.push(`pageerror: ${e.message}`));
  return { page, context, blocked, console: console_ };
}
