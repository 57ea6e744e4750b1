/**
 * The sidecar against the real stack: a pod-bound token from kube-apiserver (TokenRequest),
 * Vault kubernetes auth with a real TokenReview, KV v2, database credentials on
 * PostgreSQL, PKI, Vault's file audit device, Vault stopped and restarted, a revoked
 * token, and SIGTERM. Runs the built CLI (npm run build) as a child process, started with
 * the node flags and TLS environment the injector gives the sidecar container.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sidecarLaunch } from '../../src/sidecar-env';
import { kubectl, podBoundToken, psql, type RunningProcess, stack, startProcess, startVault, stopVault, uniqueName, vault, vaultAuditEntries, waitFor } from './helpers';

jest.setTimeout(240_000); // each test's limit, not a wait: token, lease and certificate TTLs run out for real

const ns = uniqueName('sidecar');
const id = ns.replace(/[^a-z0-9]/g, '');
const bin = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'bin.js');
const mount = mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));
const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-token-')), 'token');
/** The spec's poll interval, and the sidecar's request timeout (SIDECAR_REQUEST_TIMEOUT). */
const ROTATE_S = 10;
const REQUEST_TIMEOUT_S = 3;
/** The sidecar's default SIDECAR_SHUTDOWN_TIMEOUT (10 s), plus its final flush. */
const SHUTDOWN_MS = 15_000;
let sidecar: RunningProcess;

const audit = () => sidecar.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const file = (f: string) => readFileSync(path.join(mount, f), 'utf8');
/** Waits on the shared poll helper; a timeout shows the sidecar's last log lines. */
const until = (what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number) =>
  waitFor(what, cond, { timeoutMs, intervalMs: 250, detail: () => sidecar.stderr().slice(-3000) });
const healthPort = () => Number(/"health":"127\.0\.0\.1:(\d+)"/.exec(sidecar.stderr())?.[1]);
/** When `secret` last refreshed successfully (epoch ms, never later than the truth), from its age on /metrics. */
async function refreshedAt(secret: string): Promise<number> {
  const asked = Date.now();
  const body = await (await fetch(`http://127.0.0.1:${healthPort()}/metrics`)).text();
  const age = new RegExp(`secrets_broker_sidecar_secret_age_seconds\\{secret="${secret}"\\} (\\S+)`).exec(body)?.[1];
  if (age === undefined) throw new Error(`/metrics has no age for ${secret}`);
  return asked - Number(age) * 1000;
}
const errorsOf = (secret: string) => audit().filter((r) => r.event === 'secret.error' && r.secret === secret).length;
const ready = async () => (await fetch(`http://127.0.0.1:${healthPort()}/readyz`)).status === 200;
const lastAccessor = () => audit().filter((r) => r.event === 'auth.login' && r.outcome === 'success').at(-1)?.vault?.accessor as string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  const s = stack();
  const spec = {
    version: 1,
    role: `sidecar-${id}`,
    mountPath: mount,
    lifecycle: 'sidecar',
    rotateIntervalSeconds: ROTATE_S,
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
    SIDECAR_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_S}s`,
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
  writeFileSync(tokenFile, await podBoundToken(ns, 'web'));
  // Short TTLs so renewal, max TTL and re-issue happen within the test.
  await vault('PUT', `sys/policies/acl/sidecar-${id}`, { policy: `path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["read"] }\npath "database/creds/${id}" { capabilities = ["read"] }\npath "pki/issue/web" { capabilities = ["update"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }\npath "sys/audit-hash/file" { capabilities = ["update"] }\npath "sys/leases/revoke" { capabilities = ["update"] }` });
  await vault('POST', `auth/kubernetes/role/sidecar-${id}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: `sidecar-${id}`, token_ttl: '30s', token_max_ttl: '80s' });
  const dbRole = (await vault('GET', 'database/roles/app')).body.data;
  await vault('POST', `database/roles/${id}`, { ...dbRole, db_name: 'app', default_ttl: '20s', max_ttl: '50s' });
  await vault('POST', `secret/data/app/${id}`, { data: { password: 'first' } });
});

