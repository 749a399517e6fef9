// The portal's campaigns and providers in headless Chromium (Debian's chromium through playwright-core):
// add an SMTP provider pointing at a tiny SMTP sink in this process and test its connection, create an
// email campaign, write its template and watch the live preview (htmx) render against a profile, save,
// test-send it, see the message arrive at the sink and the send as "sent" in the sends table and on the
// profile page. Needs SWITCHBOARD_ADMIN_TOKEN and a server that may deliver to this machine
// (SWITCHBOARD_DELIVERY_ALLOW_PRIVATE_NETWORKS=true; run.sh sets both when it starts the server and
// exports PORTAL_LOCAL_DELIVERY=1). PORTAL_SCREENSHOTS=dir saves PNGs (docs/portal/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { chromium } from 'playwright-core';

const uniq = (prefix) => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE = (process.env.SWITCHBOARD_URL || '').replace(/\/+$/, '');
const ADMIN = process.env.SWITCHBOARD_ADMIN_TOKEN;
const SHOTS = process.env.PORTAL_SCREENSHOTS;
const PASSWORD = 'portal-test-password-1';
const skip = !existsSync(executablePath) ? 'no chromium'
  : !ADMIN ? 'needs SWITCHBOARD_ADMIN_TOKEN'
  : !process.env.PORTAL_LOCAL_DELIVERY ? 'needs PORTAL_LOCAL_DELIVERY=1 (a server that may deliver to this machine)' : false;

