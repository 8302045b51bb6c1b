// The "Surveys & fleet" tab in a real browser (Debian's Chromium through playwright-core) against a real
// touchpoint-hub: head office has published a first document for every kiosk; a manager opens it, changes a
// question in Spanish, empties an English text and sees the hub's error next to that field and then go away,
// does the same with a branching bound, adds an option and writes its texts, publishes a new revision, assigns it to a store, sees it in the list and rolls every store back; the kiosk
// that refused a document shows as refused, with why, and still runs its last good version. The manager then sets
// the contact question's thresholds and sees the hub refuse ones above its own [cases] as they are typed. An
// analyst gets no editing controls and a forced change is refused 403. Screenshots go to $TOUCHPOINT_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startHub, stopHub, getJson, post, addToken, launchChromium } from './hub_process.mjs';

const hubBin = process.env.TOUCHPOINT_HUB;
const artifacts = process.env.TOUCHPOINT_ARTIFACTS || path.join(os.tmpdir(), 'touchpoint-browser-artifacts', 'fleet');
const chromiumPath = process.env.TOUCHPOINT_CHROMIUM || '/usr/bin/chromium';
assert.ok(hubBin, 'set TOUCHPOINT_HUB to the built touchpoint-hub');

// Hub data is hostile to the page: this text must show as text, never run.
const HOSTILE = '<img src=x onerror="window.__fleetXss=1">Welcome';

let tmp, hub, context, page, managerToken, analystToken, firstVersion;
const consoleErrors = [];



function firstDocument() {
  return {
    format: 1,
    survey: {
      id: 'autumn', version: 1, titleKey: 'survey.autumn.title',
      steps: [
        { id: 'nps', type: 'nps', questionKey: 'survey.q.nps' },
        { id: 'why', type: 'choice', questionKey: 'survey.q.why', options: [{ id: 'queue', labelKey: 'survey.opt.queue' }],
          when: { step: 'nps', min: 0, max: 6 } },
      ],
    },
    texts: {
      en: { 'survey.autumn.title': 'Autumn visit', 'survey.q.nps': 'How likely are you to recommend us?',
            'survey.q.why': 'What went wrong?', 'survey.opt.queue': 'The queue', 'attract.brand': HOSTILE },
      es: { 'survey.autumn.title': 'Visita de otoño', 'survey.q.nps': '¿Nos recomendaría?',
            'survey.q.why': '¿Qué salió mal?', 'survey.opt.queue': 'La cola', 'attract.brand': 'Bienvenido' },
    },
    settings: { languages: ['en', 'es'], defaultLanguage: 'en' },
  };
}

/// A heartbeat as the kiosk `init` made a token for (store-1, kiosk-1) sends it (sync/event/kiosk_events.cpp),
/// reporting the configuration it runs and the one it refused.
async function kioskHeartbeat(health) {
  const now = new Date().toISOString();
  const message = {
    type: 'track', messageId: crypto.randomUUID(), timestamp: now, anonymousId: 'kiosk:store-1:kiosk-1',
    event: 'Kiosk Heartbeat', properties: { queueDepth: 0, appVersion: '0.1.0', ...health },
    context: { channel: 'in_store_kiosk', storeId: 'store-1', kioskId: 'kiosk-1', sessionId: '', sequence: 0,
               bootId: 'boot-1', monotonicMs: 1000, locale: '', timezone: 'Europe/Berlin',
               app: { name: 'touchpoint-kiosk', version: '0.1.0' } },
  };
  const res = await post(hub, '/v1/batch', { batch: [message] }, { Authorization: `Bearer ${hub.kioskToken}` });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(JSON.parse(res.body).receipts.map((r) => r.status), ['accepted'], res.body);
}

