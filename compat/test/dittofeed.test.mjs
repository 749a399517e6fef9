// @dittofeed/sdk-node 0.1.2 against Switchboard: `host` → the server; it posts {batch:[…]} to
// /api/public/apps/batch with the write key as the `authorization` header. The SDK has no alias
// method, so alias goes through the same endpoint family with a plain fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DittofeedSdk } from "@dittofeed/sdk-node";
import { BASE, company as suiteCompany, companyEvents, profile, profileEvents, eventually } from "../lib/ingestion.mjs";

test("dittofeed sdk: identify, track, page, screen, alias → one profile with its events", async () => {
  const company = suiteCompany();
  const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  const userId = `df-user-${run}`;
  const anonymousId = `df-anon-${run}`;
  // the dashboard form of a write key: "Basic base64(key:)"
  const writeKey = "Basic " + Buffer.from(`${company.pk}:`).toString("base64");
  await DittofeedSdk.init({ writeKey, host: BASE });

  DittofeedSdk.identify({ userId, traits: { email: `${run}@dittofeed.example`, firstName: "Ditto", plan: "pro" } });
  DittofeedSdk.track({ userId, event: "Made Purchase", properties: { itemId: "abc", price: 12.5 } });
  DittofeedSdk.page({ userId, name: "Pricing", properties: { path: "/pricing" } });
  DittofeedSdk.screen({ userId, name: "Recipe Screen", properties: { recipeType: "Soup" } });
  await DittofeedSdk.flush();

  // alias (not in the SDK): same credentials, same path family
  const a = await fetch(`${BASE}/api/public/apps/alias`, {
    method: "POST",
    headers: { authorization: writeKey, "content-type": "application/json" },
    body: JSON.stringify({ previousId: anonymousId, userId, messageId: `alias-${run}` }),
  });
  assert.equal(a.status, 204);

  const purchase = await eventually(async () =>
    (await companyEvents(company)).find((e) => e.attributes.event_properties.itemId === "abc"));
  const pid = purchase.relationships.profile.data.id;
  const p = await profile(company, pid);
  assert.equal(p.attributes.external_id, userId);
  assert.equal(p.attributes.email, `${run}@dittofeed.example`);
  assert.equal(p.attributes.attributes.first_name, "Ditto");
  assert.equal(p.attributes.properties.plan, "pro");
  assert.ok(p.attributes.anonymous_ids.includes(anonymousId), "alias attached the anonymous id");

  const events = await profileEvents(company, pid);
  const names = events.map((e) => e.attributes.name);
  assert.ok(names.includes("Made Purchase"));
  assert.ok(names.includes("Page Viewed"));
  assert.ok(names.includes("Screen Viewed"));
  assert.deepEqual(new Set(events.map((e) => e.attributes.event_type)),
    new Set(["identify", "track", "page", "screen", "alias"]));
  assert.ok(events.every((e) => e.attributes.source === "dittofeed"));
  console.log(`dittofeed: profile ${pid} holds ${events.length} messages: ${names.filter(Boolean).join(", ")}`);
});
