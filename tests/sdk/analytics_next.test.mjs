// Segment's browser library (@segment/analytics-next, its UMD build from this folder's lockfile) in a page of a
// "shop" served on its own loopback origin, driven by playwright-core in Debian's Chromium, sending to a real
// touchpoint-hub over HTTPS with the public web write key: every call type reaches the hub and its profile
// timeline, anonymous then identified and alias join one profile, and a kiosk sign-in with the same e-mail
// (touchpointctl, sealed as the kiosk seals) joins the web journey. Nothing may leave the machine: every host
// but 127.0.0.1 is unresolvable in the browser and any request to one fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { getJson, get } from '../browser/hub_process.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const hub = JSON.parse(process.env.TOUCHPOINT_TEST_HUB || 'null');
assert.ok(hub, 'run through run.mjs (it starts the hub)');
hub.ca = fs.readFileSync(hub.caFile);
const ctlBin = process.env.TOUCHPOINTCTL;
assert.ok(ctlBin, 'TOUCHPOINTCTL names the touchpointctl executable');
const chromiumPath = process.env.TOUCHPOINT_CHROMIUM || '/usr/bin/chromium';
const umdDir = path.join(here, 'node_modules/@segment/analytics-next/dist/umd');
const libraryVersion = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/@segment/analytics-next/package.json'))).version;
const hubOrigin = `https://127.0.0.1:${hub.port}`;
const EMAIL = 'web.shopper@example.com';

let tmp, shop, shopOrigin, browser;
const offMachine = [];     // requests to any host but loopback
const failed = [];         // requests that got no answer (TLS, CORS, network)
const shopMisses = [];     // files the page asked the shop server for that it does not have
const hubExchanges = [];   // every answer the hub gave the library: {path, status, receipts, sent}

/// The shop: one page, and analytics-next's UMD bundle and its chunks at the path the bundle loads them from
/// (`<cdnURL>/analytics-next/bundles/`).
function shopPage() {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,">
<script src="/analytics-next/bundles/index.js"></script></head><body><h1>Shop</h1></body></html>`;
}

function startShop() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/shop/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(shopPage());
    }
    const m = /^\/analytics-next\/bundles\/([\w.-]+\.js)$/.exec(url.pathname);
    if (m && fs.existsSync(path.join(umdDir, m[1]))) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(fs.readFileSync(path.join(umdDir, m[1])));
    }
    shopMisses.push(url.pathname);
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/// base64 SHA-256 of the certificate's public key: Chromium trusts the hub's self-signed certificate by it
/// and keeps verifying every other one.
function spkiHash(certPem) {
  const spki = new crypto.X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(spki).digest('base64');
}

/// A visitor: its own browser context (own cookies and storage, so its own anonymousId) on the shop page, with
/// analytics-next loaded from the shop and pointed at the hub. Settings are given inline: no CDN is asked.
async function visitor() {
  const context = await browser.newContext();
  context.on('request', (req) => {
    const host = new URL(req.url()).hostname;
    if (host !== '127.0.0.1') offMachine.push(req.url());
  });
  context.on('requestfailed', (req) => failed.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  context.on('response', async (res) => {
    if (!res.url().startsWith(hubOrigin)) return;
    const exchange = { path: new URL(res.url()).pathname, status: res.status(), sent: res.request().postDataJSON() };
    hubExchanges.push(exchange);
    try {
      exchange.receipts = (await res.json()).receipts;
      exchange.allowOrigin = (await res.allHeaders())['access-control-allow-origin'];
    } catch (e) {
      exchange.receipts = `unreadable: ${e.message}`;
    }
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${shopOrigin}/shop/`);
  await page.evaluate(async ({ writeKey, apiHost, cdnURL }) => {
    const [analytics] = await window.AnalyticsNext.AnalyticsBrowser.load({
      writeKey, cdnURL,
      cdnSettings: { integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'https' } },
                     // The library's own telemetry about itself is not shop traffic: off.
                     metrics: { sampleRate: 0 } },
    });
    window.analytics = analytics;
  }, { writeKey: hub.webKey, apiHost: `127.0.0.1:${hub.port}/v1`, cdnURL: shopOrigin });
  return { context, page, errors };
}