afterAll(async () => {
  await sidecar?.stop('SIGKILL');
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('sidecar on the real stack', () => {
  it('starts from a pod-bound token and renders every secret', async () => {
    sidecar = startProcess(process.execPath, [...launch().nodeFlags, bin, 'sidecar'], { env: env() });
    await until('first render', () => existsSync(path.join(mount, 'tls/web.pem')) && existsSync(path.join(mount, 'db.json')), 30_000);
    await until('ready', ready, 10_000);
    expect(JSON.parse(file('kv.json'))).toEqual({ password: 'first' });
    expect(file('config.env')).toContain("username='app-user'");
    expect(statSync(path.join(mount, 'db.json')).mode & 0o777).toBe(0o400);
  });

  it('KV v2 rotation reaches the file within the interval; an unchanged secret is not rewritten', async () => {
    const configIno = statSync(path.join(mount, 'config.env')).ino;
    const t0 = Date.now();
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'second' } });
    await until('kv rotation', () => JSON.parse(file('kv.json')).password === 'second', 12_000);
    expect(Date.now() - t0).toBeLessThan(11_000);
    // "Not rewritten" needs a refresh of config that provably ran: its next poll, at most one interval away.
    const since = Date.now();
    await until('a refresh of config after the rotation', async () => (await refreshedAt('config')) > since, (ROTATE_S + REQUEST_TIMEOUT_S) * 1000 + 5000);
    expect(statSync(path.join(mount, 'config.env')).ino).toBe(configIno);
    expect(audit().filter((r) => r.event === 'secret.write' && r.secret === 'config')).toHaveLength(1);
  });

  it('database credentials are renewed, replaced before max TTL, and log in to PostgreSQL', async () => {
    const first = JSON.parse(file('db.json'));
    await until('lease renewal', () => audit().some((r) => r.event === 'secret.renew' && r.secret === 'db' && r.outcome === 'success'), 30_000);
    await until('new credentials before max TTL', () => JSON.parse(file('db.json')).username !== first.username, 50_000);
    const creds = JSON.parse(file('db.json'));
    expect(await psql(creds.username, creds.password, 'select 1')).toBe('1');
    expect(vaultAuditEntries().some((e) => e.request?.path === 'sys/leases/renew')).toBe(true);
  });

  it('re-issues the PKI certificate at about 2/3 of its validity', async () => {
    const before = file('tls/web.pem');
    await until('certificate re-issue', () => file('tls/web.pem') !== before, 30_000);
    expect(file('tls/web.pem')).toMatch(/-----BEGIN CERTIFICATE-----[\s\S]+PRIVATE KEY-----/);
  });

  it('Vault stopped mid-run: files stay intact, then the sidecar recovers', async () => {
    const kv = file('kv.json');
    const failures = errorsOf('kv');
    await stopVault();
    // "Intact" needs a kv refresh that provably failed while Vault was down: its next poll, at most one interval away.
    await until('a failed kv refresh while Vault is down', () => errorsOf('kv') > failures, (ROTATE_S + REQUEST_TIMEOUT_S) * 1000 + 5000);
    expect(file('kv.json')).toBe(kv);
    await startVault();
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'third' } });
    await until('recovery after restart', () => JSON.parse(file('kv.json')).password === 'third', 40_000);
    await until('ready again', ready, 20_000);
  });

  it('a revoked token leads to a new login', async () => {
    const accessor = lastAccessor();
    const logins = audit().filter((r) => r.event === 'auth.login' && r.outcome === 'success').length;
    expect((await vault('POST', 'auth/token/revoke-accessor', { accessor })).status).toBe(204);
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'fourth' } });
    await until('render after re-login', () => JSON.parse(file('kv.json')).password === 'fourth', 30_000);
    expect(audit().filter((r) => r.event === 'auth.login' && r.outcome === 'success').length).toBeGreaterThan(logins);
  });

  it('after SIGTERM the token is revoked (its accessor no longer resolves) and the trail ends with revocations', async () => {
    const accessor = lastAccessor();
    expect((await vault('POST', 'auth/token/lookup-accessor', { accessor })).status).toBe(200);
    expect(await sidecar.stop('SIGTERM', SHUTDOWN_MS)).toBe(0);
    expect((await vault('POST', 'auth/token/lookup-accessor', { accessor })).status).not.toBe(200);
    expect(audit().at(-1)).toMatchObject({ event: 'auth.revoke', outcome: 'success' });
    for (const secret of [JSON.parse(file('db.json')).password, 'fourth', readFileSync(tokenFile, 'utf8')]) expect(sidecar.stdout() + sidecar.stderr()).not.toContain(secret);
  });

  it('--once with JWT auth renders and exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-once-'));
    const e = env({ VAULT_AUTH_METHOD: 'jwt', VAULT_AUTH_PATH: 'auth/jwt' });
    const spec = { ...JSON.parse(e.SECRETS_BROKER_SPEC!), role: 'app', mountPath: dir, secrets: [{ name: 'config', path: 'secret/app/config', file: 'c.json', format: 'json', mode: 0o440 }] };
    const once = startProcess(process.execPath, [...launch().nodeFlags, bin, 'sidecar', '--once'], { env: { ...e, SECRETS_BROKER_SPEC: JSON.stringify(spec) } });
    expect(await once.ended).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8')).username).toBe('app-user');
  });
});
