// Starts one real touchpoint-hub, then runs the SDK suites in a child node whose NODE_EXTRA_CA_CERTS names the
// hub's certificate (Node reads that variable only at start, so the certificate must exist first). The hub's
// address and tokens reach the suites in TOUCHPOINT_TEST_HUB.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHub, stopHub } from '../browser/hub_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const hubBin = process.env.TOUCHPOINT_HUB;
if (!hubBin) throw new Error('TOUCHPOINT_HUB names the touchpoint-hub executable');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-sdk-'));
const logFile = path.join(process.env.TOUCHPOINT_ARTIFACTS || dir, 'sdk-hub.log');
fs.mkdirSync(path.dirname(logFile), { recursive: true });
const hub = await startHub({ hubBin, dir, logFile });
let code = 1;
try {
  // analytics-node is a server library: it sends with the retailer's server write key, as a back end would.
  const added = await promisify(execFile)(hubBin, ['token', 'add', '--config', path.join(hub.hubDir, 'hub.toml'),
                                                  '--kind', 'server', '--name', 'shop-backend']);
  const serverKey = added.stdout.trim();
  if (!serverKey) throw new Error(`no server key from token add:\n${added.stderr}`);
  // analytics-next runs in the shop's pages: it sends with the public web write key.
  const web = await promisify(execFile)(hubBin, ['token', 'add', '--config', path.join(hub.hubDir, 'hub.toml'),
                                                '--kind', 'web', '--name', 'shop-web']);
  const webKey = web.stdout.trim();
  if (!webKey) throw new Error(`no web key from token add:\n${web.stderr}`);
  const info = { port: hub.port, serverKey, webKey, webKeyName: 'shop-web', kioskToken: hub.kioskToken,
                 officeToken: hub.officeToken, staffToken: hub.staffToken, caFile: hub.caFile,
                 hubDir: hub.hubDir, sealingKeyFile: hub.sealingKeyFile };
  const suites = process.argv.slice(2).map((f) => path.join(here, f));
  const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...suites], {
    stdio: 'inherit', cwd: here,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: hub.caFile, TOUCHPOINT_TEST_HUB: JSON.stringify(info) },
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearTimeout(timer);
} finally {
  await stopHub(hub);
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
