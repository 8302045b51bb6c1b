// The head-office dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
// touchpoint-hub loaded by touchpoint-datagen: sign-in is required, the figures on the page equal /v1/stats,
// every CSV download equals the table on screen, no console errors, and it fits a 1366x768 laptop screen.
// Screenshots of every tab go to $TOUCHPOINT_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startHub, stopHub, get, getJson, parseCsv, runDatagen } from './hub_process.mjs';

const hubBin = process.env.TOUCHPOINT_HUB;
const datagenBin = process.env.TOUCHPOINT_DATAGEN;
const artifacts = process.env.TOUCHPOINT_ARTIFACTS || path.join(os.tmpdir(), 'touchpoint-browser-artifacts');
const chromiumPath = process.env.TOUCHPOINT_CHROMIUM || '/usr/bin/chromium';
assert.ok(hubBin && datagenBin, 'set TOUCHPOINT_HUB and TOUCHPOINT_DATAGEN to the built programs');

const DAYS = 14;
// One kiosk asks the hub for this many welcomes; the fleet page counts them for that kiosk alone.
const WELCOME_KIOSK = 'store-0003-k2';
const WELCOMES = 3;
const today = new Date().toISOString().slice(0, 10);
const from = new Date(Date.now() - (DAYS - 1) * 86400000).toISOString().slice(0, 10);

let tmp, hub, context, page, loaded;
const consoleErrors = [];
let dataCalls = 0;

function fmt(x, digits) { return x === null || x === undefined ? '' : Number(x).toFixed(digits); }

async function tileTexts(p, metric) {
  const tile = p.locator(`.tile[data-metric="${metric}"]`);
  return { value: await tile.locator('.value').innerText(), ci: await tile.locator('.ci').count() ? await tile.locator('.ci').innerText() : '',
           n: await tile.locator('.n').innerText() };
}

async function tableRows(p, name) {
  return p.locator(`table[data-table="${name}"]`).evaluate((t) => ({
    head: Array.from(t.tHead.rows[0].cells).map((c) => c.textContent),
    rows: Array.from(t.tBodies[0].rows).filter((r) => !r.querySelector('td.empty'))
      .map((r) => Array.from(r.cells).map((c) => c.textContent)),
    classes: Array.from(t.tBodies[0].rows).map((r) => r.className),
  }));
}

async function waitLoaded(p) {
  await p.waitForFunction(() => document.body.dataset.loaded === 'true');
}

async function shoot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

function expectTilesEqual(tiles, overall) {
  assert.equal(tiles.nps.value, fmt(overall.nps.score, 1));
  assert.equal(tiles.nps.ci, `95% CI ${fmt(overall.nps.ci95[0], 1)} to ${fmt(overall.nps.ci95[1], 1)}`);
  assert.equal(tiles.nps.n, `${overall.nps.responses} responses`);
  assert.equal(tiles.csat.value, `${fmt(overall.csat.score, 1)}%`);
  assert.equal(tiles.csat.ci, `95% CI ${fmt(overall.csat.ci95[0], 1)} to ${fmt(overall.csat.ci95[1], 1)}`);
  assert.equal(tiles.csat.n, `${overall.csat.responses} responses`);
  assert.equal(tiles.ces.value, fmt(overall.ces.mean, 2));
  assert.equal(tiles.ces.ci, `95% CI ${fmt(overall.ces.ci95[0], 2)} to ${fmt(overall.ces.ci95[1], 2)}`);
  assert.equal(tiles.signins.value, String(overall.signins));
  assert.equal(tiles.newMembers.value, String(overall.newMembers));
}

