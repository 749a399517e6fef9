// Shared by the Dittofeed and Segment SDK suites: the company of the run, and read-backs through
// the API (Klaviyo server GET /api/events, admin profile views) with the company's secret key.
import assert from "node:assert/strict";

import { env } from "./env.mjs";

export const BASE = env.url;

/** The suite's company (run.sh creates one per run; the tests use unique ids, so reruns are fine). */
export function company() {
  return { id: env.companyId, pk: env.publicKey, sk: env.secretKey };
}

async function get(path, headers) {
  const r = await fetch(`${BASE}${path}`, { headers });
  const text = await r.text();
  assert.equal(r.status, 200, `${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/** Every activity event of the company (Klaviyo server API), following `links.next`. */
export async function companyEvents(company) {
  const out = [];
  let path = "/api/events?page[size]=100";
  const headers = { authorization: `Klaviyo-API-Key ${company.sk}`, revision: "2026-07-15" };
  while (path) {
    const doc = await get(path, headers);
    out.push(...doc.data);
    path = doc.links.next ? new URL(doc.links.next).pathname + new URL(doc.links.next).search : null;
  }
  return out;
}

export async function profile(company, id) {
  return (await get(`/admin/companies/${company.id}/profiles/${id}`, { authorization: `Bearer ${company.sk}` })).data;
}

export async function profileEvents(company, id) {
  return (await get(`/admin/companies/${company.id}/profiles/${id}/events`, { authorization: `Bearer ${company.sk}` })).data;
}

/** Polls until fn() resolves truthy (SDKs send asynchronously). */
export async function eventually(fn, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw last ?? new Error("condition not met in time");
}
