/**
 * The sidecar against the real stack: a pod-bound token from kube-apiserver (TokenRequest),
 * Vault kubernetes auth with a real TokenReview, KV v2, database credentials on
 * PostgreSQL, PKI, Vault's file audit device, Vault stopped and restarted, a revoked
 * token, and SIGTERM. Runs the built CLI (npm run build) as a child process, started with
 * the node flags and TLS environment the injector gives the sidecar container.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sidecarLaunch } from '../../src/sidecar-env';
import { kubectl, psql, stack, startVault, stopVault, uniqueName, vault, vaultAuditEntries } from './helpers/stack';

jest.setTimeout(240_000);

const ns = uniqueName('sidecar');
const id = ns.replace(/[^a-z0-9]/g, '');
const bin = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'bin.js');
const mount = mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));
const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-token-')), 'token');
let child: ChildProcess;
let out = '';
let err = '';

const audit = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const file = (f: string) => readFileSync(path.join(mount, f), 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await Promise.resolve(cond()).catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}\n${err.slice(-3000)}`);
}
const healthPort = () => Number(/"health":"127\.0\.0\.1:(\d+)"/.exec(err)?.[1]);
const ready = async () => (await fetch(`http://127.0.0.1:${healthPort()}/readyz`)).status === 200;
const lastAccessor = () => audit().filter((r) => r.event === 'auth.login' && r.outcome === 'success').at(-1)?.vault?.accessor as string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  const s = stack();
  const spec = {
    version: 1,
    role: `sidecar-${id}`,
    mountPath: mount,
    lifecycle: 'sidecar',
    rotateIntervalSeconds: 10,
    notify: { kind: 'none' },
    secrets: [
      { name: 'kv', path: `secret/app/${id}`, file: 'kv.json', format: 'json', mode: 0o440 },
      { name: 'config', path: 'secret/data/app/config', file: 'config.env', format: 'env', mode: 0o440 },
      { name: 'db', path: `database/creds/${id}`, file: 'db.json', format: 'json', mode: 0o400 },
      { name: 'tls', path: `pki/issue/web?common_name=${id}.shop.svc&ttl=30s`, file: 'tls/web.pem', format: 'pem', mode: 0o440 },
    ],
  };
  return {
    PATH: process.env.PATH ?? '',
    SECRETS_BROKER_SPEC: JSON.stringify(spec),
    VAULT_ADDR: s.VAULT_ADDR,
    VAULT_CACERT: s.VAULT_CACERT,
    SIDECAR_TOKEN_FILE: tokenFile,
    SIDECAR_HEALTH_PORT: '0',
    SIDECAR_STALE_AFTER: '10s',
    SIDECAR_REQUEST_TIMEOUT: '3s',
    SIDECAR_AUDIT_HASH_DEVICE: 'file',
    POD_NAME: 'web',
    POD_NAMESPACE: ns,
    ...launch().env,
    ...extra,
  };
}

/** The node flags and TLS environment the injector gives the sidecar container. */
const launch = () => sidecarLaunch(stack().VAULT_CACERT);

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} missing: run npm run build first`);
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
  await kubectl(['-n', ns, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: ns }, spec: { serviceAccountName: 'app', automountServiceAccountToken: false, containers: [{ name: 'web', image: 'registry.invalid/web:1' }] } }));
  writeFileSync(tokenFile, (await kubectl(['-n', ns, 'create', 'token', 'app', '--duration', '1h', '--audience', 'vault', '--bound-object-kind', 'Pod', '--bound-object-name', 'web'])).trim());
  // Short TTLs so renewal, max TTL and re-issue happen within the test.
  await vault('PUT', `sys/policies/acl/sidecar-${id}`, { policy: `path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["read"] }\npath "database/creds/${id}" { capabilities = ["read"] }\npath "pki/issue/web" { capabilities = ["update"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }\npath "sys/audit-hash/file" { capabilities = ["update"] }\npath "sys/leases/revoke" { capabilities = ["update"] }` });
  await vault('POST', `auth/kubernetes/role/sidecar-${id}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: `sidecar-${id}`, token_ttl: '30s', token_max_ttl: '80s' });
  const dbRole = (await vault('GET', 'database/roles/app')).body.data;
  await vault('POST', `database/roles/${id}`, { ...dbRole, db_name: 'app', default_ttl: '20s', max_ttl: '50s' });
  await vault('POST', `secret/data/app/${id}`, { data: { password: 'first' } });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('sidecar on the real stack', () => {
  it('starts from a pod-bound token and renders every secret', async () => {
    child = spawn(process.execPath, [...launch().nodeFlags, bin, 'sidecar'], { env: env() });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor(() => existsSync(path.join(mount, 'tls/web.pem')) && existsSync(path.join(mount, 'db.json')), 30_000, 'first render');
    await waitFor(ready, 10_000, 'ready');
    expect(JSON.parse(file('kv.json'))).toEqual({ password: 'first' });
    expect(file('config.env')).toContain("username='app-user'");
    expect(statSync(path.join(mount, 'db.json')).mode & 0o777).toBe(0o400);
  });

  it('KV v2 rotation reaches the file within the interval; an unchanged secret is not rewritten', async () => {
    const configIno = statSync(path.join(mount, 'config.env')).ino;
    const t0 = Date.now();
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'second' } });
    await waitFor(() => JSON.parse(file('kv.json')).password === 'second', 12_000, 'kv rotation');
    expect(Date.now() - t0).toBeLessThan(11_000);
    await sleep(11_000);
    expect(statSync(path.join(mount, 'config.env')).ino).toBe(configIno);
    expect(audit().filter((r) => r.event === 'secret.write' && r.secret === 'config')).toHaveLength(1);
  });

  it('database credentials are renewed, replaced before max TTL, and log in to PostgreSQL', async () => {
    const first = JSON.parse(file('db.json'));
    await waitFor(() => audit().some((r) => r.event === 'secret.renew' && r.secret === 'db' && r.outcome === 'success'), 30_000, 'lease renewal');
    await waitFor(() => JSON.parse(file('db.json')).username !== first.username, 50_000, 'new credentials before max TTL');
    const creds = JSON.parse(file('db.json'));
    expect(await psql(creds.username, creds.password, 'select 1')).toBe('1');
    expect(vaultAuditEntries().some((e) => e.request?.path === 'sys/leases/renew')).toBe(true);
  });

  it('re-issues the PKI certificate at about 2/3 of its validity', async () => {
    const before = file('tls/web.pem');
    await waitFor(() => file('tls/web.pem') !== before, 30_000, 'certificate re-issue');
    expect(file('tls/web.pem')).toMatch(/-----BEGIN CERTIFICATE-----[\s\S]+PRIVATE KEY-----/);
  });

  it('Vault stopped mid-run: files stay intact, then the sidecar recovers', async () => {
    const kv = file('kv.json');
    await stopVault();
    await sleep(12_000);
    expect(file('kv.json')).toBe(kv);
    await startVault();
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'third' } });
    await waitFor(() => JSON.parse(file('kv.json')).password === 'third', 40_000, 'recovery after restart');
    await waitFor(ready, 20_000, 'ready again');
  });

  it('a revoked token leads to a new login', async () => {
    const accessor = lastAccessor();
    const logins = audit().filter((r) => r.event === 'auth.login' && r.outcome === 'success').length;
    expect((await vault('POST', 'auth/token/revoke-accessor', { accessor })).status).toBe(204);
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'fourth' } });
    await waitFor(() => JSON.parse(file('kv.json')).password === 'fourth', 30_000, 'render after re-login');
    expect(audit().filter((r) => r.event === 'auth.login' && r.outcome === 'success').length).toBeGreaterThan(logins);
  });

  it('after SIGTERM the token is revoked (its accessor no longer resolves) and the trail ends with revocations', async () => {
    const accessor = lastAccessor();
    expect((await vault('POST', 'auth/token/lookup-accessor', { accessor })).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await vault('POST', 'auth/token/lookup-accessor', { accessor })).status).not.toBe(200);
    expect(audit().at(-1)).toMatchObject({ event: 'auth.revoke', outcome: 'success' });
    for (const secret of [JSON.parse(file('db.json')).password, 'fourth', readFileSync(tokenFile, 'utf8')]) expect(out + err).not.toContain(secret);
  });

  it('--once with JWT auth renders and exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-once-'));
    const e = env({ VAULT_AUTH_METHOD: 'jwt', VAULT_AUTH_PATH: 'auth/jwt' });
    const spec = { ...JSON.parse(e.SECRETS_BROKER_SPEC!), role: 'app', mountPath: dir, secrets: [{ name: 'config', path: 'secret/app/config', file: 'c.json', format: 'json', mode: 0o440 }] };
    const code = await new Promise<number | null>((r) => spawn(process.execPath, [...launch().nodeFlags, bin, 'sidecar', '--once'], { env: { ...e, SECRETS_BROKER_SPEC: JSON.stringify(spec) }, stdio: 'ignore' }).once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8')).username).toBe('app-user');
  });
});
