// Head office to kiosk window and back, with the real programs (label e2e): a real touchpoint-hub; in
// Debian's Chromium a manager rewords a survey question on the Surveys & fleet tab, publishes it for every
// kiosk; the real touchpoint-kiosk under Xvfb fetches it at start, applies it (a script waits for exactly that
// config version), and a shopper answers the survey on screen. Then the hub's /v1/fleet and the fleet tab show
// the kiosk running the published version, and /v1/stats and the survey selector count the answer under the
// new survey version and not the old one. Screenshots (dashboard and every kiosk step) go to $TOUCHPOINT_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHub, stopHub, getJson, post, addToken, launchChromium, writeKioskToml } from './hub_process.mjs';

const hubBin = process.env.TOUCHPOINT_HUB;
const kioskBin = process.env.TOUCHPOINT_KIOSK;
const artifacts = process.env.TOUCHPOINT_ARTIFACTS || path.join(os.tmpdir(), 'touchpoint-browser-artifacts', 'fleet-e2e');
const chromiumPath = process.env.TOUCHPOINT_CHROMIUM || '/usr/bin/chromium';
const assetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets');
assert.ok(hubBin, 'set TOUCHPOINT_HUB to the built touchpoint-hub');
assert.ok(kioskBin, 'set TOUCHPOINT_KIOSK to the built touchpoint-kiosk');

const REWORDED = 'How likely are you to recommend this store to a friend?';
const KIOSK_TIMEOUT_MS = 75000;

let tmp, hub, context, page, managerToken, firstVersion, published;
const problems = [];

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
            'survey.q.why': 'What went wrong?', 'survey.opt.queue': 'The queue' },
      es: { 'survey.autumn.title': 'Visita de otoño', 'survey.q.nps': '¿Nos recomendaría?',
            'survey.q.why': '¿Qué salió mal?', 'survey.opt.queue': 'La cola' },
    },
    settings: { languages: ['en', 'es'], defaultLanguage: 'en' },
  };
}

async function shoot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function rows(table) {
  return page.locator(table).evaluate((t) => Array.from(t.tBodies[0].rows).filter((r) => !r.querySelector('td.empty'))
    .map((r) => ({ data: { ...r.dataset }, cells: Array.from(r.cells).map((c) => c.textContent) })));
}

/// Polls `probe` (an async function returning a value or undefined) until it answers or `ms` pass.
async function eventually(what, ms, probe) {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (last.ok) return last.value;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms; last seen ${JSON.stringify(last.seen)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/// The real kiosk under a private X server, playing `script`; resolves with its exit code and log.
function runKiosk({ config, script, shots, logFile }) {
  return new Promise((resolve, reject) => {
    const log = fs.createWriteStream(logFile);
    // Its own process group, so a timeout ends xvfb-run, Xvfb and the kiosk together.
    const proc = spawn('xvfb-run', ['-a', '-s', '-screen 0 1920x1080x24', kioskBin, '--config', config,
      '--script', script, '--screenshot-dir', shots], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
    const timer = setTimeout(() => {
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ }
      reject(new Error(`the kiosk did not finish its script within ${KIOSK_TIMEOUT_MS} ms (log: ${logFile})`));
    }, KIOSK_TIMEOUT_MS);
    proc.on('error', (err) => { clearTimeout(timer); reject(err); });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      log.end(() => resolve({ code, signal, log: fs.readFileSync(logFile, 'utf8') }));
    });
  });
}

before(async () => {
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'touchpoint-fleet-e2e-'));
  hub = await startHub({ hubBin, dir: tmp, logFile: path.join(artifacts, 'hub.log') });
  managerToken = await addToken(hub, 'mo-manager', 'head-office', 'manager');
  // What the kiosks ran until today: head office's first document, for every store.
  const first = await post(hub, '/v1/fleet/documents', { name: 'autumn', document: firstDocument(), assign: { scope: 'all' } },
    { Authorization: `Bearer ${managerToken}` });
  assert.equal(first.status, 201, first.body);
  firstVersion = JSON.parse(first.body).configVersion;
  ({ context, page } = await launchChromium(chromium, { executablePath: chromiumPath,
                                                        profileDir: path.join(tmp, 'chromium-profile'), problems }));
});

