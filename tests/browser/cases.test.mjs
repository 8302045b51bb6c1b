// The Cases tab in a real browser (Debian's Chromium through playwright-core) against a real touchpoint-hub:
// two detractors answer on a kiosk and agree to be contacted; a manager opens the Cases tab, sees both cases,
// sees one's contact masked until they click "Show contact" (audited as "contact shown"), assigns it, adds a
// note, sets it in progress and resolves it with an outcome, and the list and figures follow; an analyst sees
// the other case's contact masked with no "Show contact" and no actions, and a forced reveal or change is
// refused 403; once the first shopper's profile is erased, their resolved case reads its outcome as erased.
// Screenshots go to $TOUCHPOINT_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startHub, stopHub, getJson, post, del, addToken, launchChromium } from './hub_process.mjs';

const run = promisify(execFile);
const hubBin = process.env.TOUCHPOINT_HUB;
const visitBin = process.env.TOUCHPOINT_DETRACTOR_VISIT;
const artifacts = process.env.TOUCHPOINT_ARTIFACTS || path.join(os.tmpdir(), 'touchpoint-browser-artifacts', 'cases');
const chromiumPath = process.env.TOUCHPOINT_CHROMIUM || '/usr/bin/chromium';
assert.ok(hubBin && visitBin, 'set TOUCHPOINT_HUB and TOUCHPOINT_DETRACTOR_VISIT to the built programs');

const today = new Date().toISOString().slice(0, 10);
const from = new Date(Date.now() - 27 * 86400000).toISOString().slice(0, 10);
const PHONE_A = '+12025550123';
const PHONE_B = '+12025550188';

let tmp, hub, context, page, managerToken, analystToken;
const consoleErrors = [];



/// A detractor's visit on the kiosk `init` made a token for (store-1, kiosk-1), sent as that kiosk sends it.
async function detractorVisit(session, phone, nps, comment) {
  const { stdout } = await run(visitBin, ['--sealing-key-file', hub.sealingKeyFile, '--store', 'store-1',
    '--kiosk', 'kiosk-1', '--session', session, '--phone', phone, '--nps', String(nps), '--comment', comment]);
  const res = await post(hub, '/v1/batch', { batch: JSON.parse(stdout) }, { Authorization: `Bearer ${hub.kioskToken}` });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(JSON.parse(res.body).receipts.map((r) => r.status), ['accepted', 'accepted', 'accepted'], res.body);
}

async function shoot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

async function signIn(token) {
  await page.goto(`${hub.url}/dashboard/signin`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${hub.url}/`), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true');
}

async function openCasesTab() {
  await page.click('#tabs a[data-tab="cases"]');
  await page.waitForFunction(() => document.getElementById('tab-cases').dataset.loaded === 'true');
  assert.equal(await page.locator('#tab-cases').isVisible(), true);
}

async function caseRows() {
  return page.locator('#case-list').evaluate((t) => Array.from(t.tBodies[0].rows).filter((r) => !r.querySelector('td.empty'))
    .map((r) => ({ id: r.dataset.caseId, overdue: r.classList.contains('overdue'),
                   cells: Array.from(r.cells).map((c) => c.textContent) })));
}

async function tileValue(metric) {
  return page.locator(`#case-figures .tile[data-metric="${metric}"] .value`).innerText();
}

async function act(label, fill) {
  const form = page.locator(`#case-view form[aria-label="${label}"]`);
  if (fill) await form.locator(fill[0]).fill(fill[1]);
  await form.locator('button[type=submit]').click();
  await page.waitForFunction((l) => document.getElementById('status').textContent === `${l}: done`, label);
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'touchpoint-cases-'));
  hub = await startHub({ hubBin, dir: tmp, logFile: path.join(artifacts, 'hub.log') });
  managerToken = await addToken(hub, 'amy-manager', 'head-office', 'manager');
  analystToken = await addToken(hub, 'ali-analyst', 'head-office', 'analyst');
  await detractorVisit('visit-a', PHONE_A, 2, 'Nobody at the till, write to me at shopper@example.com');
  await detractorVisit('visit-b', PHONE_B, 4, 'Queue too long');

  ({ context, page } = await launchChromium(chromium, { executablePath: chromiumPath,
                                                        profileDir: path.join(tmp, 'chromium-profile'), problems: consoleErrors }));
});

