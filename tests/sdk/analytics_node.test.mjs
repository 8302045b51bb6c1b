// Segment's own server SDK (@segment/analytics-node, from this folder's lockfile) against a real touchpoint-hub
// over verified HTTPS on loopback: every call type in batches, nothing rejected, and the identity flows join
// one profile. The hub's certificate is trusted through NODE_EXTRA_CA_CERTS (run.mjs sets it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Analytics } from '@segment/analytics-node';
import os from 'node:os';
import path from 'node:path';
import { addToken, getJson, get, startHub, stopHub } from '../browser/hub_process.mjs';

// Started by run.mjs, which also set NODE_EXTRA_CA_CERTS to the hub's certificate.
const hub = JSON.parse(process.env.TOUCHPOINT_TEST_HUB || 'null');
assert.ok(hub, 'run through run.mjs (it starts the hub)');
hub.ca = fs.readFileSync(hub.caFile);

/// An SDK client on the hub, recording every HTTP exchange it makes.
function client(options = {}) {
  const analytics = new Analytics({ writeKey: hub.serverKey, host: `https://localhost:${hub.port}`, path: '/v1/batch',
                                    flushInterval: 200, maxRetries: 2, ...options });
  const exchanges = [];
  // Batches are sent side by side: a response is matched to its request by the body it answers.
  analytics.on('http_request', (r) => exchanges.push({ body: r.body, request: JSON.parse(r.body) }));
  analytics.on('http_response', (r) => { exchanges.find((e) => e.body === r.body && !e.status).status = r.status; });
  const errors = [];
  analytics.on('error', (e) => errors.push(e));
  return { analytics, exchanges, errors };
}

async function profileOf(email) {
  const found = await getJson(hub, `/v1/profiles/lookup?email=${encodeURIComponent(email)}`, hub.staffToken);
  assert.equal(found.found, true, `a profile for ${email}`);
  return getJson(hub, `/v1/profiles/${found.profileId}/timeline`, hub.officeToken);
}

async function metric(pattern) {
  const res = await get(hub, '/metrics', { Authorization: `Bearer ${hub.officeToken}` });
  assert.equal(res.status, 200);
  return res.body.split('\n').filter((l) => pattern.test(l));
}

test('every call type arrives in batches and none is rejected', async () => {
  const { analytics, exchanges, errors } = client({ maxEventsInBatch: 3 });
  const userId = 'node-user-1';
  analytics.identify({ userId, traits: { email: 'node.one@example.com', firstName: 'Node' } });
  analytics.track({ userId, event: 'Order Completed', properties: { total: 42.5, currency: 'USD' } });
  analytics.page({ userId, name: 'Checkout', properties: { path: '/checkout' } });
  analytics.screen({ userId, name: 'Cart' });
  analytics.group({ userId, groupId: 'acme', traits: { name: 'Acme Corp', employees: 120 } });
  analytics.track({ userId, event: 'Product Viewed', timestamp: new Date(Date.now() - 60_000) });
  analytics.alias({ previousId: 'node-anon-legacy', userId });
  await analytics.closeAndFlush({ timeout: 20_000 });

  assert.deepEqual(errors, []);
  assert.ok(exchanges.length >= 3, `7 calls in batches of 3 make at least 3 requests (${exchanges.length})`);
  for (const e of exchanges) {
    assert.equal(e.status, 200);
    assert.ok(e.request.batch.length <= 3);
  }
  const timeline = await profileOf('node.one@example.com');
  const seen = timeline.touchpoints.map((t) => `${t.type}@${t.channel}`).sort();
  assert.deepEqual(seen, ['alias@server', 'group@server', 'identify@server', 'page@server', 'screen@app',
                          'track@server', 'track@server']);
  assert.deepEqual(timeline.groups.map((g) => [g.groupId, g.traits.name]), [['acme', 'Acme Corp']]);
  assert.deepEqual(await metric(/^touchpoint_hub_source_messages_total\{.*status="rejected"\}/), []);
});

test('anonymous then identified with one email joins one profile; alias joins an earlier id', async () => {
  const { analytics, errors } = client();
  analytics.track({ anonymousId: 'anon-shopper-7', event: 'Product Viewed', properties: { sku: 'A1' } });
  analytics.identify({ anonymousId: 'anon-shopper-7', userId: 'shopper-7', traits: { email: 'Shopper.Seven@Example.com' } });
  analytics.track({ userId: 'legacy-7', event: 'Wishlist Added' });
  analytics.alias({ previousId: 'legacy-7', userId: 'shopper-7' });
  await analytics.closeAndFlush({ timeout: 20_000 });
  assert.deepEqual(errors, []);

  const timeline = await profileOf('shopper.seven@example.com');
  const types = timeline.touchpoints.map((t) => t.type).sort();
  assert.deepEqual(types, ['alias', 'identify', 'track', 'track']);
  const events = timeline.touchpoints.filter((t) => t.type === 'track').map((t) => t.event).sort();
  assert.deepEqual(events, ['Product Viewed', 'Wishlist Added'], 'the anonymous view and the aliased id joined');
});

