// The portal in headless Chromium (Debian's /usr/bin/chromium through playwright-core): accept an
// invitation and set a password, sign out and in, create a key and send events with it through a real
// SDK (@segment/analytics-node), watch them in live events and on the profile page, merge two profiles,
// invite a viewer who cannot reach keys, a company A owner who cannot reach company B by URL, a CSRF
// refusal, lockout after failed sign-ins, sign-out. Needs SWITCHBOARD_ADMIN_TOKEN (run.sh sets it when
// it starts the server). PORTAL_SCREENSHOTS=dir saves a PNG of every page (docs/portal/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { Analytics } from '@segment/analytics-node';
const uniq = (prefix) => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE = (process.env.SWITCHBOARD_URL || '').replace(/\/+$/, '');
const ADMIN = process.env.SWITCHBOARD_ADMIN_TOKEN;
const SHOTS = process.env.PORTAL_SCREENSHOTS;
const PASSWORD = 'portal-test-password-1';
const skip = !existsSync(executablePath) ? 'no chromium' : !ADMIN ? 'needs SWITCHBOARD_ADMIN_TOKEN' : false;

async function company(name) {
  const r = await fetch(`${BASE}/admin/companies`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/vnd.api+json' },
    body: JSON.stringify({ data: { type: 'company', attributes: { name } } }),
  });
  assert.equal(r.status, 201);
  const j = await r.json();
  assert.match(j.meta.owner_invitation_url, /\/portal\/invitations\/[A-Za-z0-9_-]{43}$/);
  return { id: j.data.id, invitation: BASE + new URL(j.meta.owner_invitation_url).pathname };
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function acceptInvitation(page, url, email, name) {
  await page.goto(url);
  if (name) await shot(page, name);
  if (await page.locator('#email:not([readonly])').count()) await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.fill('#password_again', PASSWORD);
  await page.click('button[type=submit]:has-text("Accept invitation")');
}

