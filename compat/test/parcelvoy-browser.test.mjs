// Parcelvoy's browser SDK (parcelvoy/js-sdk, index.ts; its docs name the npm package @parcelvoy/js-sdk,
// which the npm registry does not serve — `npm view` answers 404 — so it cannot be installed and bundled
// here). This suite replays, in headless Chromium on another origin, the requests its BrowserClient makes,
// rebuilt from index.ts: POST `${urlEndpoint}/client/<path>` with `Content-Type: application/json` and
// `Authorization: Bearer <public key>` (so a CORS preflight), keys camelCase → snake_case, `properties`/
// `traits` sent as `data`, a random anonymous id kept by the client, alias posted to /client/identify.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { hasChromium, launch, guardedPage, startPageServer } from "../lib/browser.mjs";
import { startRecorder, describe } from "../lib/recorder.mjs";
import { BASE, company as suiteCompany, profile, profileEvents, companyEvents, eventually } from "../lib/ingestion.mjs";

const PAGE = `<!doctype html><html><body><script>
// the wire behaviour of parcelvoy/js-sdk's Client/BrowserClient (index.ts), re-implemented for the replay
function snake(o) { const out = {}; for (const k in o) out[k.replace(/([A-Z])/g, "_$1").toLowerCase()] = o[k]; return out; }
async function request(base, key, path, data) {
  const r = await fetch(base + "/client/" + path, { method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer " + key },
    body: JSON.stringify(Array.isArray(data) ? data.map(snake) : snake(data)) });
  return { status: r.status, body: await r.text() };
}
window.runParcelvoy = async function (o) {
  const anonymousId = crypto.randomUUID();
  const out = [];
  out.push(await request(o.urlEndpoint, o.apiKey, "track", { event: "Landing Viewed", anonymousId, externalId: undefined, data: { path: "/" } }));
  out.push(await request(o.urlEndpoint, o.apiKey, "identify", { externalId: o.userId, anonymousId, email: o.userId + "@pv.example", data: { plan: "trial" } }));
  out.push(await request(o.urlEndpoint, o.apiKey, "track", { event: "Trial Started", anonymousId, externalId: o.userId, data: { seats: 3 } }));
  out.push(await request(o.urlEndpoint, o.apiKey, "events", [{ name: "Invited Teammate", anonymousId, externalId: o.userId, data: { n: 1 } }]));
  out.push(await request(o.urlEndpoint, o.apiKey, "identify", { anonymousId: "pv-prev-" + o.userId, externalId: o.userId }));
  return { anonymousId, out };
};
</script></body></html>`;

let browser;
after(async () => { await browser?.close(); });

test("Parcelvoy browser client (replayed in Chromium): track, identify, events, alias land", { skip: !hasChromium && "no chromium" }, async () => {
  const company = suiteCompany();
  const rec = await startRecorder(BASE);
  const pages = await startPageServer({ "/": { html: PAGE } });
  browser ??= await launch();
  const { page, context, blocked, console: logs } = await guardedPage(browser);
  try {
    const userId = `pv-${Date.now().toString(36)}`;
    await page.goto(pages.origin + "/");
    const { anonymousId, out } = await page.evaluate((o) => window.runParcelvoy(o), { urlEndpoint: `${rec.url}/api`, apiKey: company.pk, userId });
    for (const r of out) assert.equal(r.status, 204, JSON.stringify(r));
    const ev = await eventually(async () => (await companyEvents(company)).find((e) => e.attributes.event_properties.seats === 3));
    const pid = ev.relationships.profile.data.id;
    const p = await profile(company, pid);
    assert.equal(p.attributes.external_id, userId);
    assert.equal(p.attributes.email, `${userId}@pv.example`);
    assert.ok(p.attributes.anonymous_ids.includes(anonymousId));
    assert.ok(p.attributes.anonymous_ids.includes(`pv-prev-${userId}`));
    const names = (await profileEvents(company, pid)).map((e) => e.attributes.name);
    for (const n of ["Landing Viewed", "Trial Started", "Invited Teammate"]) assert.ok(names.includes(n), `${n} in ${names}`);
    const posts = rec.requests.filter((r) => r.method === "POST");
    assert.deepEqual([...new Set(posts.map((r) => r.path))].sort(), ["/api/client/events", "/api/client/identify", "/api/client/track"]);
    assert.ok(rec.requests.some((r) => r.method === "OPTIONS" && r.status === 204), "preflight answered");
    assert.deepEqual(blocked, []);
    console.log(`parcelvoy browser replay: requests:\n  ${describe(rec.requests).join("\n  ")}\n  landed: profile ${pid}, events ${names.join(", ")}`);
  } catch (e) {
    console.log(`browser log:\n${logs.join("\n")}\nrequests:\n${describe(rec.requests).join("\n")}`);
    throw e;
  } finally {
    await context.close();
    await pages.close();
    await rec.close();
  }
});
