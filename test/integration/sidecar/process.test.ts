/** The whole sidecar in-process (sidecar/main.ts): rows 15, 21, 26, 30, 31, notification, health, --once, exit codes. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../src/vault/lease';
import { get, makeHarness, once, secret, start, type Harness } from '../../helpers/harness';
import { listenLocal } from '../../helpers/net';
import { startStubVault, type StubVault } from '../../helpers/stub-vault';
import { waitFor } from '../../helpers/wait';

let v: StubVault;
const harnesses: Harness[] = [];
const track = (h: Harness) => (harnesses.push(h), h);
/** The login retry delays the sidecar plans (seconds), at their random extremes. */
const shortest = (attempt: number) => backoffDelay(attempt, 0, DEFAULT_BACKOFF);
const longest = (attempt: number) => backoffDelay(attempt, 1, DEFAULT_BACKOFF);
/** Room for the requests and rendering around a planned delay. */
const SLACK_MS = 2000;
/** Timers count whole milliseconds of the event loop's cached clock, not Date.now(). */
const CLOCK_MS = 20;
beforeEach(async () => {
  v = await startStubVault();
  v.kv.set('app/db', { version: 1, data: { username: 'app', password: `pw-${Math.random().toString(36).slice(2)}` } });
});
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.agent?.shutdown('test end');
    await h.exit;
  }
  await v.close();
});