async function shoot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function signIn(token) {
  await page.goto(`${hub.url}/dashboard/signin`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${hub.url}/`), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true');
}

async function openSurveysTab() {
  await page.click('#tabs a[data-tab="surveys"]');
  await page.waitForFunction(() => document.getElementById('tab-surveys').dataset.loaded === 'true');
  assert.equal(await page.locator('#tab-surveys').isVisible(), true);
}

async function rows(table) {
  return page.locator(table).evaluate((t) => Array.from(t.tBodies[0].rows).filter((r) => !r.querySelector('td.empty'))
    .map((r) => ({ data: { ...r.dataset }, cells: Array.from(r.cells).map((c) => c.textContent) })));
}

async function openDocument(configVersion) {
  // The editor may show this version already (publishing opens the new revision by itself): clear its mark, so
  // the wait is for this click's own render and no render still on its way replaces what the test then types.
  await page.evaluate(() => { document.getElementById('fleet-editor').dataset.configVersion = ''; });
  await page.click(`#fleet-documents tr[data-config-version="${configVersion}"]`);
  await page.waitForFunction((v) => document.getElementById('fleet-editor').dataset.configVersion === String(v), configVersion);
}

/// Waits for the answer to the hub check that follows the latest edit.
async function validated(errorCount) {
  await page.waitForFunction((n) => {
    const s = document.getElementById('tab-surveys');
    return s.dataset.errors === String(n) && Number(s.dataset.validated || 0) > 0;
  }, errorCount);
}

async function statusIs(pattern) {
  await page.waitForFunction((p) => new RegExp(p).test(document.getElementById('status').textContent), pattern.source);
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'touchpoint-fleet-'));
  hub = await startHub({ hubBin, dir: tmp, logFile: path.join(artifacts, 'hub.log') });
  managerToken = await addToken(hub, 'mo-manager', 'head-office', 'manager');
  analystToken = await addToken(hub, 'ali-analyst', 'head-office', 'analyst');
  const published = await post(hub, '/v1/fleet/documents', { name: 'autumn', document: firstDocument(), assign: { scope: 'all' } },
    { Authorization: `Bearer ${managerToken}` });
  assert.equal(published.status, 201, published.body);
  firstVersion = JSON.parse(published.body).configVersion;
  await kioskHeartbeat({ configVersion: firstVersion, configRefusal: '' });

  ({ context, page } = await launchChromium(chromium, { executablePath: chromiumPath,
                                                        profileDir: path.join(tmp, 'chromium-profile'), problems: consoleErrors }));
});

