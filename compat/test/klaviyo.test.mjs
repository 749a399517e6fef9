// The official Klaviyo Node SDK (klaviyo-api 23.0.0, revision 2026-07-15) against Switchboard's Klaviyo
// dialect, plus klaviyo-api 3.0.0 (revision 2023-02-22, the last release with /client/* calls).
// Nothing here builds requests by hand: the SDKs' own request shapes, headers and response parsing
// are what is tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { env, uniq } from '../lib/env.mjs';

const require = createRequire(import.meta.url);
const { ApiKeySession, ProfilesApi, DataPrivacyApi } = require('klaviyo-api');
const v3 = require('klaviyo-api-v3');

function profilesApi(key = env.secretKey) {
  const api = new ProfilesApi(new ApiKeySession(key));
  api.basePath = env.url;
  return api;
}

const profiles = profilesApi();
const privacy = new DataPrivacyApi(new ApiKeySession(env.secretKey));
privacy.basePath = env.url;

/** Runs an SDK call expected to fail and returns axios' error response. */
async function failing(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e.response, `expected an HTTP error, got ${e}`);
    return e.response;
  }
  assert.fail('the call succeeded but an error was expected');
}

test('createProfile → 201, parsed into the SDK model with every attribute', async () => {
  const email = `${uniq('sdk')}@example.com`;
  const res = await profiles.createProfile({
    data: { type: 'profile', attributes: { email, firstName: 'Sarah', location: { city: 'Boston' }, properties: { plan: 'gold' } } },
  });
  assert.equal(res.response.status, 201);
  assert.equal(res.response.headers['content-type'].split(';')[0], 'application/vnd.api+json');
  assert.equal(res.response.headers.revision, '2026-07-15');
  const d = res.body.data;
  assert.equal(d.type, 'profile');
  assert.equal(d.id.length, 26);
  assert.equal(d.attributes.email, email);
  assert.equal(d.attributes.firstName, 'Sarah');
  assert.equal(d.attributes.lastName, null);
  assert.equal(d.attributes.location.city, 'Boston');
  assert.deepEqual(d.attributes.properties, { plan: 'gold' });
  assert.ok(d.attributes.created instanceof Date && !isNaN(d.attributes.created));
  assert.equal(d.links.self, `${env.url}/api/profiles/${d.id}/`);
});

test('getProfile and updateProfile (null clears, absent keeps)', async () => {
  const email = `${uniq('upd')}@example.com`;
  const { body } = await profiles.createProfile({ data: { type: 'profile', attributes: { email, firstName: 'A', lastName: 'B' } } });
  const id = body.data.id;
  const got = await profiles.getProfile(id);
  assert.equal(got.response.status, 200);
  assert.equal(got.body.data.attributes.lastName, 'B');
  const upd = await profiles.updateProfile(id, {
    data: { type: 'profile', id, attributes: { firstName: 'Changed', title: 'CTO' }, meta: { patchProperties: { append: { tags: 'vip' } } } },
  });
  assert.equal(upd.response.status, 200);
  assert.equal(upd.body.data.attributes.firstName, 'Changed');
  assert.equal(upd.body.data.attributes.lastName, 'B');
  assert.equal(upd.body.data.attributes.title, 'CTO');
  assert.deepEqual(upd.body.data.attributes.properties.tags, ['vip']);
});

test('getProfiles with a filter, sparse fields and cursor paging', async () => {
  const tag = uniq('page');
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const { body } = await profiles.createProfile({ data: { type: 'profile', attributes: { email: `${tag}-${i}@example.com`, externalId: `${tag}-${i}` } } });
    ids.push(body.data.id);
  }
  const one = await profiles.getProfiles({ filter: `equals(email,"${tag}-1@example.com")` });
  assert.equal(one.response.status, 200);
  assert.deepEqual(one.body.data.map((p) => p.id), [ids[1]]);

  const filter = `any(external_id,["${tag}-0","${tag}-1","${tag}-2"])`;
  const seen = [];
  let page = await profiles.getProfiles({ filter, pageSize: 2, sort: 'created', fieldsProfile: ['email', 'external_id'] });
  // the SDK's model lists every attribute; the sparse ones arrive, the rest stay undefined (not null)
  const sparse = page.body.data[0].attributes;
  assert.ok(sparse.email.startsWith(tag));
  assert.equal(sparse.externalId, `${tag}-0`);
  assert.equal(sparse.firstName, undefined);
  assert.equal(sparse.created, undefined);
  seen.push(...page.body.data.map((p) => p.id));
  assert.ok(page.body.links.next, 'a next link');
  const cursor = new URL(page.body.links.next).searchParams.get('page[cursor]');
  page = await profiles.getProfiles({ filter, pageSize: 2, sort: 'created', pageCursor: cursor });
  seen.push(...page.body.data.map((p) => p.id));
  assert.deepEqual(seen, ids);
  assert.equal(page.body.links.next, undefined);
  assert.ok(page.body.links.prev);
  // the SDK also accepts the whole links.next URL as the cursor
  const again = await profiles.getProfiles({ filter, pageSize: 2, sort: 'created',
    pageCursor: (await profiles.getProfiles({ filter, pageSize: 2, sort: 'created' })).body.links.next });
  assert.deepEqual(again.body.data.map((p) => p.id), [ids[2]]);
});

