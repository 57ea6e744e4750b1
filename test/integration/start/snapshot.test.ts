/**
 * The sidecar's start-up snapshot, built as the image builds it (scripts/start/bundle.js,
 * then `node --build-snapshot`) with this node: it runs `sidecar` from the snapshot's own
 * heap with the settings of the run (not those of the build), hands every other command
 * line to the CLI file named on it, and refuses to be run as a plain script.
 */
import { spawn, spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../../helpers/wait';

jest.setTimeout(60_000);

const root = resolve(__dirname, '..', '..', '..');
let dir: string;
let blob: string;
let bundle: string;
/** Stands in for the CLI file on disk: prints the command line it was handed. */
let fakeCli: string;

const node = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

const SPEC = { version: 1, role: 'app', mountPath: '/run/sb-none', lifecycle: 'sidecar', rotateIntervalSeconds: 60, notify: { kind: 'none' }, secrets: [{ name: 'a', path: 'secret/data/a', file: 'a', format: 'json', mode: 0o440 }] };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-snapshot-'));
  bundle = join(dir, 'sidecar-snapshot.js');
  blob = join(dir, 'sidecar.blob');
  fakeCli = join(dir, 'cli.js');
  writeFileSync(fakeCli, "process.stdout.write(JSON.stringify({ cli: __filename, argv: process.argv.slice(2) }));\n");
  const bundled = node([join(root, 'scripts', 'start', 'bundle.js'), bundle]);
  if (bundled.status !== 0) throw new Error(`bundle: ${bundled.stderr}`);
  // Settings present while it is built must not be the ones it runs with: the runs below leave VAULT_ADDR out.
  const built = node(['--snapshot-blob', blob, '--build-snapshot', bundle], { VAULT_ADDR: 'https://build-time.invalid:8200', SECRETS_BROKER_SPEC: JSON.stringify(SPEC) });
  if (built.status !== 0) throw new Error(`build-snapshot: ${built.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([[['sidecar']], [['sidecar', '--once']]])('runs %j itself (not the CLI file), through the CLI\'s own checks: no Vault address exits 2 naming it', (argv) => {
  const r = node(['--snapshot-blob', blob, fakeCli, ...argv], { SECRETS_BROKER_SPEC: JSON.stringify(SPEC) });
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain('secrets-broker: VAULT_ADDR: required setting is missing');
  expect(r.status).toBe(2);
});

it.each([[['--version']], [['sidecar', '--probe']], [['sidecar', '--help']], [['injector']], [['scan', '--format', 'json', '.']]])('hands %j to the CLI file named on the command line', (argv) => {
  const r = node(['--snapshot-blob', blob, fakeCli, ...argv]);
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ cli: fakeCli, argv });
  expect(r.status).toBe(0);
});

it('a relative CLI path is taken from the working directory', () => {
  const r = spawnSync(process.execPath, ['--snapshot-blob', blob, 'cli.js', '--version'], { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  expect(JSON.parse(r.stdout)).toEqual({ cli: fakeCli, argv: ['--version'] });
});

/** GET on the loopback, resolving to the status and body. */
const fetchText = (url: string): Promise<{ status: number; body: string }> =>
  new Promise((done, fail) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => done({ status: res.statusCode ?? 0, body }));
    }).on('error', fail);
  });

it("serves /metrics: prom-client, left out of the snapshot, loads from the CLI file's node_modules at the first scrape", async () => {
  // No Vault to reach and no token file: the sidecar keeps retrying its login while its health server answers.
  const env = { PATH: process.env.PATH ?? '', SECRETS_BROKER_SPEC: JSON.stringify(SPEC), VAULT_ADDR: 'https://127.0.0.1:9', SIDECAR_TOKEN_FILE: join(dir, 'no-token'), SIDECAR_HEALTH_PORT: '0', POD_NAME: 'p', POD_NAMESPACE: 'n', LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, ['--snapshot-blob', blob, join(root, 'src', 'cli', 'bin.ts'), 'sidecar'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise((done) => child.once('exit', done));
  try {
    let health = '';
    await waitFor('the "sidecar started" log line', () => (health = /"health":"([^"]+)"[^\n]*"msg":"sidecar started"/.exec(stderr)?.[1] ?? '') !== '', { timeoutMs: 10_000, detail: () => stderr });
    const metrics = await fetchText(`http://${health}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^secrets_broker_sidecar_logins_total\{outcome="failure"\} \d+$/m);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

it('refuses to run as a plain script', () => {
  const r = node([bundle, 'sidecar']);
  expect(r.stderr).toContain('this file is the entry of a start-up snapshot');
  expect(r.status).not.toBe(0);
});