after(async () => {
  if (context) await context.close();
  await stopHub(hub);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a manager edits a question, sees a validation error come and go, publishes, assigns and rolls back', async () => {
  await signIn(managerToken);
  await openSurveysTab();
  let docs = await rows('#fleet-documents');
  assert.equal(docs.length, 1, JSON.stringify(docs));
  assert.deepEqual(docs[0].cells.slice(0, 4), ['autumn', '1', String(firstVersion), 'autumn v1']);
  await openDocument(firstVersion);
  const editor = page.locator('#fleet-editor');
  // The texts table: a row per key, a column per language; the step's branching as the document has it.
  assert.equal(await editor.locator('input[data-path="texts.es.survey.q.nps"]').inputValue(), '¿Nos recomendaría?');
  assert.equal(await editor.locator('input[data-path="texts.en.attract.brand"]').inputValue(), HOSTILE);
  assert.equal(await editor.locator('select[data-path="survey.steps[1].when.step"]').inputValue(), 'nps');
  assert.equal(await editor.locator('input[data-path="survey.steps[1].when.max"]').inputValue(), '6');

  // A question reworded in one language.
  await editor.locator('input[data-path="texts.es.survey.q.nps"]').fill('¿Nos recomendaría a un amigo?');
  await validated(0);

  // An emptied text: the hub's error appears next to that field, and publishing waits.
  const why = editor.locator('input[data-path="texts.en.survey.q.why"]');
  await why.fill('');
  // The validator names it twice: the empty text, and the key that language then lacks.
  await validated(2);
  assert.deepEqual(await page.locator('#fleet-errors li').evaluateAll((l) => l.map((e) => e.dataset.path)),
    ['texts.en.survey.q.why', 'texts.en']);
  const note = editor.locator('.field-error[data-path="texts.en.survey.q.why"]');
  assert.equal(await note.isVisible(), true);
  assert.match(await note.innerText(), /non-empty/);
  assert.equal(await why.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#fleet-publish-button').isDisabled(), true);
  await shoot('fleet-validation-error');
  await why.fill('What went wrong today?');
  await validated(0);
  assert.equal(await editor.locator('.field-error').count(), 0);
  assert.equal(await why.getAttribute('aria-invalid'), null);
  assert.equal(await page.locator('#fleet-publish-button').isDisabled(), false);

  // Branching out of range: the error sits next to that bound until it is put right.
  const max = editor.locator('input[data-path="survey.steps[1].when.max"]');
  await max.fill('11');
  await validated(1);
  assert.match(await editor.locator('.field-error[data-path="survey.steps[1].when.max"]').innerText(),
    /must be an integer from 0 to 10/);
  await max.fill('8');
  await validated(0);

  // A new option: its label key gets a row in the texts table, missing in both languages until written.
  await editor.locator('fieldset[data-step="why"] button', { hasText: 'Add option' }).click();
  await validated(2);
  for (const [lang, text] of [['en', 'Prices'], ['es', 'Los precios']]) {
    const cell = editor.locator(`input[data-path="texts.${lang}.survey.opt.why_2"]`);
    assert.equal(await cell.getAttribute('aria-invalid'), 'true');
    await cell.fill(text);
  }
  await validated(0);

  // Offering French adds a column whose empty cells are each an error; taking it away again clears them.
  await editor.locator('input[aria-label="Offer fr"]').check();
  await validated(10);  // five survey keys, each empty and so missing
  assert.equal(await editor.locator('#fleet-texts th').evaluateAll((h) => h.map((c) => c.textContent).join(',')),
    'Key,Used for,en,es,fr');
  await editor.locator('input[aria-label="Offer fr"]').uncheck();
  await validated(0);

  // Published for every store: a new revision, and a new survey version (a question's wording changed).
  await page.fill('#fleet-publish input[name="scope"]', 'all');
  await page.click('#fleet-publish-button');
  await statusIs(/^Published autumn revision 2 \(survey version 2\)/);
  docs = await rows('#fleet-documents');
  assert.equal(docs.length, 2);
  const second = Number(docs[0].data.configVersion);
  assert.deepEqual(docs[0].cells.slice(0, 4), ['autumn', '2', String(second), 'autumn v2']);
  const stored = await getJson(hub, `/v1/fleet/documents/${second}`, managerToken);
  assert.equal(stored.document.texts.es['survey.q.nps'], '¿Nos recomendaría a un amigo?');
  assert.equal(stored.document.texts.en['survey.q.why'], 'What went wrong today?');
  assert.equal(stored.document.texts.en['attract.brand'], HOSTILE);
  assert.deepEqual(stored.document.survey.steps[1].when, { step: 'nps', min: 0, max: 8 });
  assert.deepEqual(stored.document.survey.steps[1].options.map((o) => o.id), ['queue', 'option_2']);
  assert.equal(stored.document.texts.es['survey.opt.why_2'], 'Los precios');

  // Assigned to one store through the form: it is in the list, in effect.
  await page.selectOption('#fleet-assign-version', String(second));
  await page.fill('#fleet-assign-scope', 'store:store-1');
  await page.click('#fleet-assign button[type=submit]');
  await statusIs(/^Assigned autumn rev 2 .* to store:store-1/);
  let assignments = await rows('#fleet-assignments');
  const storeRow = assignments.find((a) => a.data.scope === 'store:store-1');
  assert.ok(storeRow, JSON.stringify(assignments));
  assert.equal(storeRow.data.configVersion, String(second));
  assert.equal(storeRow.data.state, 'in effect');
  const replaced = assignments.find((a) => a.data.scope === 'all' && a.data.configVersion === String(firstVersion));
  assert.equal(replaced.data.state, 'replaced');

  // The kiosk of store-1 was told to run revision 2, refused it and keeps revision 1: the page says so.
  await kioskHeartbeat({ configVersion: firstVersion, configRefusal: 'texts.es: no text for "survey.q.nps" (step "nps", question)' });
  await page.click('#fleet-refresh');
  await page.waitForFunction(() => document.querySelector('#fleet-kiosks tr[data-kiosk="store-1/kiosk-1"]')?.dataset.state === 'refused',
    null, { timeout: 15000 }).catch(async (err) => {
    throw new Error(`${err.message}\nkiosks: ${JSON.stringify(await rows('#fleet-kiosks'))}\nstatus: ${await page.locator('#status').innerText()}`);
  });
  const [kioskRow] = (await rows('#fleet-kiosks')).filter((k) => k.data.kiosk === 'store-1/kiosk-1');
  assert.equal(kioskRow.cells[4], `autumn rev 1 (v${firstVersion})`, 'it runs its last good document');
  assert.equal(kioskRow.cells[5], `autumn rev 2 (v${second})`);
  assert.match(kioskRow.cells[6], /^refused: texts\.es: no text for "survey\.q\.nps"/);
  assert.match(await page.locator('#fleet-config-summary').innerText(), /1 refused/);
  await shoot('fleet-refused');

  // Every store rolled back to revision 1: a new assignment of the older document, the history kept.
  await page.click(`#fleet-assignments tr[data-seq="${replaced.data.seq}"] button`);
  await statusIs(/^Assigned autumn rev 1 .* to all/);
  assignments = await rows('#fleet-assignments');
  const inEffect = assignments.filter((a) => a.data.scope === 'all' && a.data.state === 'in effect');
  assert.equal(inEffect.length, 1);
  assert.equal(inEffect[0].data.configVersion, String(firstVersion));
  assert.equal(assignments.length, 4, 'first publish, second publish, the store, the rollback');
  const fromHub = await getJson(hub, '/v1/fleet/assignments', managerToken);
  assert.equal(fromHub.assignments.length, 4);

  // The hostile text stayed text.
  assert.equal(await page.evaluate(() => window.__fleetXss), undefined);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1366, `page is ${width}px wide`);
  await shoot('fleet-manager');
});