async function readTiles(p) {
  const out = {};
  for (const m of ['nps', 'csat', 'ces', 'signins', 'newMembers']) out[m] = await tileTexts(p, m);
  return out;
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'touchpoint-browser-'));
  hub = await startHub({ hubBin, dir: tmp, logFile: path.join(artifacts, 'hub.log') });
  loaded = await runDatagen({ datagenBin, hub, args: ['--stores', '4', '--kiosks', '2', '--days', String(DAYS), '--seed', '11'] });
  assert.equal(loaded.rejected, 0, JSON.stringify(loaded.rejectReasons));
  assert.ok(loaded.accepted > 5000, `only ${loaded.accepted} events accepted`);
  assert.ok(loaded.duplicate > 0, 'the generator re-sends some messages');
  const kioskTokens = new Map(fs.readFileSync(path.join(hub.hubDir, 'datagen-tokens.txt'), 'utf8')
    .split('\n').filter(Boolean).map((line) => line.split(' ')));
  assert.ok(kioskTokens.has(WELCOME_KIOSK), [...kioskTokens.keys()].join(' '));
  for (let i = 0; i < WELCOMES; i += 1) {
    const res = await get(hub, `/v1/profiles/welcome?member=TP-WELCOME-${i}`,
      { Authorization: `Bearer ${kioskTokens.get(WELCOME_KIOSK)}` });
    assert.equal(res.status, 200, res.body);
  }

  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    // The hub's certificate is self-signed and made by `init` in this run.
    ignoreHTTPSErrors: true,
    acceptDownloads: true,
  });
  page = context.pages()[0] || await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
  page.on('request', (req) => { if (req.url().includes('/dashboard/api/data')) dataCalls += 1; });
  page.on('response', (res) => {
    // Name the URL behind any "Failed to load resource" console line; 400/401/404 from a test's deliberate
    // bad request are filtered below.
    if (res.status() >= 400) consoleErrors.push(`HTTP ${res.status()}: ${new URL(res.url()).pathname}`);
  });
  page.on('requestfailed', (req) => {
    // A download navigation is reported as aborted; that is the browser handing the file over, not a failure.
    if (!req.url().includes('/dashboard/csv/')) consoleErrors.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
});

