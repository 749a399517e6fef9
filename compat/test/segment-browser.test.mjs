// @segment/analytics-next (analytics.js 2.0) in headless Chromium, loaded from a page on another origin.
// The UMD bundle and its lazily loaded chunks come from node_modules (served as the "CDN" of the page
// server); `cdnSettings` is given so no settings are fetched; the Segment.io destination's apiHost is the
// recording proxy in front of Switchboard. Standard mode posts each call to /v1/<first letter> as
// text/plain with the writeKey in the body (no preflight); batching mode posts {batch, writeKey, sentAt}
// to /v1/b. What landed is read back through the API.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { hasChromium, launch, guardedPage, startPageServer } from "../lib/browser.mjs";
import { startRecorder, describe } from "../lib/recorder.mjs";
import { BASE, company as suiteCompany, companyEvents, profile, profileEvents, eventually } from "../lib/ingestion.mjs";

const PKG = "node_modules/@segment/analytics-next/dist/umd/";

function pageHtml() {
  return `<!doctype html><html><head><title>shop</title><script src="/ajs/index.js"></script></head><body>
<script>
window.runAjs = async function (opts) {
  const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(
    { writeKey: opts.writeKey, cdnURL: location.origin,
      cdnSettings: { integrations: { "Segment.io": { apiKey: opts.writeKey, apiHost: opts.apiHost, protocol: "http",
        ...(opts.batching ? { deliveryStrategy: { strategy: "batching", config: { size: 10, timeout: 300 } } } : {}) } },
        plan: {}, edgeFunction: {}, analyticsNextEnabled: true, middlewareSettings: {}, enabledMiddleware: {},
        metrics: { sampleRate: 0 }, legacyVideoPluginsEnabled: false, remotePlugins: [] } },
    { disableClientPersistence: true, retryQueue: false });
  const u = opts.userId;
  await analytics.track("Viewed Product", { sku: "sku-" + u, price: 9.5 });
  await analytics.page("Catalog", "Shoes", { path: "/shoes" });
  await analytics.identify(u, { email: u + "@ajs.example", firstName: "Ajs", plan: "gold" });
  await analytics.track("Order Completed", { revenue: 25, currency: "EUR", orderId: "o-" + u });
  await analytics.group("grp-" + u, { name: "Team " + u });
  await analytics.alias(u, "prev-" + u);
  return { anonymousId: analytics.user().anonymousId() };
};
</script></body></html>`;
}

let browser;
after(async () => { await browser?.close(); });

for (const mode of ["standard", "batching"]) {
  test(`analytics-next (${mode}) in Chromium from another origin: identify, track, page, group, alias land`,
    { skip: !hasChromium && "no chromium" }, async () => {
      const company = suiteCompany();
      const rec = await startRecorder(BASE);
      const pages = await startPageServer({ "/": { html: pageHtml() }, "/ajs/": { dir: PKG }, "/analytics-next/bundles/": { dir: PKG } });
      browser ??= await launch();
      const { page, context, blocked, console: logs } = await guardedPage(browser);
      try {
        const userId = `ajs-${mode}-${Date.now().toString(36)}`;
        await page.goto(pages.origin + "/");
        const { anonymousId } = await page.evaluate((o) => window.runAjs(o),
          { writeKey: company.pk, apiHost: `localhost:${rec.port}/v1`, batching: mode === "batching", userId });
        // batching flushes on a timer; wait for the requests to be answered
        await eventually(async () => rec.requests.filter((r) => r.method === "POST").length > 0
          && rec.requests.every((r) => r.status !== null) && (mode === "standard" || rec.requests.some((r) => r.path === "/v1/b")), 15000);

        // what landed
        const order = await eventually(async () =>
          (await companyEvents(company)).find((e) => e.attributes.event_properties.orderId === `o-${userId}`));
        const pid = order.relationships.profile.data.id;
        const p = await profile(company, pid);
        assert.equal(p.attributes.external_id, userId);
        assert.equal(p.attributes.email, `${userId}@ajs.example`);
        assert.equal(p.attributes.attributes.first_name, "Ajs");
        assert.ok(p.attributes.anonymous_ids.includes(anonymousId), "identify linked the browser's anonymousId");
        assert.ok(p.attributes.anonymous_ids.includes(`prev-${userId}`), "alias attached the previous id");
        const events = await eventually(async () => {
          const evs = await profileEvents(company, pid);
          return evs.length >= 6 ? evs : null;
        });
        const names = events.map((e) => e.attributes.name);
        for (const n of ["Viewed Product", "Page Viewed", "Order Completed"]) assert.ok(names.includes(n), `${n} in ${names}`);
        const types = events.map((e) => e.attributes.event_type);
        for (const t of ["identify", "group", "alias"]) assert.ok(types.includes(t), `${t} in ${types}`);
        const raw = events.find((e) => e.attributes.name === "Order Completed").attributes.raw;
        assert.equal(raw.context.library.name, "analytics.js");
        assert.ok(raw._metadata, "_metadata kept");
        assert.ok(raw.integrations !== undefined, "integrations kept");
        assert.equal(raw.writeKey, undefined, "the write key is not stored");
        assert.equal(order.attributes.event_properties.$value, 25);

        // what it sent
        const posts = rec.requests.filter((r) => r.method === "POST");
        const paths = new Set(posts.map((r) => r.path));
        if (mode === "standard") {
          for (const p of ["/v1/t", "/v1/p", "/v1/i", "/v1/g", "/v1/a"]) assert.ok(paths.has(p), `${p} in ${[...paths]}`);
        } else {
          assert.deepEqual([...paths], ["/v1/b"]);
        }
        for (const r of posts) {
          assert.match(r.contentType, /^text\/plain/);
          assert.equal(r.origin, pages.origin);
          assert.equal(r.status, 200);
        }
        // analytics-next 1.8x also sends `Authorization: Basic` (not CORS-safelisted), so Chromium preflights
        const preflights = rec.requests.filter((r) => r.method === "OPTIONS");
        assert.ok(preflights.every((r) => r.status === 204), "preflights answered 204");
        assert.deepEqual(blocked, [], "no request left the machine");
        console.log(`analytics-next ${mode}: requests:\n  ${describe(rec.requests).join("\n  ")}\n  landed: profile ${pid}, ${events.length} events (${names.filter(Boolean).join(", ")}; types ${[...new Set(types)].join(", ")})`);
      } catch (e) {
        console.log(`browser log:\n${logs.join("\n")}\nrequests:\n${describe(rec.requests).join("\n")}`);
        throw e;
      } finally {
        await context.close();
        await pages.close();
        await rec.close();
      }
    });
}