test('a manager sets the contact question thresholds; the hub refuses ones above its [cases] as they are typed', async () => {
  await openDocument(firstVersion);
  const editor = page.locator('#fleet-editor');
  // The document has no feedback part: each kiosk keeps its kiosk.toml, and the three fields are not offered.
  const own = editor.locator('input[data-path="settings.feedback"]');
  assert.equal(await own.isChecked(), false);
  assert.equal(await editor.locator('input[data-path="settings.feedback.contactNpsMax"]').count(), 0);
  await own.check();
  await validated(0);
  const ask = editor.locator('input[data-path="settings.feedback.contactQuestion"]');
  const nps = editor.locator('input[data-path="settings.feedback.contactNpsMax"]');
  const csat = editor.locator('input[data-path="settings.feedback.contactCsatMax"]');
  assert.equal(await ask.isChecked(), true);
  assert.equal(await nps.inputValue(), '6');
  assert.equal(await csat.inputValue(), '2');

  // Above the hub's [cases] unhappy_nps_max (6 in this hub): refused next to the field, naming both values.
  await nps.fill('8');
  await validated(1);
  assert.match(await editor.locator('.field-error[data-path="settings.feedback.contactNpsMax"]').innerText(),
    /^8 is above the hub's \[cases\] unhappy_nps_max 6: shoppers would be promised a call no case is opened for$/);
  assert.equal(await nps.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#fleet-publish-button').isDisabled(), true);
  await shoot('fleet-feedback-above-cases');
  await nps.fill('4');
  await validated(0);
  await nps.fill('11');  // out of the range itself
  await validated(1);
  assert.match(await editor.locator('.field-error[data-path="settings.feedback.contactNpsMax"]').innerText(),
    /must be an integer from -1 to 10/);
  await nps.fill('4');
  await validated(0);
  await csat.fill('3');
  await validated(1);
  assert.match(await editor.locator('.field-error[data-path="settings.feedback.contactCsatMax"]').innerText(),
    /^3 is above the hub's \[cases\] unhappy_csat_max 2/);
  await csat.fill('1');
  await validated(0);
  assert.equal(await editor.locator('.field-error').count(), 0);
  assert.equal(await page.locator('#fleet-publish-button').isDisabled(), false);

  // Published without an assignment: the stored revision carries what was typed.
  await page.click('#fleet-publish-button');
  await statusIs(/^Published autumn revision 3/);
  const docs = await rows('#fleet-documents');
  const stored = await getJson(hub, `/v1/fleet/documents/${docs[0].data.configVersion}`, managerToken);
  assert.deepEqual(stored.document.settings.feedback, { contactQuestion: true, contactNpsMax: 4, contactCsatMax: 1 });

  // Turned off the question: with nobody asked, no threshold can promise anything, so none is refused.
  await openDocument(Number(docs[0].data.configVersion));
  assert.equal(await nps.inputValue(), '4');
  await nps.fill('10');
  await validated(1);
  await ask.uncheck();
  await validated(0);
  // Unticking "set by head office" takes the part out of the document again.
  await own.uncheck();
  await validated(0);
  assert.equal(await editor.locator('input[data-path="settings.feedback.contactNpsMax"]').count(), 0);
});

test('an analyst reads the documents without editing controls, and a forced change is refused', async () => {
  await Promise.all([page.waitForURL(/\/dashboard\/signin/), page.click('#signout')]);
  await signIn(analystToken);
  // Opened straight from a link to the tab this time.
  await page.goto(`${hub.url}/#surveys`);
  await page.waitForFunction(() => document.getElementById('tab-surveys').dataset.loaded === 'true');
  assert.equal(await page.locator('#tab-surveys').isVisible(), true);
  const docs = await rows('#fleet-documents');
  assert.equal(docs.length, 3);
  await openDocument(firstVersion);
  const editor = page.locator('#fleet-editor');
  assert.equal(await editor.locator('#fleet-publish').count(), 0);
  assert.equal(await editor.locator('button').count(), 0);
  assert.equal(await editor.locator('input:not([disabled]), select:not([disabled]), textarea:not([disabled])').count(), 0);
  assert.equal(await page.locator('#fleet-assign').isVisible(), false);
  assert.equal(await page.locator('#fleet-assignments button').count(), 0);
  // The texts are shown as text, hostile ones included.
  const cell = editor.locator('#fleet-texts tr[data-key="attract.brand"] td[data-lang="en"]');
  assert.equal(await cell.innerText(), HOSTILE);
  assert.equal(await page.evaluate(() => window.__fleetXss), undefined);
  await shoot('fleet-analyst');

  const forced = await page.evaluate(async (doc) => {
    const send = (p, body) => fetch(p, { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
    return [await send('/dashboard/api/fleet/documents', { name: 'autumn', document: doc }),
            await send('/dashboard/api/fleet/assignments', { configVersion: 1, scope: 'all' })];
  }, firstDocument());
  assert.deepEqual(forced, [403, 403]);
  const direct = await post(hub, '/dashboard/api/fleet/documents', { name: 'autumn', document: firstDocument() },
    { Authorization: `Bearer ${analystToken}` });
  assert.equal(direct.status, 403, direct.body);
  assert.equal((await getJson(hub, '/v1/fleet/documents', managerToken)).documents.length, 3);
  assert.equal((await getJson(hub, '/v1/fleet/assignments', managerToken)).assignments.length, 4);
});

test('no JavaScript errors, failed requests or console errors', () => {
  // The analyst's forced POSTs above are the refusals expected (the browser logs each 403).
  const unexpected = consoleErrors.filter((e) => !(/^HTTP 403: \/dashboard\/api\/fleet\/(documents|assignments)$/.test(e) ||
    /status of 403/.test(e)));
  assert.deepEqual(unexpected, []);
});