/// Waits (bounded) until the hub has answered `n` requests and their bodies were read.
async function hubAnswers(n) {
  for (let i = 0; i < 200 && !(hubExchanges.length >= n && hubExchanges.every((e) => e.receipts)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(hubExchanges.length, n, `the hub answered ${hubExchanges.length} requests, expected ${n}; failed:\n${failed.join('\n')}`);
}

async function lookup(email) {
  const found = await getJson(hub, `/v1/profiles/lookup?email=${encodeURIComponent(email)}`, hub.staffToken);
  assert.equal(found.found, true, `a profile for ${email}`);
  return found;
}

async function sourceCounts(source) {
  const res = await get(hub, '/metrics', { Authorization: `Bearer ${hub.officeToken}` });
  assert.equal(res.status, 200);
  const counts = {};
  for (const line of res.body.split('\n')) {
    const m = /^touchpoint_hub_source_messages_total\{source="([^"]*)",status="(\w+)"\} (\d+)/.exec(line);
    if (m && m[1] === source) counts[m[2]] = Number(m[3]);
  }
  return counts;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-sdk-next-'));
  shop = await startShop();
  shopOrigin = `http://127.0.0.1:${shop.address().port}`;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync',
           `--ignore-certificate-errors-spki-list=${spkiHash(hub.ca)}`,
           // Any other host fails to resolve: a hidden CDN call cannot leave the machine, and is caught below.
           '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (shop) shop.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('every call type from the browser reaches the hub; anonymous, identified and aliased ids join one profile', async () => {
  // An earlier visit under another user id (the shop's old account id), later aliased to the shopper.
  const legacy = await visitor();
  await legacy.page.evaluate(async () => {
    await window.analytics.identify('legacy-web-1');
    await window.analytics.track('Wishlist Added', { sku: 'SKU-9' });
  });
  // The shopper: anonymous browsing, then signs in on the site.
  const shopper = await visitor();
  const anonymousId = await shopper.page.evaluate(async (email) => {
    await window.analytics.page();
    await window.analytics.track('Product Viewed', { sku: 'SKU-1', price: 19.99 });
    const anonymous = window.analytics.user().anonymousId();
    await window.analytics.identify('web-shopper-1', { email, firstName: 'Webb' });
    await window.analytics.group('acme', { name: 'Acme Corp', employees: 120 });
    await window.analytics.track('Order Completed', { total: 42.5, currency: 'USD' });
    await window.analytics.alias('web-shopper-1', 'legacy-web-1');
    return anonymous;
  }, EMAIL);
  await hubAnswers(8);

  assert.deepEqual(offMachine, [], 'no request left the machine');
  assert.deepEqual(failed, [], 'every request was answered');
  assert.deepEqual(shopMisses, [], 'the page asked the shop for nothing it lacks');
  assert.deepEqual([...legacy.errors, ...shopper.errors], [], 'no page errors');
  for (const e of hubExchanges) {
    assert.equal(e.status, 200, `${e.path}: ${JSON.stringify(e.receipts)}`);
    assert.equal(e.allowOrigin, '*', `${e.path} is readable by the page`);
    assert.ok(Array.isArray(e.receipts) && e.receipts.length === 1, `${e.path}: ${JSON.stringify(e.receipts)}`);
    assert.equal(e.receipts[0].status, 'accepted', `${e.path}: ${JSON.stringify(e.receipts[0])}`);
    assert.equal(e.receipts[0].messageId, e.sent.messageId);
    assert.equal(e.sent.context.library.name, 'analytics.js');
    assert.match(e.sent.context.library.version, new RegExp(`next-${libraryVersion.replaceAll('.', '\\.')}$`));
  }
  assert.deepEqual(hubExchanges.map((e) => e.path).sort(),
                   ['/v1/a', '/v1/g', '/v1/i', '/v1/i', '/v1/p', '/v1/t', '/v1/t', '/v1/t']);
  const sentByShopper = hubExchanges.filter((e) => e.sent.anonymousId === anonymousId);
  assert.equal(sentByShopper.length, 6, 'the shopper\'s six calls carry its anonymousId');

  const found = await lookup(EMAIL);
  const timeline = await getJson(hub, `/v1/profiles/${found.profileId}/timeline`, hub.officeToken);
  const seen = timeline.touchpoints.map((t) => `${t.type}@${t.channel}`).sort();
  assert.deepEqual(seen, ['alias@web', 'group@web', 'identify@web', 'identify@web', 'page@web', 'track@web',
                          'track@web', 'track@web']);
  const events = timeline.touchpoints.filter((t) => t.type === 'track').map((t) => t.event).sort();
  assert.deepEqual(events, ['Order Completed', 'Product Viewed', 'Wishlist Added'],
                   'the anonymous view and the aliased account\'s wishlist joined the signed-in shopper');
  assert.deepEqual(timeline.groups.map((g) => [g.groupId, g.traits.name]), [['acme', 'Acme Corp']]);
  assert.deepEqual(timeline.channels.map((c) => c.channel), ['web']);

  // Nothing was refused in silence: the web key's counts equal what the page sent.
  const counts = await sourceCounts(hub.webKeyName);
  assert.equal(counts.accepted, 8, JSON.stringify(counts));
  assert.equal(counts.rejected ?? 0, 0, JSON.stringify(counts));
  assert.equal(counts.duplicate ?? 0, 0, JSON.stringify(counts));

  // The hub kept the SDK that sent them.
  const exported = await getJson(hub, '/v1/export/events?format=json', hub.officeToken);
  const mine = exported.filter((m) => hubExchanges.some((e) => e.sent.messageId === m.messageId));
  assert.equal(mine.length, 8);
  for (const m of mine) {
    assert.equal(m.channel, 'web');
    assert.deepEqual(m.payload.context.library, { name: 'analytics.js', version: `next-${libraryVersion}` });
  }

  await legacy.context.close();
  await shopper.context.close();
});