async function signIn(page, email, password) {
  await page.goto(`${BASE}/portal/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button:has-text("Sign in")');
}

test('the portal end to end in headless Chromium', { skip, timeout: 240_000 }, async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const a = await company(uniq('Portal A '));
    const b = await company(uniq('Portal B '));
    const ownerEmail = `${uniq('owner-')}@example.com`;
    const ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctxA.newPage();
    const cspViolations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

    // accept the first-owner invitation, set a password: signed in, on the overview
    await acceptInvitation(page, a.invitation, ownerEmail, 'accept-invitation');
    await page.waitForURL(`**/portal/c/${a.id}`);
    await page.waitForSelector('h1');
    assert.match(await page.textContent('main'), /No events yet/);

    // sign out, then sign in with the new password
    await page.click('button:has-text("Sign out")');
    await page.waitForURL('**/portal/sign-in');
    await shot(page, 'sign-in');
    await signIn(page, ownerEmail, PASSWORD);
    await page.waitForURL(`**/portal/c/${a.id}`);

    // create a public key: shown once, with a copy button
    await page.goto(`${BASE}/portal/c/${a.id}/keys`);
    await page.selectOption('#kind', 'public');
    await page.fill('#name', 'website');
    await page.click('button:has-text("Create key")');
    const key = await page.inputValue('#new-key');
    assert.match(key, /^pk_[A-Za-z0-9]{32}$/);
    assert.equal(await page.locator('button[data-copy=new-key]').count(), 1);
    await shot(page, 'keys');
    await page.goto(`${BASE}/portal/c/${a.id}/keys`);
    assert.equal(await page.locator(`text=${key}`).count(), 0, 'the key is shown only once');
    assert.match(await page.textContent('main'), new RegExp(key.slice(0, 8)));

    // send events with it through a real SDK
    const user1 = uniq('user-'), user2 = uniq('user-');
    const email1 = `${user1}@example.com`, email2 = `${user2}@example.com`;
    const analytics = new Analytics({ writeKey: key, host: BASE, flushAt: 10, flushInterval: 200, maxRetries: 0 });
    analytics.identify({ userId: user1, traits: { email: email1, first_name: 'Ada', last_name: 'Lovelace' } });
    analytics.track({ userId: user1, event: 'Portal Checkout', properties: { total: 42, currency: 'EUR' } });
    analytics.identify({ userId: user2, traits: { email: email2, first_name: 'Ada', last_name: 'Second' } });
    await analytics.closeAndFlush({ timeout: 10000 });

    // live events: the event appears while the page is open (htmx polling)
    await page.goto(`${BASE}/portal/c/${a.id}/events`);
    await page.waitForSelector('#rows >> text=Portal Checkout', { timeout: 15000 });
    await page.locator('#rows details').first().click();
    await shot(page, 'live-events');

    // the profile page shows the event and its payload
    await page.goto(`${BASE}/portal/c/${a.id}/profiles`);
    await page.fill('#q', email1);
    await page.press('#q', 'Enter');
    await page.waitForSelector(`td:has-text("${email1}")`);
    await shot(page, 'profiles');
    await page.click(`tr:has-text("${email1}") a`);
    await page.waitForSelector('h1:has-text("Profile")');
    const profileUrl = page.url();
    assert.match(await page.textContent('main'), /Portal Checkout/);
    assert.match(await page.textContent('main'), /Lovelace/);
    await shot(page, 'profile');

    // merge the second profile into the first (confirmed)
    await page.goto(`${BASE}/portal/c/${a.id}/profiles?q=${encodeURIComponent(email2)}`);
    const secondId = (await page.textContent(`tr:has-text("${email2}") td.mono a`)).trim();
    await page.goto(profileUrl);
    await page.fill('#source', secondId);
    await page.click('button:has-text("Merge…")');
    await page.waitForSelector('h1:has-text("Merge profiles")');
    await shot(page, 'merge-confirm');
    await page.click('button:has-text("Merge")');
    await page.waitForURL(profileUrl);
    assert.match(await page.textContent('main'), new RegExp(secondId));
    await page.goto(`${BASE}/portal/c/${a.id}/profiles?q=${encodeURIComponent(email2)}`);
    // the merged-away profile is no longer listed
    assert.equal(await page.locator(`#results a:has-text("${secondId}")`).count(), 0);

    // overview and settings pages
    await page.goto(`${BASE}/portal/c/${a.id}`);
    assert.match(await page.textContent('main'), /Events per day/);
    await shot(page, 'overview');
    await page.goto(`${BASE}/portal/c/${a.id}/settings`);
    await shot(page, 'settings');

    // invite a viewer; the viewer cannot reach or use keys
    await page.goto(`${BASE}/portal/c/${a.id}/members`);
    const viewerEmail = `${uniq('viewer-')}@example.com`;
    await page.fill('#invite-email', viewerEmail);
    await page.selectOption('#invite-role', 'viewer');
    await page.click('button:has-text("Send invitation")');
    const viewerLink = await page.inputValue('#invite-url');
    await shot(page, 'members');
    const ctxV = await browser.newContext();
    const vpage = await ctxV.newPage();
    await acceptInvitation(vpage, BASE + new URL(viewerLink).pathname, viewerEmail);
    await vpage.waitForURL(`**/portal/c/${a.id}`);
    assert.equal(await vpage.locator('nav a:has-text("Keys")').count(), 0);
    const vkeys = await vpage.goto(`${BASE}/portal/c/${a.id}/keys`);
    assert.equal(vkeys.status(), 403);
    await shot(vpage, 'viewer-denied');
    const vpost = await vpage.evaluate(async (url) => {
      const csrf = document.querySelector('input[name=_csrf]').value;
      const r = await fetch(url, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, kind: 'secret', name: 'sneaky' }) });
      return r.status;
    }, `${BASE}/portal/c/${a.id}/keys`);
    assert.equal(vpost, 403);

    // company A's owner cannot reach company B by any URL
    for (const p of ['', '/keys', '/members', '/settings', '/profiles', '/events']) {
      const r = await page.goto(`${BASE}/portal/c/${b.id}${p}`);
      assert.equal(r.status(), 404, `company B ${p}`);
    }

    // CSRF: a POST without the token is refused
    await page.goto(`${BASE}/portal/c/${a.id}/keys`);
    const csrfStatus = await page.evaluate(async (url) => {
      const r = await fetch(url, { method: 'POST', body: new URLSearchParams({ kind: 'secret', name: 'no-token' }) });
      return r.status;
    }, `${BASE}/portal/c/${a.id}/keys`);
    assert.equal(csrfStatus, 403);
    assert.equal(await page.locator('text=no-token').count(), 0);

    // lockout after failed sign-ins, even with the right password afterwards
    const ctxL = await browser.newContext();
    const lpage = await ctxL.newPage();
    for (let i = 0; i < 5; i++) await signIn(lpage, viewerEmail, `wrong-password-${i}`);
    await signIn(lpage, viewerEmail, PASSWORD);
    assert.match(await lpage.textContent('main'), /locked/);
    await shot(lpage, 'locked');

    // sign-out: the session no longer opens pages
    await page.goto(`${BASE}/portal/c/${a.id}`);
    await page.click('button:has-text("Sign out")');
    await page.waitForURL('**/portal/sign-in');
    await page.goto(`${BASE}/portal/c/${a.id}/keys`);
    assert.match(page.url(), /\/portal\/sign-in$/);

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations');
  } finally {
    await browser.close();
  }
});
