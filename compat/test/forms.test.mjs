// The "public browser forms" use case: the server's signup page (/forms/demo?company_id=…, plain
// HTML + JS) is opened in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// filled in and submitted; the browser posts to /client/profiles and /client/subscriptions with only
// the public company id. Then the profile is found through the Klaviyo server API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { env, uniq } from '../lib/env.mjs';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

test('signup form in headless Chromium creates a subscribed profile', { skip: !existsSync(executablePath) && 'no chromium' }, async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const email = `${uniq('form-')}@example.com`;
    await page.goto(`${env.url}/forms/demo?company_id=${env.companyId}&list=newsletter`);
    await page.fill('#email', email);
    await page.fill('#first_name', 'Formy');
    await page.click('#submit');
    await page.waitForSelector('#result.ok', { timeout: 15000 });
    assert.equal(await page.textContent('#result'), 'Thanks for signing up!');

    const filter = encodeURIComponent(`equals(email,"${email}")`);
    const res = await fetch(`${env.url}/api/profiles?filter=${filter}`, {
      headers: { Authorization: `Klaviyo-API-Key ${env.secretKey}`, revision: '2026-07-15' },
    });
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.data.length, 1, 'exactly one profile for the submitted email');
    assert.equal(doc.data[0].attributes.first_name, 'Formy');
    assert.equal(doc.data[0].attributes.properties.signup_form, 'demo');

    const subs = await fetch(`${env.url}/admin/companies/${env.companyId}/profiles/${doc.data[0].id}/subscriptions`, {
      headers: { Authorization: `Bearer ${env.secretKey}` },
    });
    assert.equal(subs.status, 200);
    assert.match(await subs.text(), /SUBSCRIBED|subscribed/);

    // a bad address is refused by the server and shown in the page, not swallowed
    await page.fill('#email', 'not-an-email');
    await page.click('#submit');
    await page.waitForSelector('#result.ok, #result.error', { timeout: 15000 });
  } finally {
    await browser.close();
  }
});
