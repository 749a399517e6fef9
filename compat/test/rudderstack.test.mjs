// RudderStack's SDKs with Switchboard as their data plane:
//  - @rudderstack/rudder-sdk-node in its default mode (gzip on, axios): gzipped {batch, sentAt} to /v1/batch
//    with Basic auth and axios' default content type for a Buffer body;
//  - @rudderstack/analytics-js (v3, the "bundled" UMD build from node_modules, plugins inside) in headless
//    Chromium on another origin; its source-config fetch is replaced by the `getSourceConfig` load option,
//    so the only requests are to the data plane: /v1/<type> with JSON, Basic auth and an AnonymousId header
//    (hence a CORS preflight).
// Verified by reading what landed through the API.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { hasChromium, launch, guardedPage, startPageServer } from "../lib/browser.mjs";
import { startRecorder, describe } from "../lib/recorder.mjs";
import { BASE, company as suiteCompany, companyEvents, profile, profileEvents, eventually } from "../lib/ingestion.mjs";

const require = createRequire(import.meta.url);
const RudderNode = require("@rudderstack/rudder-sdk-node");

test("rudder-sdk-node default mode (gzip): identify, track, page, group, alias land", async () => {
  const company = suiteCompany();
  const rec = await startRecorder(BASE);
  try {
    const run = Date.now().toString(36);
    const userId = `rs-node-${run}`;
    const errors = [];
    const client = new RudderNode(company.pk, { dataPlaneUrl: rec.url, flushInterval: 200, errorHandler: (e) => errors.push(e) });
    client.track({ anonymousId: `rs-anon-${run}`, event: "Signed Up", properties: { plan: "free" } });
    client.identify({ userId, anonymousId: `rs-anon-${run}`, traits: { email: `${userId}@rudder.example`, firstName: "Rudy" } });
    client.track({ userId, event: "Order Completed", properties: { revenue: 30, currency: "USD", orderId: `o-${userId}` } });
    client.page({ userId, name: "Pricing", properties: { path: "/pricing" } });
    client.group({ userId, groupId: `grp-${run}`, traits: { name: "Rudder team" } });
    client.alias({ userId, previousId: `rs-prev-${run}` });
    await client.flush();
    assert.deepEqual(errors, []);

    const order = await eventually(async () =>
      (await companyEvents(company)).find((e) => e.attributes.event_properties.orderId === `o-${userId}`));
    const pid = order.relationships.profile.data.id;
    const p = await profile(company, pid);
    assert.equal(p.attributes.email, `${userId}@rudder.example`);
    assert.ok(p.attributes.anonymous_ids.includes(`rs-anon-${run}`));
    assert.ok(p.attributes.anonymous_ids.includes(`rs-prev-${run}`));
    const events = await profileEvents(company, pid);
    const types = events.map((e) => e.attributes.event_type);
    for (const t of ["track", "identify", "page", "group", "alias"]) assert.ok(types.includes(t), `${t} in ${types}`);
    assert.ok(events.every((e) => e.attributes.raw.channel === "server"), "RudderStack fields kept");

    const posts = rec.requests.filter((r) => r.method === "POST");
    assert.ok(posts.length >= 1);
    for (const r of posts) {
      assert.equal(r.path, "/v1/batch");
      assert.equal(r.contentEncoding, "gzip");
      assert.equal(r.authorization, "Basic");
      assert.equal(r.status, 200);
    }
    console.log(`rudder-sdk-node: requests:\n  ${describe(rec.requests).join("\n  ")}\n  landed: profile ${pid}, ${events.length} events (types ${[...new Set(types)].join(", ")})`);
  } finally {
    await rec.close();
  }
});