describe('sidecar process', () => {
  it('renders, becomes ready, serves metrics; SIGTERM revokes leases and token and flushes audit (T30)', async () => {
    const h = track(makeHarness(v.url, [secret('db', 'secret/app/db'), secret('pg', 'database/creds/app', { format: 'env', file: 'pg.env' })]));
    const agent = await start(h);
    const port = agent.healthPort!;
    await waitFor('all rendered', () => agent.allRendered);
    expect((await get(port, '/readyz')).status).toBe(200);
    expect((await get(port, '/healthz')).status).toBe(200);
    const metrics = (await get(port, '/metrics')).body;
    expect(metrics).toMatch(/secrets_broker_sidecar_logins_total\{outcome="success"\} 1/);
    expect(metrics).toMatch(/secrets_broker_sidecar_secret_age_seconds\{secret="pg"\}/);
    expect(JSON.parse(readFileSync(path.join(h.mount, 'db.json'), 'utf8')).username).toBe('app');
    expect(await runCli(['sidecar', '--probe'], { env: { SIDECAR_HEALTH_PORT: String(port) }, stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
    const token = [...v.tokens.keys()][0]!;
    const leaseId = [...v.leases.keys()][0]!;
    await agent.shutdown('SIGTERM');
    await expect(h.exit).resolves.toBe(0);
    expect(v.tokens.has(token)).toBe(false); // a lookup of the token now fails
    expect(v.leases.get(leaseId)?.revoked).toBe(true);
    const events = h.audit().map((r) => `${r.event}:${r.outcome}`);
    expect(events.slice(-2)).toEqual(['auth.revoke:success', 'auth.revoke:success']);
    expect(h.audit().every((r, i) => r.seq === i + 1)).toBe(true);
    expect(existsSync(path.join(h.mount, 'pg.env'))).toBe(true); // files are never deleted
  });

  it('T15: Vault unreachable at start: not ready, no file, retries spaced by the backoff, then recovers', async () => {
    const h = track(makeHarness(v.url, [secret('db', 'secret/app/db')]));
    v.fault('auth/', { status: 503 });
    const agent = await start(h);
    const logins = () => v.requests.filter((r) => r.method === 'POST' && r.path === 'auth/kubernetes/login').map((r) => r.at);
    // Attempts at 0 s, then after backoff(0), then after backoff(1); each bound comes from the schedule itself.
    await waitFor('three login attempts', () => logins().length >= 3, { timeoutMs: (longest(0) + longest(1)) * 1000 + SLACK_MS });
    expect((await get(agent.healthPort!, '/readyz')).status).toBe(503);
    expect(await runCli(['sidecar', '--probe'], { env: { SIDECAR_HEALTH_PORT: String(agent.healthPort) }, stdout: new PassThrough(), stderr: new PassThrough() })).toBe(1);
    expect(existsSync(path.join(h.mount, 'db.json'))).toBe(false);
    const [first, second, third] = logins();
    // No tight loop: each retry waited at least the shortest backoff for its attempt.
    expect(second! - first!).toBeGreaterThanOrEqual(shortest(0) * 1000 - CLOCK_MS);
    expect(third! - second!).toBeGreaterThanOrEqual(shortest(1) * 1000 - CLOCK_MS);
    v.clear();
    await waitFor('recovery', () => agent.allRendered, { timeoutMs: longest(2) * 1000 + SLACK_MS });
    expect((await get(agent.healthPort!, '/readyz')).status).toBe(200);
  }, 15_000);

  it('T21: a hanging Vault does not block shutdown beyond its timeout', async () => {
    const h = track(makeHarness(v.url, [secret('db', 'secret/app/db')], {}, { SIDECAR_SHUTDOWN_TIMEOUT: '1s', SIDECAR_REQUEST_TIMEOUT: '30s' }));
    const agent = await start(h);
    await waitFor('all rendered', () => agent.allRendered);
    v.fault('auth/token/revoke-self', 'hang');
    const t0 = Date.now();
    await agent.shutdown('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(2500);
    await expect(h.exit).resolves.toBe(0);
  });

  it('T26: no secret value, token, JWT or lease id in logs, errors, metrics or audit', async () => {
    const value = v.kv.get('app/db')!.data.password as string;
    const h = track(makeHarness(v.url, [secret('db', 'secret/app/db'), secret('pg', 'database/creds/app'), secret('bad', 'secret/app/db', { key: 'nokey', file: 'bad' })], {}, { SIDECAR_AUDIT_HASH_DEVICE: 'file' }));
    v.fault('secret/data/app/db', { status: 500, body: { errors: [`backend said ${value} and ${h.jwt}`] } }, 1);
    const agent = await start(h);
    await waitFor('pg written', () => h.audit().some((r) => r.event === 'secret.write' && r.secret === 'pg'));
    await waitFor('db written', () => h.audit().some((r) => r.event === 'secret.write' && r.secret === 'db'));
    const metrics = (await get(agent.healthPort!, '/metrics')).body;
    await agent.shutdown('SIGTERM');
    const pg = JSON.parse(readFileSync(path.join(h.mount, 'pg.json'), 'utf8'));
    const everything = h.out() + h.err() + metrics;
    const forbidden = [value, h.jwt, ...v.tokens.keys(), ...[...v.requests].map((r) => r.token ?? 'none-none'), ...v.leases.keys(), pg.password, pg.username];
    for (const s of forbidden) if (s !== 'none-none') expect(everything).not.toContain(s);
    expect(h.err()).toContain('key \\"nokey\\" not found');
    expect(h.audit().some((r) => r.vault?.leaseIdHmac)).toBe(true);
  });

  it('T31: an audit file that cannot be opened is a configuration error (exit 2)', async () => {
    const h = makeHarness(v.url, [secret('db', 'secret/app/db')], {}, { SIDECAR_AUDIT_FILE: '/nonexistent-dir/audit.jsonl' });
    const stderr = new PassThrough();
    const code = await runCli(['sidecar', '--once'], { env: h.env, stdout: new PassThrough(), stderr });
    expect(code).toBe(2);
    const text = String(stderr.read());
    expect(text).toContain('SIDECAR_AUDIT_FILE: cannot open the file for appending (ENOENT)');
    expect(text).not.toContain('/nonexistent-dir');
  });

  it('a checkpoint key that does not load is a configuration error naming AUDIT_CHECKPOINT_KEY_FILE (exit 2)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-key-'));
    writeFileSync(path.join(dir, 'key.pem'), 'garbage');
    const h = makeHarness(v.url, [secret('db', 'secret/app/db')], {}, { AUDIT_CHECKPOINT_KEY_FILE: path.join(dir, 'key.pem') });
    const stderr = new PassThrough();
    expect(await runCli(['sidecar', '--once'], { env: h.env, stdout: new PassThrough(), stderr })).toBe(2);
    expect(String(stderr.read())).toBe('secrets-broker: AUDIT_CHECKPOINT_KEY_FILE: not a private key in PEM or JWK form (Ed25519 or P-256)\n');
  });

  it('T31: an audit file failing at run time: secrets keep flowing, stdout keeps the trail, losses counted', async () => {
    const h = track(makeHarness(v.url, [secret('db', 'secret/app/db')], {}, { SIDECAR_AUDIT_FILE: '/dev/full' }));
    const agent = await start(h);
    await waitFor('all rendered', () => agent.allRendered);
    await waitFor('audit errors counted', async () => /audit_errors_total\{outcome="failure"\} [1-9]/.test((await get(agent.healthPort!, '/metrics')).body));
    expect(h.audit().map((r) => r.event)).toContain('secret.write');
    expect(h.err()).toContain('audit file unwritable; records continue on stdout');
  });

  it('notifies the app over HTTP on change only, once per burst', async () => {
    const posts: string[] = [];
    const app = http.createServer((req, res) => (posts.push(`${req.method} ${req.url}`), res.end()));
    const port = await listenLocal(app);
    const h = track(makeHarness(v.url, [secret('db', 'secret/app/db'), secret('pg', 'database/creds/app')], { notify: { kind: 'http', port, path: '/-/reload' } }));
    v.config.leaseTtl = 2;
    v.config.leaseRenewable = false;
    const agent = await start(h);
    await waitFor('all rendered', () => agent.allRendered);
    expect(posts).toEqual([]); // the first render does not notify: the app starts after it
    await waitFor('notification', () => posts.length > 0);
    expect(posts[0]).toBe('POST /-/reload');
    app.close();
  });

  it('--once renders everything and exits 0; exits 1 naming what failed; exits 2 on bad settings', async () => {
    const ok = makeHarness(v.url, [secret('db', 'secret/app/db')]);
    expect(await once(ok)).toBe(0);
    expect(existsSync(path.join(ok.mount, 'db.json'))).toBe(true);
    v.denied.add('secret/data/app/missing');
    const bad = makeHarness(v.url, [secret('db', 'secret/app/db'), secret('other', 'secret/app/missing')]);
    const stderr = new PassThrough();
    const code = await runCli(['sidecar', '--once'], { env: bad.env, stdout: new PassThrough(), stderr });
    expect(code).toBe(1);
    expect(String(stderr.read())).toMatch(/sidecar --once: other: Vault GET secret\/data\/app\/missing: forbidden/);
    const err2 = new PassThrough();
    expect(await runCli(['sidecar'], { env: { ...bad.env, VAULT_ADDR: 'http://vault.example:8200', SECRETS_BROKER_SPEC: '{}' }, stdout: new PassThrough(), stderr: err2 })).toBe(2);
    const lines = String(err2.read());
    expect(lines).toContain('VAULT_ADDR: must use https');
    expect(lines).toContain('SECRETS_BROKER_SPEC: version: must be 1');
  }, 20000);
});