test('createOrUpdateProfile: 201 when created, 200 when updated', async () => {
  const email = `${uniq('imp')}@example.com`;
  const created = await profiles.createOrUpdateProfile({ data: { type: 'profile', attributes: { email, firstName: 'Imp' } } });
  assert.equal(created.response.status, 201);
  const updated = await profiles.createOrUpdateProfile({ data: { type: 'profile', attributes: { email, phoneNumber: '+14155550163' } } });
  assert.equal(updated.response.status, 200);
  assert.equal(updated.body.data.id, created.body.data.id);
  assert.equal(updated.body.data.attributes.phoneNumber, '+14155550163');
  assert.equal(updated.body.data.attributes.firstName, 'Imp');
});

test('mergeProfiles: 201, the source answers 404 afterwards', async () => {
  const dest = (await profiles.createProfile({ data: { type: 'profile', attributes: { email: `${uniq('d')}@example.com` } } })).body.data.id;
  const src = (await profiles.createProfile({ data: { type: 'profile', attributes: { email: `${uniq('s')}@example.com`, phoneNumber: '+14155550164' } } })).body.data.id;
  const res = await profiles.mergeProfiles({ data: { type: 'profile-merge', id: dest, relationships: { profiles: { data: [{ type: 'profile', id: src }] } } } });
  assert.equal(res.response.status, 201);
  assert.equal(res.body.data.id, dest);
  assert.equal((await profiles.getProfile(dest)).body.data.attributes.phoneNumber, '+14155550164');
  const gone = await failing(profiles.getProfile(src));
  assert.equal(gone.status, 404);
  assert.equal(gone.data.errors[0].code, 'not_found');
  assert.equal(gone.data.errors[0].meta.merged_into, dest);
});

test('errors: 409 duplicate_profile, 400 invalid with a pointer, 403 for a public key', async () => {
  const email = `${uniq('dup')}@example.com`;
  const owner = (await profiles.createProfile({ data: { type: 'profile', attributes: { email } } })).body.data.id;
  const dup = await failing(profiles.createProfile({ data: { type: 'profile', attributes: { email } } }));
  assert.equal(dup.status, 409);
  const err = dup.data.errors[0];
  assert.equal(err.code, 'duplicate_profile');
  assert.equal(err.status, 409);
  assert.equal(err.meta.duplicate_profile_id, owner);
  assert.match(err.id, /^[0-9a-f-]{36}$/);

  const bad = await failing(profiles.createProfile({ data: { type: 'profile', attributes: { email: 'not-an-email' } } }));
  assert.equal(bad.status, 400);
  assert.equal(bad.data.errors[0].code, 'invalid');
  assert.equal(bad.data.errors[0].source.pointer, '/data/attributes/email');

  const forbidden = await failing(profilesApi(env.publicKey).getProfiles());
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.data.errors[0].code, 'permission_denied');
});

test('requestProfileDeletion: 202, then the profile is gone and its email free', async () => {
  const email = `${uniq('gdpr')}@example.com`;
  const id = (await profiles.createProfile({ data: { type: 'profile', attributes: { email } } })).body.data.id;
  const res = await privacy.requestProfileDeletion({
    data: { type: 'data-privacy-deletion-job', attributes: { profile: { data: { type: 'profile', attributes: { email } } } } },
  });
  assert.equal(res.response.status, 202);
  assert.equal((await failing(profiles.getProfile(id))).status, 404);
  const again = await profiles.createProfile({ data: { type: 'profile', attributes: { email } } });
  assert.notEqual(again.body.data.id, id);
});

test('klaviyo-api 3.0.0 (revision 2023-02-22): createClientProfile → 202', async () => {
  const client = new v3.ApiClient();
  client.basePath = env.url;
  client.RETRY_MAX_ATTEMPTS = 1;
  const api = new v3.ClientApi(client);
  const email = `${uniq('v3')}@example.com`;
  const res = await api.createClientProfile({
    data: { type: 'profile', attributes: { email, anonymous_id: uniq('anon-'), first_name: 'Legacy', properties: { sdk: 'v3' } } },
  }, env.companyId);
  assert.equal(res.status, 202);
  const found = await profiles.getProfiles({ filter: `equals(email,"${email}")` });
  assert.equal(found.body.data.length, 1);
  assert.equal(found.body.data[0].attributes.firstName, 'Legacy');
  assert.deepEqual(found.body.data[0].attributes.properties, { sdk: 'v3' });
});