const PKG = "node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/";
const PAGE = `<!doctype html><html><head><title>rudder</title><script src="/rs/index.js"></script></head><body><script>
window.runRudder = function (o) {
  return new Promise((resolve) => {
    const ra = new rudderanalytics.RudderAnalytics();
    ra.load(o.writeKey, o.dataPlaneUrl, {
      getSourceConfig: () => ({ source: { id: "compat-src", name: "compat", workspaceId: "compat-ws", enabled: true,
        config: {}, destinations: [] } }),
      polyfillIfRequired: false, plugins: [], sendAdblockPage: false, lockIntegrationsVersion: true,
      destSDKBaseURL: location.origin + "/none", pluginsSDKBaseURL: location.origin + "/none",
      onLoaded: () => {
        const u = o.userId;
        ra.track("Viewed Product", { sku: "sku-" + u });
        ra.page("Catalog", "Boots", { path: "/boots" });
        ra.identify(u, { email: u + "@rudder-js.example", firstName: "Ruda" });
        ra.track("Order Completed", { revenue: 15, currency: "EUR", orderId: "o-" + u });
        ra.group("grp-" + u, { name: "Team " + u });
        ra.alias(u, "prev-" + u);
        resolve({ anonymousId: ra.getAnonymousId() });
      },
    });
  });
};
</script></body></html>`;

let browser;
after(async () => { await browser?.close(); });

test("@rudderstack/analytics-js in Chromium from another origin: events land", { skip: !hasChromium && "no chromium" }, async () => {
  const company = suiteCompany();
  const rec = await startRecorder(BASE);
  const pages = await startPageServer({ "/": { html: PAGE }, "/rs/": { dir: PKG } });
  browser ??= await launch();
  const { page, context, blocked, console: logs } = await guardedPage(browser);
  try {
    const userId = `rs-js-${Date.now().toString(36)}`;
    await page.goto(pages.origin + "/");
    const { anonymousId } = await page.evaluate((o) => window.runRudder(o), { writeKey: company.pk, dataPlaneUrl: rec.url, userId });
    const order = await eventually(async () =>
      (await companyEvents(company)).find((e) => e.attributes.event_properties.orderId === `o-${userId}`), 20000);
    const pid = order.relationships.profile.data.id;
    const p = await profile(company, pid);
    assert.equal(p.attributes.email, `${userId}@rudder-js.example`);
    assert.ok(p.attributes.anonymous_ids.includes(anonymousId), "identify linked the browser's anonymousId");
    const events = await eventually(async () => {
      const evs = await profileEvents(company, pid);
      return evs.length >= 6 ? evs : null;
    }, 20000);
    const types = events.map((e) => e.attributes.event_type);
    for (const t of ["track", "identify", "page", "group", "alias"]) assert.ok(types.includes(t), `${t} in ${types}`);
    const raw = events.find((e) => e.attributes.name === "Order Completed").attributes.raw;
    assert.equal(raw.channel, "web");
    assert.ok(raw.context.library.name.includes("RudderLabs"), JSON.stringify(raw.context.library));

    const posts = rec.requests.filter((r) => r.method === "POST" && r.path.startsWith("/v1/"));
    const paths = new Set(posts.map((r) => r.path));
    for (const x of ["/v1/track", "/v1/page", "/v1/identify", "/v1/group", "/v1/alias"]) assert.ok(paths.has(x), `${x} in ${[...paths]}`);
    for (const r of posts) {
      assert.match(r.contentType, /^application\/json/);
      assert.equal(r.authorization, "Basic");
      assert.equal(r.status, 200);
    }
    const preflights = rec.requests.filter((r) => r.method === "OPTIONS");
    assert.ok(preflights.length >= 1 && preflights.every((r) => r.status === 204), "preflights answered 204");
    assert.deepEqual(blocked, [], "no request left the machine");
    console.log(`@rudderstack/analytics-js: requests:\n  ${describe(rec.requests).join("\n  ")}\n  landed: profile ${pid}, ${events.length} events (types ${[...new Set(types)].join(", ")})`);
  } catch (e) {
    console.log(`browser log:\n${logs.join("\n")}\nrequests:\n${describe(rec.requests).join("\n")}\nblocked: ${blocked}`);
    throw e;
  } finally {
    await context.close();
    await pages.close();
    await rec.close();
  }
});