after(async () => {
  if (context) await context.close();
  await stopHub(hub);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('without a session every page and data call is refused', async () => {
  await page.goto(`${hub.url}/`);
  assert.equal(new URL(page.url()).pathname, '/dashboard/signin');
  await shoot('signin');
  for (const p of [`/dashboard/api/data?from=${from}&to=${today}`, `/dashboard/csv/scores?from=${from}&to=${today}`]) {
    assert.equal((await get(hub, p)).status, 401, p);
    assert.equal((await get(hub, p, { Authorization: `Bearer ${hub.kioskToken}` })).status, 401, `${p} with a kiosk token`);
    assert.equal((await get(hub, p, { Cookie: `__Host-tp_session=${'0'.repeat(64)}` })).status, 401, `${p} with a forged cookie`);
  }
  assert.equal((await get(hub, '/')).status, 303);
});

test('a wrong token is refused with a message and no cookie', async () => {
  await page.fill('#token', 'tpk_not-a-real-token');
  await Promise.all([page.waitForURL(/error=token/), page.click('button[type=submit]')]);
  assert.ok(await page.locator('#signin-error').isVisible());
  assert.equal((await context.cookies()).filter((c) => c.name.includes('tp_session')).length, 0);
});

test('the head-office token signs in with an HttpOnly, Secure, SameSite=Strict session cookie', async () => {
  await page.fill('#token', hub.officeToken);
  await Promise.all([page.waitForURL(`${hub.url}/`), page.click('button[type=submit]')]);
  await waitLoaded(page);
  const cookie = (await context.cookies()).find((c) => c.name === '__Host-tp_session');
  assert.ok(cookie, 'session cookie set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/');
  assert.equal(await page.evaluate(() => document.cookie), '', 'page scripts cannot read the session');
});

test('overview figures equal /v1/stats, overall and per store, with intervals drawn', async () => {
  await page.goto(`${hub.url}/?from=${from}&to=${today}#overview`);
  await waitLoaded(page);
  const stats = await getJson(hub, `/v1/stats?from=${from}&to=${today}`, hub.officeToken);
  assert.ok(stats.overall.nps.responses > 100);
  expectTilesEqual(await readTiles(page), stats.overall);

  const scores = await tableRows(page, 'scores');
  assert.equal(scores.rows.length, stats.byStore.length + 1);
  assert.equal(scores.rows[0][0], 'All stores');
  const expectRow = (row, s) => {
    assert.deepEqual(row.slice(1), [fmt(s.nps.score, 1), fmt(s.nps.ci95[0], 1), fmt(s.nps.ci95[1], 1), String(s.nps.responses),
      fmt(s.csat.score, 1), fmt(s.csat.ci95[0], 1), fmt(s.csat.ci95[1], 1), String(s.csat.responses),
      fmt(s.ces.mean, 2), fmt(s.ces.ci95[0], 2), fmt(s.ces.ci95[1], 2), String(s.ces.responses),
      String(s.signins), String(s.newMembers)]);
  };
  expectRow(scores.rows[0], stats.overall);
  for (const s of stats.byStore) expectRow(scores.rows.find((r) => r[0] === s.store), s);

  // The charts were drawn from the same numbers: the score line and its interval band have points.
  const drawn = await page.evaluate(() => {
    const nps = window.Chart.getChart('chart-nps');
    const byStore = window.Chart.getChart('chart-store-nps');
    return { line: nps.data.datasets[2].data.filter((v) => v !== null).length,
             band: nps.data.datasets[1].data.filter((v) => v !== null).length,
             stores: byStore.data.labels, intervals: byStore.data.datasets[1].data };
  });
  assert.ok(drawn.line >= DAYS - 1 && drawn.band >= DAYS - 1, JSON.stringify(drawn));
  assert.deepEqual(drawn.stores, stats.byStore.map((s) => s.store));
  assert.deepEqual(drawn.intervals, stats.byStore.map((s) => s.nps.ci95));
  await shoot('overview');
});

test('per-day overall figures equal /v1/stats for that day', async () => {
  const daily = await tableRows(page, 'daily');
  assert.equal(daily.rows.length, DAYS);
  for (const row of [daily.rows[0], daily.rows[Math.floor(DAYS / 2)], daily.rows[DAYS - 1]]) {
    const day = row[0];
    const s = (await getJson(hub, `/v1/stats?from=${day}&to=${day}`, hub.officeToken)).overall;
    assert.deepEqual(row, [day, String(s.signins), String(s.newMembers),
      s.nps.responses ? fmt(s.nps.score, 1) : '', String(s.nps.responses),
      s.csat.responses ? fmt(s.csat.score, 1) : '', String(s.csat.responses),
      s.ces.responses ? fmt(s.ces.mean, 2) : '', String(s.ces.responses), String(s.feedbackAbandoned)]);
  }
});

test('the store filter shows that store, equal to /v1/stats?store=', async () => {
  const store = 'store-0002';
  await page.selectOption('#store', store);
  await Promise.all([page.waitForFunction((s) => document.getElementById('status').textContent.includes(s), store),
                     page.click('#filters button[type=submit]')]);
  assert.ok(page.url().includes(`store=${store}`));
  const stats = await getJson(hub, `/v1/stats?from=${from}&to=${today}&store=${store}`, hub.officeToken);
  expectTilesEqual(await readTiles(page), stats.overall);
  const daily = await tableRows(page, 'daily');
  const byDay = new Map(stats.byDay.filter((r) => r.store === store).map((r) => [r.day, r]));
  let signins = 0;
  for (const row of daily.rows) {
    const r = byDay.get(row[0]);
    signins += Number(row[1]);
    if (r) assert.equal(row[3], r.nps.responses ? fmt(r.nps.score, 1) : '', row[0]);
  }
  assert.equal(signins, stats.overall.signins);
  await shoot('overview-store-0002');
  await page.goto(`${hub.url}/?from=${from}&to=${today}`);
  await waitLoaded(page);
});

async function downloadCsv(name) {
  const link = page.locator(`.table-block[data-table="${name}"] a.csv`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = path.join(artifacts, download.suggestedFilename());
  await download.saveAs(file);
  return parseCsv(fs.readFileSync(file, 'utf8'));
}

const unguard = (cell) => (cell.startsWith("'") ? cell.slice(1) : cell);

test('the survey selector narrows the figures to one version; combined versions carry a notice', async () => {
  await page.goto(`${hub.url}/?from=${from}&to=${today}#overview`);
  await waitLoaded(page);
  const all = await getJson(hub, `/v1/stats?from=${from}&to=${today}`, hub.officeToken);
  // The generator's survey was reworded (version 3) a few days before the end of the range.
  assert.deepEqual(all.surveyVersions.map((v) => [v.surveyId, v.version]), [['store-visit', 2], ['store-visit', 3]]);
  assert.equal(all.versionsMixed, true);
  const notice = page.locator('#survey-notice');
  assert.ok(await notice.isVisible(), 'the notice shows while versions are combined');
  assert.match(await notice.innerText(),
    /^Answers from versions 2 and 3 of survey store-visit are combined; the questions changed in version 3\.$/);
  const choices = await page.locator('#survey option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(choices, ['', 'store-visit', 'store-visit|2', 'store-visit|3']);
  const unfiltered = await readTiles(page);

  await page.selectOption('#survey', 'store-visit|2');
  await Promise.all([page.waitForFunction(() => document.getElementById('status').textContent.includes('version 2')),
                     page.click('#filters button[type=submit]')]);
  assert.ok(page.url().includes('survey=store-visit&surveyVersion=2'), page.url());
  const v2 = await getJson(hub, `/v1/stats?from=${from}&to=${today}&survey=store-visit&surveyVersion=2`, hub.officeToken);
  assert.equal(v2.versionsMixed, false);
  assert.ok(v2.overall.nps.responses > 0 && v2.overall.nps.responses < all.overall.nps.responses);
  const tiles = await readTiles(page);
  expectTilesEqual(tiles, v2.overall);
  assert.notEqual(tiles.nps.n, unfiltered.nps.n, 'the NPS tile counts only version 2 answers');
  assert.ok(await notice.isHidden(), 'one version: no notice');
  assert.equal(await page.locator('#survey').inputValue(), 'store-visit|2');
  // The tables and their CSV downloads follow the filter; each day is that day's version 2 answers.
  const scores = await tableRows(page, 'scores');
  assert.equal(scores.rows[0][4], String(v2.overall.nps.responses));
  const csv = await downloadCsv('scores');
  assert.deepEqual(csv.slice(1).map((r) => r.map(unguard)), scores.rows);
  const daily = await tableRows(page, 'daily');
  const firstDay = daily.rows[0][0];
  const day = await getJson(hub, `/v1/stats?from=${firstDay}&to=${firstDay}&survey=store-visit&surveyVersion=2`,
    hub.officeToken);
  assert.equal(daily.rows[0][4], String(day.overall.nps.responses));
  await shoot('overview-survey-version-2');

  await page.selectOption('#survey', 'store-visit');
  await Promise.all([page.waitForFunction(() => !document.getElementById('status').textContent.includes('version')),
                     page.click('#filters button[type=submit]')]);
  await page.waitForFunction(() => !document.getElementById('survey-notice').hidden);
  expectTilesEqual(await readTiles(page), all.overall);
  await page.goto(`${hub.url}/?from=${from}&to=${today}`);
  await waitLoaded(page);
});

test('every tab shows its figures and each CSV download equals the table shown', async () => {
  const stats = await getJson(hub, `/v1/stats?from=${from}&to=${today}`, hub.officeToken);
  const tabs = { overview: ['scores'], signins: ['daily'], journey: ['stages', 'transitions'],
                 feedback: ['reasons', 'comments'], fleet: ['fleet'], sources: ['sources', 'rejections', 'sourceHours'] };
  const callsBefore = dataCalls;
  for (const [tab, tables] of Object.entries(tabs)) {
    await page.click(`#tabs a[data-tab="${tab}"]`);
    assert.ok(await page.locator(`#tab-${tab}`).isVisible(), tab);
    for (const name of tables) {
      const shown = await tableRows(page, name);
      const csv = await downloadCsv(name);
      assert.deepEqual(csv[0], shown.head, `${name} header`);
      assert.deepEqual(csv.slice(1).map((r) => r.map(unguard)), shown.rows, `${name} rows`);
    }
    // Usable on a laptop: nothing wider than the window.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${tab} scrolls sideways by ${overflow}px`);
    await shoot(`tab-${tab}`);
  }
  assert.equal(dataCalls, callsBefore, 'switching tabs shows what was loaded, without asking the hub again');

  const stages = await tableRows(page, 'stages');
  for (const row of stages.rows) assert.equal(row[1], String(stats.stages[row[0]] || 0), row[0]);
  const inStore = (await tableRows(page, 'transitions')).rows.filter((r) => r[2] === 'in_store_kiosk');
  assert.ok(inStore.length > 0, 'in-store touchpoints moved profiles between stages');
  const reasons = await tableRows(page, 'reasons');
  assert.deepEqual(reasons.rows.map((r) => [r[0], Number(r[1])]), stats.reasons.map((r) => [r.reason, r.count]));
  const comments = await tableRows(page, 'comments');
  assert.ok(comments.rows.length > 0);
  for (const row of comments.rows) {
    assert.doesNotMatch(row[3], /@/, 'no e-mail address in a comment');
    assert.doesNotMatch(row[3], /\d{3}\D?\d{3}\D?\d{4}/, 'no phone number in a comment');
  }

  const fleet = await getJson(hub, '/v1/fleet', hub.officeToken);
  const kiosks = await tableRows(page, 'fleet');
  assert.equal(kiosks.rows.length, fleet.kiosks.length);
  const byId = new Map(kiosks.rows.map((r, i) => [r[0], { row: r, cls: kiosks.classes[i] }]));
  assert.equal(kiosks.head[11], 'Welcome lookups');
  // Every column, the welcome lookups too, is on screen at 1366x768 without scrolling the table sideways.
  await page.click('#tabs a[data-tab="fleet"]');
  const hidden = await page.locator('table[data-table="fleet"]')
    .evaluate((t) => t.parentElement.scrollWidth - t.parentElement.clientWidth);
  assert.ok(hidden <= 0, `the fleet table scrolls sideways by ${hidden}px`);
  for (const k of fleet.kiosks) {
    const { row } = byId.get(k.kiosk);
    assert.equal(row[1], k.store);
    assert.equal(row[6], String(k.queueDepth), k.kiosk);
    assert.equal(row[7], String(k.oldestPendingS), k.kiosk);
    assert.equal(row[11], String(k.welcomeLookups), k.kiosk);
    assert.equal(k.welcomeLookups, k.kiosk === WELCOME_KIOSK ? WELCOMES : 0, k.kiosk);
  }
  // The generator gives store-0002-k1 a clock 7 minutes fast and store-0004-k1 a failing uplink.
  assert.equal(byId.get('store-0002-k1').cls, 'failing');
  assert.match(byId.get('store-0002-k1').row[3], /clock off/);
  assert.equal(byId.get('store-0004-k1').cls, 'failing');
  assert.match(byId.get('store-0004-k1').row[3], /dead letters/);
  assert.equal(await page.locator('.tile[data-metric="fleet-failing"] .value').innerText(), '2');
});

test('bad filter input gets a clear message, not a broken page', async () => {
  await page.goto(`${hub.url}/?from=2026-02-30&to=${today}`);
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('Could not load'));
  assert.match(await page.locator('#status').innerText(), /from: expected a date YYYY-MM-DD/);
  await page.goto(`${hub.url}/?from=${from}&to=${today}`);
  await waitLoaded(page);
});

test('sign-out ends the session', async () => {
  const cookie = (await context.cookies()).find((c) => c.name === '__Host-tp_session');
  await Promise.all([page.waitForURL(/\/dashboard\/signin/), page.click('#signout')]);
  assert.equal((await context.cookies()).filter((c) => c.name === '__Host-tp_session').length, 0);
  const res = await get(hub, `/dashboard/api/data?from=${from}&to=${today}`, { Cookie: `__Host-tp_session=${cookie.value}` });
  assert.equal(res.status, 401, 'the old cookie no longer works');
  await page.goto(`${hub.url}/`);
  assert.equal(new URL(page.url()).pathname, '/dashboard/signin');
});

test('no JavaScript errors, failed requests or console errors on any page', () => {
  // The bad-filter test above makes the page report a 400 from the data call; the browser logs that
  // response as a console error, which is the one expected entry.
  const unexpected = consoleErrors.filter((e) => !/status of 400/.test(e) && e !== 'HTTP 400: /dashboard/api/data');
  assert.deepEqual(unexpected, []);
});