test('a kiosk sign-in with the e-mail the shopper uses online shows the web journey to staff and head office', async () => {
  const before = await lookup(EMAIL);
  // The kiosk's own programs: the sign-in is sealed to the hub's key in the kiosk's outbox, then drained.
  const config = path.join(tmp, 'kiosk.toml');
  fs.writeFileSync(config, [
    '[device]', 'store_id = "store-1"', 'kiosk_id = "kiosk-1"', 'time_zone = "America/New_York"', 'phone_region = "US"',
    '[outbox]', `path = "${path.join(tmp, 'outbox.db')}"`,
    '[privacy]', `sealing_public_key = "${fs.readFileSync(hub.sealingKeyFile, 'utf8').trim()}"`,
    `identity_hash_key = "${crypto.randomBytes(32).toString('base64')}"`, ''].join('\n'));
  await run(ctlBin, ['--config', config, 'enqueue', 'signin', '--email', EMAIL]);
  const drained = JSON.parse((await run(ctlBin, ['--config', config, 'drain', '--hub', hubOrigin, '--token', hub.kioskToken,
                                                 '--ca', hub.caFile, '--json'])).stdout);
  assert.equal(drained.eventsRejected, 0, JSON.stringify(drained));
  assert.ok(drained.eventsSent >= 1, JSON.stringify(drained));
  assert.equal(drained.pendingAfter, 0, JSON.stringify(drained));

  const found = await lookup(EMAIL);
  assert.equal(found.profileId, before.profileId, 'the sign-in joined the web shopper\'s profile');
  assert.deepEqual([...found.channels].sort(), ['in_store_kiosk', 'web']);
  assert.ok(found.lastVisits.web && found.lastVisits.in_store_kiosk, JSON.stringify(found.lastVisits));

  const timeline = await getJson(hub, `/v1/profiles/${found.profileId}/timeline`, hub.officeToken);
  const kiosk = timeline.touchpoints.filter((t) => t.channel === 'in_store_kiosk');
  assert.ok(kiosk.some((t) => t.event === 'Loyalty Signed In' && t.store === 'store-1' && t.kiosk === 'kiosk-1'),
            JSON.stringify(kiosk));
  const web = timeline.touchpoints.filter((t) => t.channel === 'web');
  assert.ok(web.some((t) => t.type === 'page'), 'the web page view is on the timeline');
  assert.deepEqual(web.filter((t) => t.type === 'track').map((t) => t.event).sort(),
                   ['Order Completed', 'Product Viewed', 'Wishlist Added']);
  assert.deepEqual(timeline.channels.map((c) => c.channel), ['web', 'in_store_kiosk']);
});
