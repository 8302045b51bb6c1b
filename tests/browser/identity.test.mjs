// The Identity tab in a real browser (Debian's Chromium through playwright-core) against a real touchpoint-hub:
// a web visitor with an e-mail and another with a phone are joined by the retailer's server (one merge); an
// admin sees the merge with its source and message and undoes it; the same tie sent again is refused and shows
// as a refused tie with the kind of identifier only. An analyst sees both lists without the undo, and a forced
// undo is refused 403. Screenshots go to $TOUCHPOINT_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startHub, stopHub, getJson, post, addToken, launchChromium } from './hub_process.mjs';

const hubBin = process.env.TOUCHPOINT_HUB;
const artifacts = process.env.TOUCHPOINT_ARTIFACTS || path.join(os.tmpdir(), 'touchpoint-browser-artifacts', 'identity');
const chromiumPath = process.env.TOUCHPOINT_CHROMIUM || '/usr/bin/chromium';
assert.ok(hubBin, 'set TOUCHPOINT_HUB to the built touchpoint-hub');

const EMAIL = 'visitor@example.com';
const PHONE = '+12025550142';
let tmp, hub, context, page, adminToken, analystToken, webKey, serverKey;
const problems = [];

function identify(messageId, anonymousId, traits, channel) {
  return { type: 'identify', messageId, anonymousId, traits, timestamp: new Date().toISOString(),
           ...(channel ? { context: { channel } } : {}) };
}

async function send(key, message) {
  const res = await post(hub, '/v1/batch', { batch: [message] }, { Authorization: `Bearer ${key}` });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(JSON.parse(res.body).receipts.map((r) => r.status), ['accepted'], res.body);
}

async function signIn(token) {
  await page.goto(`${hub.url}/dashboard/signin`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${hub.url}/`), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true');
}

async function openIdentityTab() {
  await page.evaluate(() => { delete document.getElementById('tab-identity').dataset.loaded; });
  await page.click('#tabs a[data-tab="identity"]');
  await page.waitForFunction(() => document.getElementById('tab-identity').dataset.loaded === 'true');
  assert.equal(await page.locator('#tab-identity').isVisible(), true);
}

async function rows(table) {
  return page.locator(table).evaluate((t) => Array.from(t.tBodies[0].rows).filter((r) => !r.querySelector('td.empty'))
    .map((r) => ({ seq: r.dataset.seq, cells: Array.from(r.cells).map((c) => c.textContent),
                   undo: r.querySelector('button[data-action="undo"]') !== null })));
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'touchpoint-identity-'));
  hub = await startHub({ hubBin, dir: tmp, logFile: path.join(artifacts, 'hub.log') });
  adminToken = await addToken(hub, 'ada-admin', 'head-office', 'admin');
  analystToken = await addToken(hub, 'ali-analyst', 'head-office', 'analyst');
  webKey = await addToken(hub, 'web-shop', 'web');
  serverKey = await addToken(hub, 'shop-backend', 'server');

  // Two web visitors, then the shop's back end says the e-mail and the phone are one person.
  await send(webKey, identify('w-email', 'anon-1', { email: EMAIL }));
  await send(webKey, identify('w-phone', 'anon-2', { phone: PHONE }));
  await send(serverKey, identify('tie-1', 'anon-1', { email: EMAIL, phone: PHONE }, 'server'));
  const merges = (await getJson(hub, '/v1/merges', adminToken)).merges;
  assert.equal(merges.length, 1, JSON.stringify(merges));

  ({ context, page } = await launchChromium(chromium, { executablePath: chromiumPath,
                                                        profileDir: path.join(tmp, 'chromium-profile'), problems }));
});

after(async () => {
  if (context) await context.close();
  await stopHub(hub);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('an admin sees the merge with its source and undoes it; the tie sent again shows as refused', async () => {
  await signIn(adminToken);
  await openIdentityTab();
  let merges = await rows('#identity-merges');
  assert.equal(merges.length, 1, JSON.stringify(merges));
  const [merge] = merges;
  assert.equal(merge.cells[3], 'shop-backend');  // the token that sent the tie
  assert.equal(merge.cells[4], 'tie-1');
  assert.equal(merge.cells[5], 'In effect');
  assert.equal(merge.undo, true);
  assert.deepEqual(await rows('#identity-conflicts'), []);
  await page.screenshot({ path: path.join(artifacts, 'identity-admin.png'), fullPage: true });

  page.once('dialog', (dialog) => dialog.accept());
  await page.click(`#identity-merges tr[data-seq="${merge.seq}"] button[data-action="undo"]`);
  await page.waitForFunction((seq) => {
    const cell = document.querySelector(`#identity-merges tr[data-seq="${seq}"] td[data-field="state"]`);
    return cell && cell.textContent.startsWith('Undone');
  }, merge.seq);
  merges = await rows('#identity-merges');
  assert.ok(merges[0].cells[5].includes('by ada-admin'), merges[0].cells[5]);
  assert.equal(merges[0].undo, false);
  assert.match(await page.locator('#status').innerText(), /undone/);
  const stored = (await getJson(hub, '/v1/merges', adminToken)).merges;
  assert.notEqual(stored[0].undoneAt, null);

  // The same tie again is not merged: it is a refused tie, shown without the identifier's value.
  await send(serverKey, identify('tie-2', 'anon-1', { email: EMAIL, phone: PHONE }, 'server'));
  await page.click('#identity-refresh');
  await page.waitForFunction(() => document.querySelectorAll('#identity-conflicts tbody tr[data-seq]').length > 0);
  const conflicts = await rows('#identity-conflicts');
  assert.ok(conflicts.length >= 1, JSON.stringify(conflicts));
  assert.ok(conflicts.some((c) => c.cells[6] === 'tie-2'), JSON.stringify(conflicts));
  const text = await page.locator('#tab-identity').innerText();
  assert.equal(text.includes(EMAIL), false);
  assert.equal(text.includes(PHONE), false);
  assert.equal(text.includes(PHONE.slice(2)), false);
  await page.screenshot({ path: path.join(artifacts, 'identity-after-undo.png'), fullPage: true });
});