/** A minimal SMTP sink: accepts every message, keeps it, offers no extensions (no STARTTLS, no AUTH). */
function smtpSink() {
  const messages = [];
  const server = net.createServer((sock) => {
    sock.setEncoding('latin1');
    let buf = '', data = false, from = null, to = [];
    sock.write('220 sink.local ESMTP test sink\r\n');
    sock.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (data) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push({ from, to, data: buf.slice(0, end) });
          buf = buf.slice(end + 5);
          data = false;
          sock.write('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250 sink.local\r\n');
        else if (cmd === 'MAIL') { from = line.slice(10); to = []; sock.write('250 2.1.0 ok\r\n'); }
        else if (cmd === 'RCPT') { to.push(line.slice(8)); sock.write('250 2.1.5 ok\r\n'); }
        else if (cmd === 'DATA') { data = true; sock.write('354 go ahead\r\n'); }
        else if (cmd === 'QUIT') { sock.end('221 bye\r\n'); return; }
        else if (cmd === 'RSET' || cmd === 'NOOP') sock.write('250 ok\r\n');
        else sock.write('502 5.5.2 not implemented\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, messages, port: server.address().port })));
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test('campaigns and providers in headless Chromium: preview, test send to a local SMTP server, sends table', { skip, timeout: 240_000 }, async () => {
  const sink = await smtpSink();
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const r = await fetch(`${BASE}/admin/companies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'company', attributes: { name: uniq('Campaigns ') } } }),
    });
    assert.equal(r.status, 201);
    const j = await r.json();
    const cid = j.data.id;
    const base = `${BASE}/portal/c/${cid}`;

    // a profile to render for (Klaviyo's client API, as a browser SDK would send it)
    const email = `${uniq('grace-')}@example.com`;
    const ev = await fetch(`${BASE}/client/events?company_id=${cid}`, {
      method: 'POST',
      headers: { revision: '2024-10-15', 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'event', attributes: { properties: { plan: 'pro' },
        metric: { data: { type: 'metric', attributes: { name: 'Signed Up' } } },
        profile: { data: { type: 'profile', attributes: { email, first_name: 'Grace', properties: { plan: 'pro' } } } } } } }),
    });
    assert.equal(ev.status, 202);

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const cspViolations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
    await page.goto(BASE + new URL(j.meta.owner_invitation_url).pathname);
    await page.fill('#email', `${uniq('owner-')}@example.com`);
    await page.fill('#password', PASSWORD);
    await page.fill('#password_again', PASSWORD);
    await page.click('button[type=submit]:has-text("Accept invitation")');
    await page.waitForURL(`**/portal/c/${cid}`);

    // the profile's id, from the search
    await page.goto(`${base}/profiles?q=${encodeURIComponent(email)}`);
    const profileId = (await page.textContent(`tr:has-text("${email}") td.mono a`)).trim();

    // an SMTP provider at the sink; the password is masked once saved; test connection
    await page.goto(`${base}/providers`);
    assert.match(await page.textContent('main'), /No providers yet/);
    await page.selectOption('#ptype', 'smtp');
    await page.fill('#pname', 'Local sink');
    await page.fill('#pconfig', JSON.stringify({ host: '127.0.0.1', port: sink.port, tls: 'none', from: 'news@acme.test' }));
    await page.click('button:has-text("Add provider")');
    await page.waitForSelector('h1:has-text("Local sink")');
    await page.click('button:has-text("Test connection")');
    await page.waitForSelector('text=Test connection: Connected to 127.0.0.1');
    await shot(page, 'provider');
    await page.goto(`${base}/providers`);
    await shot(page, 'providers');

    // an email campaign
    await page.goto(`${base}/campaigns`);
    await page.fill('#name', 'Welcome');
    await page.selectOption('#channel', 'email');
    await page.selectOption('#provider_id', { label: 'Local sink (smtp)' });
    await page.selectOption('#subscription', 'transactional');
    await page.click('button:has-text("Create campaign")');
    await page.waitForSelector('h1:has-text("Welcome")');
    const campaignUrl = page.url().split('?')[0];

    // the live preview renders the unsaved template against the profile as it is typed (htmx)
    await page.fill('#preview_profile', profileId);
    await page.fill('#t_subject', 'Welcome aboard, {{ user.first_name }}');
    await page.fill('#t_text', 'Hi {{ user.first_name }}, your plan: {{ user.plan }}.');
    await page.fill('#t_html', '<h1>Hi {{ user.first_name }}</h1><p>Welcome to {{ campaign.name }}.</p>');
    await page.waitForSelector('#preview >> text=Welcome aboard, Grace', { timeout: 10000 });
    assert.match(await page.textContent('#preview'), /your plan: pro/);
    // a template the sandbox refuses shows its error in the preview, nothing is saved
    await page.fill('#t_subject', 'Broken {{#each}}');
    await page.waitForSelector('#preview .error', { timeout: 10000 });
    await page.fill('#t_subject', 'Welcome aboard, {{ user.first_name }}');
    await page.waitForSelector('#preview >> text=Welcome aboard, Grace', { timeout: 10000 });
    await shot(page, 'campaign-editor');
    await page.click('button:has-text("Save template")');
    await page.waitForURL('**saved=1');

    // test send (the campaign is still a draft) to the local SMTP server
    await page.fill('#test_profile', profileId);
    await page.fill('#test_address', 'tester@example.com');
    await page.click('button:has-text("Send test")');
    await page.waitForSelector('text=Test send queued');
    const deadline = Date.now() + 20000;
    while (sink.messages.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.equal(sink.messages.length, 1, 'the SMTP sink received the test send');
    assert.match(sink.messages[0].to[0], /tester@example\.com/);
    assert.match(sink.messages[0].data, /Subject: Welcome aboard, Grace/);
    // the sends table shows it as sent
    for (let i = 0; i < 50; i++) {
      await page.goto(campaignUrl);
      if (await page.locator('table.sends .state-sent').count()) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(await page.locator('table.sends tr:has-text("tester@example.com") .state-sent').count(), 1);

    // activate; the campaigns list shows it
    await page.click('button:has-text("Activate")');
    await page.waitForSelector('h1 .state-active');
    await page.locator('#sends').scrollIntoViewIfNeeded();
    await shot(page, 'campaign');
    await page.goto(`${base}/campaigns`);
    assert.match(await page.textContent('main'), /active/);
    await shot(page, 'campaigns');

    // the profile page lists the send
    await page.goto(`${base}/profiles/${profileId}`);
    assert.equal(await page.locator('table.sends tr:has-text("tester@example.com")').count(), 1);

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations');
  } finally {
    await browser.close();
    sink.server.close();
  }
});
