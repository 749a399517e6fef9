// Audiences through the official Klaviyo Node SDK (klaviyo-api 23.0.0, revision 2026-07-15): lists and
// their members, the subscription bulk job, the profile bulk import job (polled to completion), metrics
// and metric aggregates, segments and their members after the background recompute. Requests are the
// SDK's own; what landed is read back with plain HTTP GETs (not the SDK's success callback or models).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { env, uniq } from '../lib/env.mjs';

const require = createRequire(import.meta.url);
const { ApiKeySession, ListsApi, ProfilesApi, EventsApi, MetricsApi, SegmentsApi } = require('klaviyo-api');

function api(Cls) {
  const a = new Cls(new ApiKeySession(env.secretKey));
  a.basePath = env.url;
  return a;
}
const lists = api(ListsApi);
const profiles = api(ProfilesApi);
const events = api(EventsApi);
const metrics = api(MetricsApi);
const segments = api(SegmentsApi);

/** A plain GET of the server API (the independent read-back). */
async function get(path) {
  const r = await fetch(env.url + path, {
    headers: { Authorization: `Klaviyo-API-Key ${env.secretKey}`, revision: '2026-07-15', Accept: 'application/vnd.api+json' },
  });
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${await r.clone().text()}`);
  return r.json();
}

async function eventually(read, ok, what, ms = 20000) {
  const until = Date.now() + ms;
  let v;
  for (;;) {
    v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) assert.fail(`${what}: not reached in ${ms} ms; last: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function newProfile(attributes) {
  const { body } = await profiles.createProfile({ data: { type: 'profile', attributes } });
  return body.data.id;
}

async function idsOf(path) {
  const out = [];
  let next = path;
  while (next) {
    const j = await get(next);
    out.push(...j.data.map((d) => d.id));
    next = j.links?.next ? j.links.next.replace(env.url, '') : null;
  }
  return out;
}

test('lists: createList, addProfilesToList, getProfilesForList; members read back over HTTP', async () => {
  const name = uniq('sdk-list');
  const created = await lists.createList({ data: { type: 'list', attributes: { name } } });
  assert.equal(created.response.status, 201);
  const listId = created.body.data.id;
  const a = await newProfile({ email: `${uniq('la')}@example.com` });
  const b = await newProfile({ email: `${uniq('lb')}@example.com` });
  const added = await lists.addProfilesToList(listId, { data: [{ type: 'profile', id: a }, { type: 'profile', id: b }] });
  assert.equal(added.response.status, 204);
  const viaSdk = await lists.getProfilesForList(listId, { pageSize: 10 });
  assert.deepEqual(viaSdk.body.data.map((p) => p.id).sort(), [a, b].sort());
  assert.ok(viaSdk.body.data[0].attributes.joinedGroupAt instanceof Date);
  // read back independently: the list by id, its member ids, and each profile's lists
  const list = await get(`/api/lists/${listId}`);
  assert.equal(list.data.attributes.name, name);
  assert.deepEqual((await idsOf(`/api/lists/${listId}/relationships/profiles`)).sort(), [a, b].sort());
  assert.deepEqual((await get(`/api/profiles/${a}/lists`)).data.map((l) => l.id), [listId]);
  const removed = await lists.removeProfilesFromList(listId, { data: [{ type: 'profile', id: b }] });
  assert.equal(removed.response.status, 204);
  assert.deepEqual(await idsOf(`/api/lists/${listId}/relationships/profiles`), [a]);
});

test('subscriptions: bulkSubscribeProfiles joins the list and records consent', async () => {
  const { body } = await lists.createList({ data: { type: 'list', attributes: { name: uniq('sdk-subs') } } });
  const listId = body.data.id;
  const email = `${uniq('sub')}@example.com`;
  const res = await profiles.bulkSubscribeProfiles({
    data: {
      type: 'profile-subscription-bulk-create-job',
      attributes: {
        customSource: 'compat suite',
        profiles: { data: [{ type: 'profile', attributes: { email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED' } } } } }] },
      },
      relationships: { list: { data: { type: 'list', id: listId } } },
    },
  });
  assert.equal(res.response.status, 202);
  const members = await eventually(
    () => get(`/api/lists/${listId}/profiles?additional-fields[profile]=subscriptions`),
    (j) => j.data.length === 1, 'the subscribed profile in the list');
  const p = members.data[0];
  assert.equal(p.attributes.email, email);
  assert.equal(p.attributes.subscriptions.email.marketing.consent, 'SUBSCRIBED');
  assert.equal(p.attributes.subscriptions.email.marketing.can_receive_email_marketing, true);
});

test('profile bulk import job: spawned through the SDK, polled to complete, profiles and list landed', async () => {
  const { body: l } = await lists.createList({ data: { type: 'list', attributes: { name: uniq('sdk-import') } } });
  const listId = l.data.id;
  const tag = uniq('imp');
  const items = [0, 1, 2].map((i) => ({ type: 'profile', attributes: { email: `${tag}-${i}@example.com`, firstName: `N${i}`, properties: { tier: i } } }));
  const res = await profiles.bulkImportProfiles({
    data: {
      type: 'profile-bulk-import-job',
      attributes: { profiles: { data: items } },
      relationships: { lists: { data: [{ type: 'list', id: listId }] } },
    },
  });
  assert.equal(res.response.status, 202);
  const jobId = res.body.data.id;
  const job = await eventually(async () => (await profiles.getBulkImportProfilesJob(jobId)).body.data,
    (d) => d.attributes.status === 'complete', 'the import job completes');
  assert.equal(job.attributes.completedCount, 3);
  assert.equal(job.attributes.failedCount, 0);
  const raw = await get(`/api/profile-bulk-import-jobs/${jobId}`);
  assert.equal(raw.data.attributes.status, 'complete');
  const imported = await idsOf(`/api/profile-bulk-import-jobs/${jobId}/relationships/profiles`);
  assert.equal(imported.length, 3);
  const inList = await get(`/api/lists/${listId}/profiles?page[size]=10`);
  assert.deepEqual(inList.data.map((p) => p.attributes.email).sort(), items.map((i) => i.attributes.email).sort());
  const one = await get(`/api/profiles/?filter=${encodeURIComponent(`equals(email,"${tag}-2@example.com")`)}`);
  assert.equal(one.data[0].attributes.first_name, 'N2');
  assert.equal(one.data[0].attributes.properties.tier, 2);
});

test('metrics: getMetrics lists the event names, queryMetricAggregates counts and sums them', async () => {
  const name = uniq('Sdk Ordered');
  const email = `${uniq('m')}@example.com`;
  const day = new Date(Date.UTC(2026, 5, 10, 12));
  for (const [i, value] of [[0, 10], [1, 5.5], [2, 4.5]]) {
    const r = await events.createEvent({
      data: {
        type: 'event',
        attributes: {
          properties: { n: i }, value, time: new Date(day.getTime() + i * 3600_000), uniqueId: uniq('u'),
          metric: { data: { type: 'metric', attributes: { name } } },
          profile: { data: { type: 'profile', attributes: { email } } },
        },
      },
    });
    assert.equal(r.response.status, 202);
  }
  const all = await metrics.getMetrics();
  const metric = all.body.data.find((m) => m.attributes.name === name);
  assert.ok(metric, `metric ${name} listed by getMetrics`);
  assert.equal((await get(`/api/metrics/${metric.id}`)).data.attributes.name, name);
  const agg = await metrics.queryMetricAggregates({
    data: {
      type: 'metric-aggregate',
      attributes: {
        metricId: metric.id, measurements: ['count', 'sum_value'], interval: 'day', timezone: 'UTC',
        filter: ['greater-or-equal(datetime,2026-06-09T00:00:00)', 'less-than(datetime,2026-06-12T00:00:00)'],
      },
    },
  });
  assert.equal(agg.response.status, 200);
  const a = agg.body.data.attributes;
  const at = a.dates.findIndex((d) => new Date(d).toISOString().startsWith('2026-06-10'));
  assert.ok(at >= 0, `2026-06-10 among ${a.dates}`);
  assert.equal(a.data[0].measurements.count[at], 3);
  assert.equal(a.data[0].measurements.sum_value?.[at] ?? a.data[0].measurements.sumValue?.[at], 20);
  assert.equal(a.data[0].measurements.count.reduce((x, y) => x + y, 0), 3);
});

test('segments: createSegment on a metric; members after the background recompute and after a new event', async () => {
  const name = uniq('Sdk Viewed');
  const [e1, e2, e3] = [uniq('s1'), uniq('s2'), uniq('s3')].map((x) => `${x}@example.com`);
  const send = (email) => events.createEvent({
    data: {
      type: 'event',
      attributes: {
        properties: {}, uniqueId: uniq('u'),
        metric: { data: { type: 'metric', attributes: { name } } },
        profile: { data: { type: 'profile', attributes: { email } } },
      },
    },
  });
  await send(e1);
  await send(e1);
  await send(e2);
  const p3 = await newProfile({ email: e3 });
  const metric = await eventually(async () => (await get('/api/metrics')).data.find((m) => m.attributes.name === name),
    (m) => !!m, 'the metric exists');
  const created = await segments.createSegment({
    data: {
      type: 'segment',
      attributes: {
        name: uniq('sdk-seg'),
        definition: {
          conditionGroups: [{
            conditions: [{
              type: 'profile-metric', metricId: metric.id, measurement: 'count',
              measurementFilter: { type: 'numeric', operator: 'greater-than-or-equal', value: 2 },
              timeframeFilter: { type: 'date', operator: 'alltime' },
            }],
          }],
        },
      },
    },
  });
  assert.equal(created.response.status, 201);
  const segId = created.body.data.id;
  const stored = await get(`/api/segments/${segId}`);
  assert.equal(stored.data.attributes.definition.condition_groups[0].conditions[0].metric_id, metric.id);
  const p1 = (await get(`/api/profiles/?filter=${encodeURIComponent(`equals(email,"${e1}")`)}`)).data[0].id;
  const p2 = (await get(`/api/profiles/?filter=${encodeURIComponent(`equals(email,"${e2}")`)}`)).data[0].id;
  const first = await eventually(() => idsOf(`/api/segments/${segId}/relationships/profiles`), (ids) => ids.length > 0,
    'the first recompute');
  assert.deepEqual(first, [p1]);
  const viaSdk = await segments.getProfilesForSegment(segId);
  assert.deepEqual(viaSdk.body.data.map((p) => p.id), [p1]);
  // incremental: a second event for e2 brings them in; p3 (no events) stays out
  await send(e2);
  const later = await eventually(() => idsOf(`/api/segments/${segId}/relationships/profiles`), (ids) => ids.length === 2,
    'the incremental update');
  assert.deepEqual(later.sort(), [p1, p2].sort());
  assert.ok(!later.includes(p3));
  assert.deepEqual((await get(`/api/profiles/${p2}/segments`)).data.map((s) => s.id), [segId]);
});