async function duplicates() {
  const lines = await metric(/^touchpoint_hub_source_messages_total\{.*status="duplicate"\}/);
  return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

test('a batch whose answer is lost is retried by the SDK and stored once', async () => {
  // The first answer is read and then thrown away, as when a connection drops after the hub committed: the
  // SDK retries the same batch, and the hub's messageId dedupe keeps one copy.
  let calls = 0;
  const lossyFetch = async (url, init) => {
    const res = await fetch(url, init);
    calls += 1;
    if (calls === 1) {
      await res.text();
      throw new TypeError('fetch failed: connection reset after the hub answered');
    }
    return res;
  };
  const before = await duplicates();
  const { analytics, exchanges, errors } = client({ httpClient: lossyFetch });
  analytics.identify({ userId: 'retry-user', traits: { email: 'retry.user@example.com' } });
  analytics.track({ userId: 'retry-user', event: 'Retry Probe' });
  await analytics.closeAndFlush({ timeout: 20_000 });
  assert.deepEqual(errors, []);
  assert.equal(calls, 2, 'one retry');
  assert.equal(exchanges.length, 2);
  assert.deepEqual(exchanges[1].request.batch.map((m) => m.messageId), exchanges[0].request.batch.map((m) => m.messageId),
                   'the retry resent the same messages');
  assert.equal(await duplicates() - before, 2, 'the resent copies were answered as duplicates');
  const timeline = await profileOf('retry.user@example.com');
  assert.equal(timeline.touchpoints.filter((t) => t.event === 'Retry Probe').length, 1);
});

test('a hub at its rate limit answers 429 with Retry-After; the SDK waits, resends, and each message is stored once',
     async () => {
  // A second hub whose tokens may send one request a second, serving the first hub's certificate (the one
  // NODE_EXTRA_CA_CERTS names: Node reads it only at start).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-sdk-limited-'));
  const limited = await startHub({
    hubBin: process.env.TOUCHPOINT_HUB, dir, logFile: path.join(dir, 'hub.log'),
    configure: (hubDir) => {
      fs.appendFileSync(path.join(hubDir, 'hub.toml'), '\n[limits]\nper_token_per_second = 1\nper_token_burst = 1\n');
      fs.copyFileSync(path.join(hub.hubDir, 'hub-cert.pem'), path.join(hubDir, 'hub-cert.pem'));
      fs.copyFileSync(path.join(hub.hubDir, 'hub-key.pem'), path.join(hubDir, 'hub-key.pem'));
    },
  });
  try {
    const key = await addToken(limited, 'limited-backend', 'server');
    const analytics = new Analytics({ writeKey: key, host: `https://localhost:${limited.port}`, path: '/v1/batch',
                                      flushInterval: 50, maxEventsInBatch: 1, maxRetries: 2 });
    const statuses = [];
    analytics.on('http_response', (r) => statuses.push(r.status));
    const errors = [];
    analytics.on('error', (e) => errors.push(e));
    for (let i = 0; i < 4; ++i) {
      analytics.track({ userId: 'limited-user', event: 'Limited Probe', properties: { n: i } });
    }
    analytics.identify({ userId: 'limited-user', traits: { email: 'limited.user@example.com' } });
    await analytics.closeAndFlush({ timeout: 60_000 });

    assert.deepEqual(errors, [], 'nothing given up: a 429 with Retry-After does not use up maxRetries');
    assert.ok(statuses.includes(429), `the hub refused some requests (${statuses})`);
    assert.equal(statuses.filter((s) => s === 200).length, 5, `each of the five batches accepted once (${statuses})`);
    // The head-office and staff tokens have the same one-a-second limit: wait as the hub says.
    const probe = { ...limited, ca: fs.readFileSync(limited.caFile) };
    const patient = async (urlPath, token) => {
      for (;;) {
        const res = await get(probe, urlPath, { Authorization: `Bearer ${token}` });
        if (res.status !== 429) return res;
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(res.headers['retry-after'] || 1)));
      }
    };
    const found = JSON.parse((await patient('/v1/profiles/lookup?email=limited.user%40example.com',
                                            limited.staffToken)).body);
    assert.equal(found.found, true);
    const timeline = JSON.parse((await patient(`/v1/profiles/${found.profileId}/timeline`, limited.officeToken)).body);
    const probes = timeline.touchpoints.filter((t) => t.event === 'Limited Probe');
    assert.equal(probes.length, 4, 'every probe stored once');
    const metrics = await patient('/metrics', limited.officeToken);
    assert.match(metrics.body,
                 /^touchpoint_hub_http_refusals_by_source_total\{source="limited-backend",reason="rate_limited_token"\} [1-9]/m,
                 'the refusals are counted against the key');
  } finally {
    await stopHub(limited);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
