// Replay of Klaviyo's mobile SDKs' requests (their code cannot run here: Swift / Android). Each request is
// rebuilt from the SDK's sources — paths, query, headers and body fields as they write them — and sent
// through the recording proxy; then what landed is read back through the API. Sources (public repos):
//   iOS klaviyo-swift-sdk 5.x
//     paths + ?company_id=    Sources/KlaviyoCore/Networking/KlaviyoEndpoint.swift   (trailing slashes: /client/push-tokens/ …)
//     session headers         Sources/KlaviyoCore/Networking/NetworkSession.swift    (revision 2023-07-15, X-Klaviyo-Mobile: 1, Accept-Encoding br/gzip/deflate)
//     push-token body         Sources/KlaviyoCore/Models/APIModels/PushTokenPayload.swift (platform "ios", vendor "APNs", device_metadata keys)
//     event time              Swift JSONEncoder ISO-8601 with a Z (inferred; fractions sent too by some builds)
//   Android klaviyo-android-sdk 4.x
//     headers                 sdk/analytics/.../networking/requests/KlaviyoApiRequest.kt (X-Klaviyo-Mobile: 1, X-Klaviyo-Attempt-Count: n/max, Revision)
//     push token              sdk/analytics/.../requests/PushTokenApiRequest.kt      (vendor "FCM", platform = DeviceProperties.platform = "Android")
//     unregister              sdk/analytics/.../requests/UnregisterPushTokenApiRequest.kt
//     profile                 sdk/analytics/.../requests/ProfileApiRequest.kt        (attributes + location + properties, meta.identifiers)
//     event                   sdk/analytics/.../requests/EventApiRequest.kt          (metric.data.attributes.name, unique_id, value, time)
//     time format             sdk/core/.../config/SystemClock.kt                     (yyyy-MM-dd'T'HH:mm:ssZ in UTC → "+0000")
import { test } from "node:test";
import assert from "node:assert/strict";
import { env, uniq } from "../lib/env.mjs";
import { startRecorder, describe } from "../lib/recorder.mjs";

const secretHeaders = { Authorization: `Klaviyo-API-Key ${env.secretKey}`, revision: "2026-07-15" };

async function adminProfile(filter) {
  const r = await fetch(`${env.url}/api/profiles?filter=${encodeURIComponent(filter)}`, { headers: secretHeaders });
  assert.equal(r.status, 200);
  return (await r.json()).data;
}

async function adminEvents(pid) {
  const r = await fetch(`${env.url}/admin/companies/${env.companyId}/profiles/${pid}/events`, { headers: { Authorization: `Bearer ${env.secretKey}` } });
  assert.equal(r.status, 200);
  return (await r.json()).data;
}

async function devices(pid) {
  const r = await fetch(`${env.url}/admin/companies/${env.companyId}/profiles/${pid}/devices`, { headers: { Authorization: `Bearer ${env.secretKey}` } });
  assert.equal(r.status, 200);
  return (await r.json()).data.map((d) => d.attributes);
}

function sdkTimeAndroid(d = new Date()) {
  return d.toISOString().replace(/\.\d{3}Z$/, "+0000"); // SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssZ"), UTC
}

const iosHeaders = { "Accept-Encoding": "br, gzip, deflate", "User-Agent": "Shop/1.0 (com.example.shop; build:1; iOS 17.0) klaviyo-swift/5.0.0",
  revision: "2023-07-15", "content-type": "application/json", accept: "application/json", "X-Klaviyo-Mobile": "1" };
const androidHeaders = (attempt) => ({ "Content-Type": "application/json", Accept: "application/json", Revision: "2024-10-15",
  "User-Agent": "Shop/1.0 (com.example.shop; build:1; Android 14) klaviyo-android/4.0.0", "X-Klaviyo-Mobile": "1",
  "X-Klaviyo-Attempt-Count": `${attempt}/50` });

const metadata = (os, id) => ({ device_id: id, klaviyo_sdk: os === "ios" ? "swift" : "android", sdk_version: os === "ios" ? "5.0.0" : "4.0.0",
  device_model: os === "ios" ? "iPhone15,2" : "Pixel 8", os_name: os === "ios" ? "iOS" : "Android", os_version: os === "ios" ? "17.0" : "14",
  manufacturer: os === "ios" ? "Apple" : "Google", app_name: "Shop", app_version: "1.0", app_build: "1", app_id: "com.example.shop",
  environment: "debug" });

