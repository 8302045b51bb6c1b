// Starts a real touchpoint-hub for the browser tests: `init` into a temp dir, serve on an ephemeral port,
// load it with touchpoint-datagen, and talk to its API over verified HTTPS.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/// `configure(hubDir)`, when given, runs after `init` and before the hub starts (to add settings or files).
export async function startHub({ hubBin, dir, logFile, configure }) {
  const hubDir = path.join(dir, 'hub');
  const init = await run(hubBin, ['init', '--dir', hubDir, '--port', '0']);
  if (configure) await configure(hubDir);
  const kioskToken = /^token = "([^"]+)"/m.exec(init.stdout)?.[1];
  const officeToken = /^# token: (\S+)/m.exec(init.stdout)?.[1];
  const staffToken = /^staff_token = "([^"]+)"/m.exec(init.stdout)?.[1];
  if (!kioskToken || !officeToken) throw new Error(`could not read the tokens from init:\n${init.stdout}`);

  const log = fs.createWriteStream(logFile);
  const proc = spawn(hubBin, ['--config', path.join(hubDir, 'hub.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${seen}`)), 60000);
    proc.stderr.on('data', (chunk) => {
      log.write(chunk);
      seen += chunk.toString();
      const m = /msg=listening .*port=(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening:\n${seen}`));
    });
  });
  return {
    proc, port, hubDir, hubBin, kioskToken, officeToken, staffToken,
    url: `https://127.0.0.1:${port}`,
    ca: fs.readFileSync(path.join(hubDir, 'hub-cert.pem')),
    caFile: path.join(hubDir, 'hub-cert.pem'),
    sealingKeyFile: path.join(hubDir, 'sealing-public.key'),
    // What `init` prints for a kiosk.toml ([hub] url, tokens, ca_file; [privacy] keys), for writeKioskToml.
    kioskSnippet: /^\[hub\][\s\S]*?^identity_hash_key = "[^"]*"$/m.exec(init.stdout)?.[0] ?? '',
  };
}

/// A kiosk.toml for the real touchpoint-kiosk pointed at `hub` with the tokens, certificate and keys `init`
/// made (bound to store-1 / kiosk-1), as packaging/dev-run.sh writes one; `hubLines` are added to [hub].
export function writeKioskToml(hub, { file, dir, assetsDir, hubLines = '' }) {
  if (!hub.kioskSnippet) throw new Error('the hub\'s init output had no kiosk settings');
  const [hubPart, privacyPart] = hub.kioskSnippet.split(/^\[privacy\]$/m);
  const text = ['[device]', 'store_id = "store-1"', 'kiosk_id = "kiosk-1"', 'time_zone = "UTC"', 'phone_region = "US"', '',
    '[outbox]', `path = "${path.join(dir, 'outbox.db')}"`, '',
    '[privacy]', privacyPart.trim(), '',
    // init was told port 0: the URL is where this hub listens.
    hubPart.trim().replace(/^url = ".*"$/m, `url = "${hub.url}"`), hubLines, '',
    '[ui]', `assets_dir = "${assetsDir}"`, 'fullscreen = false', 'width = 1920', 'height = 1080', ''].join('\n');
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

export async function stopHub(hub) {
  if (!hub || hub.proc.exitCode !== null) return;
  const exited = new Promise((resolve) => hub.proc.on('exit', resolve));
  hub.proc.kill('SIGTERM');
  const timer = setTimeout(() => hub.proc.kill('SIGKILL'), 20000);
  await exited;
  clearTimeout(timer);
}

/// GET over HTTPS verified against the hub's own certificate; returns {status, headers, body}.
export function get(hub, urlPath, headers = {}) {
  return bodiless('GET', hub, urlPath, headers);
}

/// DELETE, likewise.
export function del(hub, urlPath, headers = {}) {
  return bodiless('DELETE', hub, urlPath, headers);
}

function bodiless(method, hub, urlPath, headers) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: hub.port, path: urlPath, method, ca: hub.ca,
                                servername: 'localhost', headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/// POST a JSON body (an object, or text as it is) over verified HTTPS; returns {status, body}.
export function post(hub, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = https.request({ host: '127.0.0.1', port: hub.port, path: urlPath, method: 'POST', ca: hub.ca,
                                servername: 'localhost',
                                headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/// `touchpoint-hub token add` on the hub's config: the new token's text.
export async function addToken(hub, name, kind, role) {
  const args = ['token', 'add', '--config', path.join(hub.hubDir, 'hub.toml'), '--name', name, '--kind', kind];
  if (role) args.push('--role', role);
  const { stdout } = await run(hub.hubBin, args);
  return stdout.trim();
}

/// Debian's Chromium through playwright-core, headless, with its own profile in `profileDir`, and the first
/// page; every console error, page error, HTTP status >= 400 and failed request is pushed to `problems`.
export async function launchChromium(chromium, { executablePath, profileDir, problems }) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    ignoreHTTPSErrors: true,  // the hub's certificate is self-signed and made by `init` in this run
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${new URL(res.url()).pathname}`); });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  return { context, page };
}

export async function getJson(hub, urlPath, token) {
  const res = await get(hub, urlPath, token ? { Authorization: `Bearer ${token}` } : {});
  if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${res.body}`);
  return JSON.parse(res.body);
}

/// RFC 4180 CSV -> rows of cells.
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r') { /* CRLF: the \n ends the row */ }
    else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// A kiosk token speaks for one store and kiosk only: every simulated kiosk gets its own (made once per hub
// and kept in a --tokens file), and the web and app traffic write keys of those kinds.
async function datagenTokens({ datagenBin, hub, args }) {
  const file = path.join(hub.hubDir, 'datagen-tokens.txt');
  const known = new Map(fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' '))
    : []);
  const add = async (sender, extra) => {
    if (known.has(sender)) return;
    const { stdout } = await run(hub.hubBin, ['token', 'add', '--config', path.join(hub.hubDir, 'hub.toml'),
      '--name', `datagen-${sender}`, ...extra]);
    known.set(sender, stdout.trim());
  };
  const { stdout } = await run(datagenBin, ['--list-kiosks', '--sealing-key-file', hub.sealingKeyFile, ...args]);
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [store, kiosk] = line.split(' ');
    await add(kiosk, ['--kind', 'kiosk', '--store', store, '--kiosk', kiosk]);
  }
  for (const kind of ['web', 'app']) await add(kind, ['--kind', kind]);
  fs.writeFileSync(file, [...known].map(([sender, token]) => `${sender} ${token}\n`).join(''));
  return file;
}

export async function runDatagen({ datagenBin, hub, args }) {
  const tokens = await datagenTokens({ datagenBin, hub, args: args.filter((a) => a !== '--dry-run') });
  const { stdout } = await run(datagenBin, [
    '--hub', hub.url, '--tokens', tokens, '--ca', hub.caFile, '--sealing-key-file', hub.sealingKeyFile,
    '--json', ...args], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}
