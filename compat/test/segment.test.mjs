// @segment/analytics-node 3.1.0 against Switchboard: `host` → the server; it posts {batch:[…], sentAt}
// to /v1/batch with Basic auth of `writeKey:`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { Analytics, FetchHTTPClient } from "@segment/analytics-node";
import { startRecorder, describe } from "../lib/recorder.mjs";
import { BASE, company as suiteCompany, companyEvents, profile, profileEvents, eventually } from "../lib/ingestion.mjs";

test("segment analytics-node: identify, track, page, alias → one profile with its events", async () => {
  const company = suiteCompany();
  const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  const userId = `seg-user-${run}`;
  const anonymousId = `seg-anon-${run}`;
  const errors = [];
  const analytics = new Analytics({ writeKey: company.pk, host: BASE, flushAt: 10, flushInterval: 200, maxRetries: 0 });
  analytics.on("error", (e) => errors.push(e));

  analytics.track({ anonymousId, event: "Viewed Anonymously", properties: { step: 1 } });
  analytics.identify({ userId, anonymousId, traits: { email: `${run}@segment.example`, firstName: "Seg",
    company: { name: "Acme Corp" }, address: { city: "Berlin" }, plan: "team" } });
  analytics.track({ userId, event: "Order Completed", properties: { revenue: 42.5, currency: "EUR", orderId: run } });
  analytics.page({ userId, name: "Checkout", properties: { path: "/checkout" } });
  analytics.alias({ userId, previousId: `seg-prev-${run}` });
  await analytics.closeAndFlush({ timeout: 10000 });
  assert.deepEqual(errors, []);

  const order = await eventually(async () =>
    (await companyEvents(company)).find((e) => e.attributes.event_properties.orderId === run));
  assert.equal(order.attributes.event_properties.$value, 42.5);
  const pid = order.relationships.profile.data.id;
  const p = await profile(company, pid);
  assert.equal(p.attributes.external_id, userId);
  assert.equal(p.attributes.email, `${run}@segment.example`);
  assert.equal(p.attributes.attributes.first_name, "Seg");
  assert.equal(p.attributes.attributes.organization, "Acme Corp");
  assert.equal(p.attributes.attributes.location.city, "Berlin");
  assert.ok(p.attributes.anonymous_ids.includes(anonymousId), "identify linked the anonymous id");
  assert.ok(p.attributes.anonymous_ids.includes(`seg-prev-${run}`), "alias attached the previous id");

  const events = await profileEvents(company, pid);
  const names = events.map((e) => e.attributes.name);
  for (const n of ["Viewed Anonymously", "Order Completed", "Page Viewed"]) assert.ok(names.includes(n), n);
  // analytics-node stamps `timestamp`: the stored event time is the client's
  assert.ok(events.every((e) => e.attributes.raw.messageId.startsWith("node-next-")));
  assert.ok(events.every((e) => e.attributes.source === "segment"));

  // a retried batch (same messageIds) is acknowledged and dropped
  const raw = events.find((e) => e.attributes.name === "Order Completed").attributes.raw;
  const retry = await fetch(`${BASE}/v1/batch`, {
    method: "POST",
    headers: { authorization: "Basic " + Buffer.from(`${company.pk}:`).toString("base64"), "content-type": "application/json" },
    body: JSON.stringify({ batch: [raw] }),
  });
  assert.equal(retry.status, 200);
  assert.deepEqual(await retry.json(), { success: true });
  assert.equal((await profileEvents(company, pid)).length, events.length);
  console.log(`segment: profile ${pid} holds ${events.length} messages: ${names.filter(Boolean).join(", ")}`);
});

// analytics-node 3.1.0 has no gzip switch of its own; its documented `httpClient` hook (a FetchHTTPClient
// around a fetch that compresses the body it is handed) turns gzip on without changing the library.
test("segment analytics-node with gzip on: batches land", async () => {
  const company = suiteCompany();
  const rec = await startRecorder(BASE);
  try {
    const run = Date.now().toString(36);
    const gzipFetch = (url, init) => fetch(url, { ...init, body: gzipSync(Buffer.from(init.body)),
      headers: { ...init.headers, "Content-Encoding": "gzip" } });
    const errors = [];
    const analytics = new Analytics({ writeKey: company.pk, host: rec.url, flushAt: 3, flushInterval: 200, maxRetries: 0,
      httpClient: new FetchHTTPClient(gzipFetch) });
    analytics.on("error", (e) => errors.push(e));
    analytics.identify({ userId: `gz-${run}`, traits: { email: `gz-${run}@segment.example`, plan: "zip" } });
    analytics.track({ userId: `gz-${run}`, event: "Compressed", properties: { orderId: `gz-${run}`, revenue: 3 } });
    analytics.page({ userId: `gz-${run}`, name: "Zipped" });
    analytics.group({ userId: `gz-${run}`, groupId: `gz-g-${run}`, traits: { name: "Zip team" } });
    await analytics.closeAndFlush({ timeout: 10000 });
    assert.deepEqual(errors, []);
    const ev = await eventually(async () =>
      (await companyEvents(company)).find((e) => e.attributes.event_properties.orderId === `gz-${run}`));
    const pid = ev.relationships.profile.data.id;
    const p = await profile(company, pid);
    assert.equal(p.attributes.email, `gz-${run}@segment.example`);
    const types = (await profileEvents(company, pid)).map((e) => e.attributes.event_type).sort();
    assert.deepEqual(types, ["group", "identify", "page", "track"]);
    const posts = rec.requests.filter((r) => r.method === "POST");
    assert.ok(posts.length >= 1);
    for (const r of posts) {
      assert.equal(r.path, "/v1/batch");
      assert.equal(r.contentEncoding, "gzip");
      assert.equal(r.status, 200);
    }
    console.log(`analytics-node gzip: requests:\n  ${describe(rec.requests).join("\n  ")}\n  landed: profile ${pid}, events ${types.join(", ")}`);
  } finally {
    await rec.close();
  }
});