after(async () => {
  if (context) await context.close();
  await stopHub(hub);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a manager sees the contact masked, shows it, and works the case to resolution', async () => {
  await signIn(managerToken);
  await openCasesTab();
  await shoot('cases-manager');
  let rows = await caseRows();
  assert.equal(rows.length, 2, JSON.stringify(rows));
  for (const r of rows) {
    assert.equal(r.cells[0], 'store-1');
    assert.equal(r.cells[3], 'Open');
    assert.equal(r.overdue, false);
  }
  assert.equal(await tileValue('cases-opened'), '2');
  assert.equal(await tileValue('cases-first-action'), '–');

  // The newest case is visit-b's; visit-a's (phone A) is the older one.
  const caseA = rows[1].id;
  await page.click(`#case-list tr[data-case-id="${caseA}"]`);
  await page.waitForFunction((id) => document.getElementById('case-view').dataset.caseId === id, caseA);
  const view = page.locator('#case-view');
  const contact = view.locator('[data-field="contact"]');
  assert.equal(await contact.innerText(), 'phone: +120******23 (masked)', 'masked by default for a manager too');
  const auditBefore = (await getJson(hub, `/v1/cases/${caseA}`, managerToken)).audit;
  assert.deepEqual(auditBefore.map((a) => a.detail), ['contact masked', 'contact masked'],
    'the page\'s view and this one; nothing shown yet');
  await shoot('case-contact-masked');
  await view.locator('button[data-action="show-contact"]').click();
  await page.waitForFunction((phone) => document.querySelector('#case-view [data-field="contact"]').textContent === `phone: ${phone}`,
    PHONE_A);
  assert.equal(await view.locator('button[data-action="show-contact"]').count(), 0, 'shown: no button');
  const audit = (await getJson(hub, `/v1/cases/${caseA}`, managerToken)).audit;
  assert.deepEqual(audit.slice(2).map((a) => [a.by, a.detail]),
    [['amy-manager', 'contact shown'], ['amy-manager', 'contact masked']], JSON.stringify(audit));
  assert.match(await view.innerText(), /amy-manager: viewed – contact shown/, 'the page lists its own reveal');
  const viewText = await view.innerText();
  assert.ok(!viewText.includes('shopper@example.com'), 'the comment is shown with its personal text masked');
  assert.match(viewText, /Nobody at the till/);
  assert.match(viewText, /Points/);
  assert.match(viewText, /Loyalty Signed In|in_store_kiosk/, 'the recent journey is shown');

  await act('Assign', ['input[name="assignee"]', 'amy']);
  rows = await caseRows();
  assert.equal(rows.find((r) => r.id === caseA).cells[6], 'amy');
  await act('Add note', ['textarea[name="note"]', 'Left a voicemail']);
  assert.match(await view.innerText(), /Left a voicemail/);
  await act('Set in progress');
  assert.equal((await caseRows()).find((r) => r.id === caseA).cells[3], 'In progress');
  assert.notEqual(await tileValue('cases-first-action'), '–');
  await shoot('case-in-progress');

  await act('Resolve', ['input[name="outcome"]', 'Voucher sent']);
  const resolvedText = await view.innerText();
  assert.match(resolvedText, /Voucher sent/, 'the outcome is shown');
  assert.match(resolvedText, /in_progress -> resolved, outcome set/, 'the history says an outcome was set, not its text');
  rows = await caseRows();
  assert.equal(rows.find((r) => r.id === caseA).cells[3], 'Resolved');
  assert.match(await view.innerText(), /Erased \(resolved\)/, 'resolving erases the contact');
  assert.equal(await view.locator('.case-actions').count(), 0, 'a resolved case has no actions');
  assert.equal(await tileValue('cases-sla'), '100.0%');
  assert.equal(await tileValue('cases-next-visit'), '–', 'no answer after the resolution yet');
  await shoot('case-resolved');

  // The tiles show what the figures call answers.
  const f = await getJson(hub, `/dashboard/api/case-figures?from=${from}&to=${today}`, managerToken);
  assert.equal(f.opened, 2);
  assert.equal(f.resolved, 1);
  assert.equal(f.open, 1);
  assert.equal(f.firstAction.cases, 1);
  assert.match(await page.locator('#case-figures [data-metric="cases-opened"] .n').innerText(),
    /1 open, 0 in progress, 1 resolved/);

  // The status filter.
  await page.selectOption('#case-status', 'resolved');
  await page.click('#case-filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#case-list tbody tr').length === 1);
  assert.deepEqual((await caseRows()).map((r) => r.id), [caseA]);
  await page.selectOption('#case-status', '');

  // It fits a 1366x768 screen: nothing wider than the window.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1366, `page is ${width}px wide`);
});

