// Klaviyo event endpoints through the official SDKs: klaviyo-api 23.0.0 (revision 2026-07-15:
// EventsApi.createEvent / getEvents / getEvent) and klaviyo-api 3.0.0 (revision 2023-02-22: the flat
// `attributes.profile` + `metric: {name}` shape of ClientApi.createClientEvent and EventsApi.createEvent,
// and the flat createClientSubscription).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { env, uniq } from '../lib/env.mjs';

const require = createRequire(import.meta.url);
const { ApiKeySession, EventsApi, ProfilesApi } = require('klaviyo-api');
const v3 = require('klaviyo-api-v3');

const events = new EventsApi(new ApiKeySession(env.secretKey));
events.basePath = env.url;
const profiles = new ProfilesApi(new ApiKeySession(env.secretKey));
profiles.basePath = env.url;

async function profileIdOf(email) {
  const found = await profiles.getProfiles({ filter: `equals(email,"${email}")` });
  assert.equal(found.body.data.length, 1, `one profile for ${email}`);
  return found.body.data[0].id;
}

test('klaviyo-api 23: createEvent → 202, getEvents filtered by profile, getEvent', async () => {
  const email = `${uniq('ev')}@example.com`;
  const metric = uniq('Viewed Product ');
  const body = (uniqueId, time) => ({
    data: {
      type: 'event',
      attributes: {
        properties: { sku: 'SKU-1', price: 9.5 },
        time,
        value: 9.5,
        valueCurrency: 'USD',
        uniqueId,
        metric: { data: { type: 'metric', attributes: { name: metric } } },
        profile: { data: { type: 'profile', attributes: { email, firstName: 'Eve' } } },
      },
    },
  });
  const created = await events.createEvent(body(uniq('u-'), new Date('2025-01-02T03:04:05.678Z')));
  assert.equal(created.response.status, 202);
  assert.equal(created.response.headers.revision, '2026-07-15');
  const uid = uniq('u-');
  await events.createEvent(body(uid, new Date('2025-01-03T00:00:00Z')));
  await events.createEvent(body(uid, new Date('2025-01-04T00:00:00Z'))); // same unique_id: dropped

  const pid = await profileIdOf(email);
  const list = await events.getEvents({ filter: `equals(profile_id,"${pid}")`, sort: 'datetime' });
  assert.equal(list.response.status, 200);
  assert.equal(list.body.data.length, 2);
  const first = list.body.data[0];
  assert.equal(first.type, 'event');
  assert.equal(first.attributes.timestamp, Date.parse('2025-01-02T03:04:05Z') / 1000, 'time truncated to seconds');
  assert.equal(first.attributes.eventProperties.sku, 'SKU-1');
  assert.equal(first.relationships.profile.data.id, pid);
  assert.equal(first.links.self, `${env.url}/api/events/${first.id}/`);

  const one = await events.getEvent(first.id);
  assert.equal(one.body.data.id, first.id);
  const byMetric = await events.getEvents({
    filter: `and(equals(metric_id,"${first.relationships.metric.data.id}"),greater-than(datetime,2025-01-02T12:00:00Z))`,
  });
  assert.equal(byMetric.body.data.length, 1);
});

test('klaviyo-api 3.0.0 (revision 2023-02-22): flat client and server events, flat subscription', async () => {
  const client = new v3.ApiClient();
  client.basePath = env.url;
  client.RETRY_MAX_ATTEMPTS = 1;
  client.authentications['Klaviyo-API-Key'].apiKey = env.secretKey;
  client.authentications['Klaviyo-API-Key'].apiKeyPrefix = 'Klaviyo-API-Key';
  const email = `${uniq('v3ev')}@example.com`;
  const clientApi = new v3.ClientApi(client);
  const r1 = await clientApi.createClientEvent({
    data: { type: 'event', attributes: { profile: { $email: email, $first_name: 'Old', plan: 'legacy' },
      metric: { name: 'V3 Client Event' }, properties: { a: 1 }, time: '2024-05-05T05:05:05Z', value: 3 } },
  }, env.companyId);
  assert.equal(r1.status, 202);
  const serverApi = new v3.EventsApi(client);
  const r2 = await serverApi.createEvent({
    data: { type: 'event', attributes: { profile: { $email: email }, metric: { name: 'V3 Server Event' }, properties: { b: 2 } } },
  });
  assert.equal(r2.status, 202);
  const r3 = await clientApi.createClientSubscription({
    data: { type: 'subscription', attributes: { list_id: 'V3LIST', email } },
  }, env.companyId);
  assert.equal(r3.status, 202);

  const pid = await profileIdOf(email);
  const p = await profiles.getProfile(pid);
  assert.equal(p.body.data.attributes.firstName, 'Old');
  assert.equal(p.body.data.attributes.properties.plan, 'legacy');
  const list = await events.getEvents({ filter: `equals(profile_id,"${pid}")` });
  const names = new Set();
  for (const e of list.body.data) names.add(e.attributes.eventProperties.a === 1 ? 'client' : 'server');
  assert.deepEqual(names, new Set(['client', 'server']));
});