test("Klaviyo iOS and Android SDK requests replayed: profiles, events (+0000), push tokens land", async () => {
  const rec = await startRecorder(env.url);
  try {
    const q = `?company_id=${env.companyId}`;
    const post = (path, headers, body) => fetch(`${rec.url}${path}${q}`, { method: "POST", headers, body: JSON.stringify(body) });
    const results = [];

    // ---- iOS ----
    const iosUser = uniq("ios-");
    const iosProfile = { data: { type: "profile", attributes: { external_id: iosUser, email: `${iosUser}@ios.example`, anonymous_id: `anon-${iosUser}`,
      first_name: "Iris", location: {}, properties: {} } } };
    results.push(await post("/client/profiles/", iosHeaders, iosProfile));
    results.push(await post("/client/events/", iosHeaders, { data: { type: "event", attributes: {
      profile: { data: { type: "profile", attributes: { external_id: iosUser, anonymous_id: `anon-${iosUser}`, properties: {} } } },
      metric: { data: { type: "metric", attributes: { name: "Opened App" } } },
      properties: { "Device ID": "ios-dev-1", "OS Name": "iOS" }, time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      value: 0, unique_id: uniq("ios-ev-") } } }));
    results.push(await post("/client/push-tokens/", iosHeaders, { data: { type: "push-token", attributes: {
      profile: { data: { type: "profile", attributes: { external_id: iosUser, anonymous_id: `anon-${iosUser}`, properties: {} } } },
      token: `apns-${iosUser}`, enablement_status: "AUTHORIZED", background: "AVAILABLE", device_metadata: metadata("ios", `dev-${iosUser}`),
      platform: "ios", vendor: "APNs" } } }));

    // ---- Android ----
    const andUser = uniq("android-");
    const andProfile = { data: { type: "profile", attributes: { email: `${andUser}@android.example`, external_id: andUser, anonymous_id: `anon-${andUser}`,
      first_name: "Andy", location: { city: "Oslo" }, properties: { tier: "gold" } }, meta: { identifiers: { external_id: andUser, anonymous_id: `anon-${andUser}` } } } };
    results.push(await post("/client/profiles/", androidHeaders(1), andProfile));
    results.push(await post("/client/events", androidHeaders(1), { data: { type: "event", attributes: {
      profile: andProfile, metric: { data: { type: "metric", attributes: { name: "Viewed Product" } } },
      unique_id: uniq("and-ev-"), value: 9.99, time: sdkTimeAndroid(),
      properties: { ProductID: "sku-1", "Device ID": "and-dev-1", "OS Name": "Android", "Push Token": `fcm-${andUser}` } } } }));
    results.push(await post("/client/push-tokens", androidHeaders(2), { data: { type: "push-token", attributes: {
      token: `fcm-${andUser}`, platform: "Android", vendor: "FCM", enablement_status: "AUTHORIZED", background: "AVAILABLE",
      device_metadata: metadata("android", `dev-${andUser}`), profile: andProfile } } }));
    results.push(await post("/client/push-token-unregister", androidHeaders(1), { data: { type: "push-token-unregister", attributes: {
      profile: andProfile, token: `fcm-${andUser}`, platform: "Android", vendor: "FCM" } } }));

    for (const r of results) assert.equal(r.status, 202, `${r.url}: ${r.status} ${await r.text()}`);

    // what landed
    const [ios] = await adminProfile(`equals(external_id,"${iosUser}")`);
    assert.equal(ios.attributes.email, `${iosUser}@ios.example`);
    const iosEvents = await adminEvents(ios.id);
    assert.ok(iosEvents.some((e) => e.attributes.name === "Opened App"));
    const [and] = await adminProfile(`equals(external_id,"${andUser}")`);
    assert.equal(and.attributes.email, `${andUser}@android.example`);
    assert.equal(and.attributes.location.city, "Oslo");
    const andEvents = await adminEvents(and.id);
    const viewed = andEvents.find((e) => e.attributes.name === "Viewed Product");
    assert.ok(viewed, "the Android event with a +0000 time landed");
    const iosDevices = await devices(ios.id);
    assert.deepEqual(iosDevices.map((d) => [d.token, d.vendor, d.platform]), [[`apns-${iosUser}`, "apns", "ios"]]);
    const andDevices = await devices(and.id);
    assert.deepEqual(andDevices.map((d) => [d.token, d.vendor, d.platform]), [[`fcm-${andUser}`, "fcm", "android"]]);
    assert.equal(andDevices[0].enabled, false, "unregistered");
    console.log(`klaviyo mobile replay: requests:\n  ${describe(rec.requests).join("\n  ")}\n  landed: iOS profile ${ios.id} (${iosEvents.length} events, device ${JSON.stringify(iosDevices.map((d) => [d.vendor, d.platform, d.enabled]))}), Android profile ${and.id} (${andEvents.length} events, time ${viewed.attributes.occurred_at ?? viewed.attributes.datetime ?? "?"}, device ${JSON.stringify(andDevices.map((d) => [d.vendor, d.platform, d.enabled]))})`);
  } finally {
    await rec.close();
  }
});