test('an analyst sees the contact masked, no Show contact, no actions, and a forced reveal or change is refused', async () => {
  await Promise.all([page.waitForURL(/\/dashboard\/signin/), page.click('#signout')]);
  await signIn(analystToken);
  await openCasesTab();
  const rows = await caseRows();
  const open = rows.find((r) => r.cells[3] === 'Open');
  assert.ok(open, JSON.stringify(rows));
  await page.click(`#case-list tr[data-case-id="${open.id}"]`);
  await page.waitForFunction((id) => document.getElementById('case-view').dataset.caseId === id, open.id);
  const contact = await page.locator('#case-view [data-field="contact"]').innerText();
  assert.match(contact, /masked for your role/);
  assert.ok(!contact.includes(PHONE_B.slice(-6)), contact);
  assert.equal(await page.locator('#case-view button[data-action="show-contact"]').count(), 0, 'no Show contact');
  assert.equal(await page.locator('#case-view .case-actions').count(), 0);
  assert.equal(await page.locator('#case-view form').count(), 0);
  await shoot('case-analyst');

  const forced = await page.evaluate(async (id) => {
    const res = await fetch(`/dashboard/api/cases/${id}/notes`, {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'not allowed' }),
    });
    return res.status;
  }, open.id);
  assert.equal(forced, 403);
  const forcedReveal = await page.evaluate(async (id) => {
    const res = await fetch(`/dashboard/api/cases/${id}?reveal=contact`, { credentials: 'same-origin' });
    return { status: res.status, body: await res.text() };
  }, open.id);
  assert.equal(forcedReveal.status, 403, forcedReveal.body);
  assert.ok(!forcedReveal.body.includes(PHONE_B.slice(-6)), forcedReveal.body);
  // And from outside the browser with the analyst's token.
  const direct = await post(hub, `/dashboard/api/cases/${open.id}/status`, { status: 'in_progress' },
    { Authorization: `Bearer ${analystToken}` });
  assert.equal(direct.status, 403, direct.body);
  const after = await getJson(hub, `/v1/cases/${open.id}`, managerToken);
  assert.equal(after.status, 'open');
  assert.equal(after.notes.length, 0);
});

test('once the shopper\'s profile is erased the resolved case reads its outcome as erased', async () => {
  const adminToken = await addToken(hub, 'ada-admin', 'head-office', 'admin');
  const resolved = (await getJson(hub, '/v1/cases?status=resolved', adminToken)).cases;
  assert.equal(resolved.length, 1, JSON.stringify(resolved));
  const id = resolved[0].id;
  const shopper = (await getJson(hub, `/v1/cases/${id}`, adminToken)).shopper;
  assert.ok(shopper && shopper.profileId, 'the visit signed in: the answer has a profile');
  const erased = await del(hub, `/v1/profiles/${shopper.profileId}`, { Authorization: `Bearer ${adminToken}` });
  assert.equal(erased.status, 200, erased.body);
  await page.click(`#case-list tr[data-case-id="${id}"]`);
  await page.waitForFunction((caseId) => document.getElementById('case-view').dataset.caseId === caseId, id);
  const text = await page.locator('#case-view').innerText();
  assert.match(text, /erased with the shopper's profile/, text);
  assert.ok(!text.includes('Voucher sent'), text);
  assert.match(text, /Resolved/);
  await shoot('case-outcome-erased');
});

test('no JavaScript errors, failed requests or console errors', () => {
  // The forced POST above is the one refusal expected (the browser logs its 403).
  const unexpected = consoleErrors.filter((e) => !(e.startsWith('HTTP 403: /dashboard/api/cases/') ||
    /status of 403/.test(e)));
  assert.deepEqual(unexpected, []);
});