after(async () => {
  if (context) await context.close();
  await stopHub(hub);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a manager rewords a question on the dashboard and publishes it for every kiosk', async () => {
  await page.goto(`${hub.url}/dashboard/signin`);
  await page.fill('#token', managerToken);
  await Promise.all([page.waitForURL(`${hub.url}/`), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true');
  await page.click('#tabs a[data-tab="surveys"]');
  await page.waitForFunction(() => document.getElementById('tab-surveys').dataset.loaded === 'true');

  await page.click(`#fleet-documents tr[data-config-version="${firstVersion}"]`);
  await page.waitForFunction((v) => document.getElementById('fleet-editor').dataset.configVersion === String(v), firstVersion);
  const question = page.locator('#fleet-editor input[data-path="texts.en.survey.q.nps"]');
  assert.equal(await question.inputValue(), 'How likely are you to recommend us?');
  await question.fill(REWORDED);
  await page.waitForFunction(() => {
    const s = document.getElementById('tab-surveys');
    return s.dataset.errors === '0' && Number(s.dataset.validated || 0) > 0;
  });
  await page.fill('#fleet-publish input[name="scope"]', 'all');
  await page.click('#fleet-publish-button');
  await page.waitForFunction(() => /^Published autumn revision 2 \(survey version 2\)/.test(document.getElementById('status').textContent));
  const [newest] = await rows('#fleet-documents');
  published = { configVersion: Number(newest.data.configVersion), surveyVersion: 2 };
  assert.ok(published.configVersion > firstVersion, JSON.stringify(newest));

  // The hub stored what the page sent, and every kiosk is now to run it.
  const stored = await getJson(hub, `/v1/fleet/documents/${published.configVersion}`, managerToken);
  assert.equal(stored.document.texts.en['survey.q.nps'], REWORDED);
  assert.equal(stored.surveyVersion, 2);
  const { assignments } = await getJson(hub, '/v1/fleet/assignments', managerToken);
  assert.ok(assignments.some((a) => a.scope === 'all' && a.configVersion === published.configVersion), JSON.stringify(assignments));
  await shoot('dashboard-published');
});

test('the real kiosk applies the published document and a shopper answers it on screen', async () => {
  assert.ok(published, 'the dashboard step published a document');
  const kioskDir = path.join(tmp, 'kiosk');
  fs.mkdirSync(kioskDir);
  const config = writeKioskToml(hub, { file: path.join(kioskDir, 'kiosk.toml'), dir: kioskDir, assetsDir });
  const script = path.join(kioskDir, 'steps.txt');
  // The kiosk asks for its document as it starts and applies it on the attract screen; `applied` waits for
  // exactly the published config version, so the answer below is given to the reworded survey.
  fs.writeFileSync(script, [
    'await attract 20',
    `applied ${published.configVersion} 30`,
    'shot applied',
    'tap attract.start',
    'tap signin.skip',
    'await feedback 10',
    `shows ${REWORDED}`,
    'tap nps.9',
    'tap feedback.next',
    'await thankyou 10',
    'flush 30',
    'tap thanks.done',
    'expect attract',
    '',
  ].join('\n'));
  const shots = path.join(artifacts, 'kiosk');
  const run = await runKiosk({ config, script, shots, logFile: path.join(artifacts, 'kiosk.log') });
  assert.equal(run.code, 0, `kiosk exit ${run.code} (${run.signal}):\n${run.log}`);
  assert.doesNotMatch(run.log, /steps\.txt:\d+:/, run.log);
  assert.ok(fs.existsSync(path.join(shots, '003-applied.png')), fs.readdirSync(shots).join(', '));
});

test('the hub and the fleet tab show the kiosk up to date, and the answer counts under the new survey version', async () => {
  assert.ok(published, 'the dashboard step published a document');
  // The kiosk's heartbeat after applying reports the version it runs.
  const kiosk = await eventually('GET /v1/fleet shows kiosk-1 on the published version', 10000, async () => {
    const { kiosks } = await getJson(hub, '/v1/fleet', managerToken);
    const k = kiosks.find((x) => x.store === 'store-1' && x.kiosk === 'kiosk-1');
    return { ok: k?.configVersion === published.configVersion, value: k, seen: kiosks };
  });
  assert.equal(kiosk.expectedConfigVersion, published.configVersion);
  assert.equal(kiosk.configBehind, false);
  assert.equal(kiosk.configRefusal, '');

  await page.click('#fleet-refresh');
  await page.waitForFunction(() => document.querySelector('#fleet-kiosks tr[data-kiosk="store-1/kiosk-1"]')?.dataset.state === 'current',
    null, { timeout: 15000 });
  const [row] = (await rows('#fleet-kiosks')).filter((k) => k.data.kiosk === 'store-1/kiosk-1');
  assert.equal(row.cells[4], `autumn rev 2 (v${published.configVersion})`, 'runs');
  assert.equal(row.cells[5], `autumn rev 2 (v${published.configVersion})`, 'assigned');
  assert.equal(row.cells[6], 'up to date');
  assert.match(await page.locator('#fleet-config-summary').innerText(), /^1 kiosk: 1 current, 0 behind, 0 refused/);
  await shoot('dashboard-kiosk-up-to-date');

  // The one answer the window recorded: version 2 of the survey, nothing under version 1.
  const stats = (v) => getJson(hub, `/v1/stats?survey=autumn&surveyVersion=${v}`, managerToken);
  const now = await eventually('the answer in /v1/stats', 10000, async () => {
    const s = await stats(published.surveyVersion);
    return { ok: s.overall.nps.responses === 1, value: s, seen: s.overall.nps };
  });
  assert.equal(now.overall.nps.promoters, 1);
  assert.equal(now.overall.nps.score, 100);
  assert.deepEqual(now.surveyVersions, [{ surveyId: 'autumn', version: 2, responses: 1 }]);
  const before = await stats(1);
  assert.equal(before.overall.nps.responses, 0);
  // The dashboard's survey selector offers that version with its one answer, and no answers of version 1.
  await page.goto(`${hub.url}/`);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true');
  const options = await page.locator('#survey option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  const v2 = options.find(([value]) => value === 'autumn|2');
  assert.ok(v2, JSON.stringify(options));
  assert.match(v2[1], /\(1 answers\)$/);
  assert.equal(options.some(([value]) => value === 'autumn|1'), false, JSON.stringify(options));
  assert.deepEqual(problems, []);
});