test('an analyst reads both lists without the undo, and a forced undo is refused', async () => {
  await Promise.all([page.waitForURL(/\/dashboard\/signin/), page.click('#signout')]);
  await page.waitForLoadState('load');  // the sign-in page's script, before the next navigation
  await signIn(analystToken);
  await openIdentityTab();
  const merges = await rows('#identity-merges');
  assert.equal(merges.length, 1);
  assert.equal(merges[0].undo, false);
  assert.ok((await rows('#identity-conflicts')).length >= 1);
  assert.match(await page.locator('#identity-role-note').innerText(), /Only an admin/);
  const forced = await page.evaluate((seq) => fetch(`/dashboard/api/merges/${seq}/undo`,
    { method: 'POST', credentials: 'same-origin' }).then((r) => r.status), merges[0].seq);
  assert.equal(forced, 403);
  const direct = await post(hub, `/dashboard/api/merges/${merges[0].seq}/undo`, '', { Authorization: `Bearer ${analystToken}` });
  assert.equal(direct.status, 403, direct.body);
  // Another site's page cannot undo one even for an admin.
  const foreign = await post(hub, `/dashboard/api/merges/${merges[0].seq}/undo`, '',
    { Authorization: `Bearer ${adminToken}`, Origin: 'https://elsewhere.example' });
  assert.equal(foreign.status, 403, foreign.body);
});

test('no JavaScript errors, failed requests or console errors', () => {
  // The analyst's forced undo above is the refusal expected (the browser logs the 403).
  const unexpected = problems.filter((e) => !(/^HTTP 403: \/dashboard\/api\/merges\/\d+\/undo$/.test(e) || /status of 403/.test(e)));
  assert.deepEqual(unexpected, []);
});
