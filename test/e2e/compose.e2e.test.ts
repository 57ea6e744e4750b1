/**
 * The docker-compose quickstart, run without Docker: the same Vault flags, bootstrap script,
 * sidecar environment and demo app as docker-compose.yml, as local processes (paths and
 * the Vault address mapped to a temp directory and a loopback port). Needs the stack's
 * Vault binary and `npm run build`. A quick check of the compose logic; the quickstart in
 * real containers, under podman, is test/e2e/quickstart.e2e.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { freePort, stack, startProcess, waitFor, type RunningProcess } from './helpers';

jest.setTimeout(120_000); // each test's limit, not a wait: a Vault dev server and the sidecar start for real

const run = promisify(execFile);
const root = resolve(__dirname, '..', '..');
const bin = join(root, 'dist', 'src', 'cli', 'bin.js');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, any> };
const dir = mkdtempSync(join(tmpdir(), 'sb-compose-'));
const paths = { tls: join(dir, 'tls'), boot: join(dir, 'bootstrap'), tok: join(dir, 'token'), secrets: join(dir, 'secrets'), audit: join(dir, 'audit') };
const procs: Partial<Record<'vault' | 'sidecar' | 'app', RunningProcess>> = {};
let vaultPort = 0;

function start(name: keyof typeof procs, cmd: string, args: string[], env: NodeJS.ProcessEnv): RunningProcess {
  const p = startProcess(cmd, args, { env: { PATH: process.env.PATH, ...env }, cwd: root });
  procs[name] = p;
  return p;
}
/** Everything a process has written so far, stdout then stderr ('' before it starts). */
const output = (name: keyof typeof procs): string => (procs[name] ? procs[name].stdout() + procs[name].stderr() : '');

/** Waits on the shared poll helper; a timeout shows the sidecar's log. */
const until = (what: string, check: () => boolean, seconds = 30): Promise<void> =>
  waitFor(what, check, { timeoutMs: seconds * 1000, intervalMs: 200, detail: () => procs.sidecar?.stderr() ?? '' });

const vaultEnv = (): NodeJS.ProcessEnv => ({ VAULT_ADDR: `https://127.0.0.1:${vaultPort}`, VAULT_CACERT: join(paths.tls, 'vault-ca.pem') });
const bootstrap = (step: string) =>
  run(process.execPath, [join(root, 'deploy', 'compose', 'bootstrap.js'), step], {
    env: { ...vaultEnv(), BOOTSTRAP_DIR: paths.boot, SIDECAR_TOKEN_DIR: paths.tok },
  });

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error('dist/ is missing: run npm run build');
  for (const p of Object.values(paths)) mkdirSync(p, { mode: 0o700 });
  vaultPort = await freePort();
  // The compose command, with the cert directory and listen address of this machine.
  const args = (compose.services.vault.command as string[]).map((a) => a.replace('-dev-tls-cert-dir=/vault/tls', `-dev-tls-cert-dir=${paths.tls}`));
  start('vault', join(stack().SB_BIN, 'vault'), [...args, `-dev-listen-address=127.0.0.1:${vaultPort}`], {});
  await until('vault dev server', () => existsSync(join(paths.tls, 'vault-ca.pem')) && /core: vault is unsealed|security barrier not initialized|Vault server started/.test(output('vault')));
});

afterAll(async () => {
  for (const p of [procs.app, procs.sidecar, procs.vault]) await p?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

it('keys and configure: JWT auth with a run-time key; no root token or unseal key in any output', async () => {
  await until('vault listening', () => /Vault server started/.test(output('vault')));
  const keys = await bootstrap('keys');
  const conf = await bootstrap('configure');
  expect(keys.stdout + conf.stdout).toMatch(/root token revoked/);
  expect(existsSync(join(paths.tok, 'token'))).toBe(true);
  const all = keys.stdout + keys.stderr + conf.stdout + conf.stderr + output('vault');
  expect(all).not.toMatch(/hvs\.[A-Za-z0-9]|Root Token:|Unseal Key:|eyJ[A-Za-z0-9_-]{20}/);
});

it('the sidecar with the compose environment renders the secret; the demo app sees it change', async () => {
  const env = compose.services.sidecar.environment as Record<string, string>;
  const healthPort = String(await freePort());
  const spec = JSON.parse(env.SECRETS_BROKER_SPEC!) as { mountPath: string };
  spec.mountPath = paths.secrets;
  const entrypoint = compose.services.sidecar.entrypoint as string[];
  const ca = vaultEnv().VAULT_CACERT!;
  start('sidecar', process.execPath, [...entrypoint.slice(1, -1), bin, ...(compose.services.sidecar.command as string[])], {
    ...env,
    ...vaultEnv(),
    SSL_CERT_FILE: ca,
    SECRETS_BROKER_SPEC: JSON.stringify(spec),
    SIDECAR_TOKEN_FILE: join(paths.tok, 'token'),
    SIDECAR_AUDIT_FILE: join(paths.audit, 'sidecar.jsonl'),
    SIDECAR_HEALTH_PORT: healthPort,
  });
  const file = join(paths.secrets, 'config.json');
  await until('first secret file', () => existsSync(file));
  // The compose healthcheck (the injector's startup probe) passes once the secret is there.
  const [cmd, ...probeArgs] = compose.services.sidecar.healthcheck.test.slice(1) as string[];
  expect(cmd).toBe('secrets-broker');
  await run(process.execPath, [bin, ...probeArgs], { env: { SIDECAR_HEALTH_PORT: healthPort } });
  const appArgs = (compose.services.app.command as string[]).map((a) => a.replace('/secrets/', `${paths.secrets}/`));
  start('app', process.execPath, [join(root, 'deploy', 'compose', 'demo-app.js'), ...appArgs], {});
  await until('app reports version 1', () => /message="hello from Vault, version 1"/.test(procs.app!.stdout()));
  await bootstrap('rotate');
  await until('app reports version 2', () => /message="hello from Vault, version 2"/.test(procs.app!.stdout()), 30);
  const secret = JSON.parse(readFileSync(file, 'utf8')) as { password: string };
  expect(procs.app!.stdout()).toMatch(/password=<24 chars, hidden>/);
  for (const text of [procs.app!.stdout(), procs.sidecar!.stdout(), procs.sidecar!.stderr(), readFileSync(join(paths.audit, 'sidecar.jsonl'), 'utf8')]) {
    expect(text).not.toContain(secret.password);
    expect(text).not.toContain(readFileSync(join(paths.tok, 'token'), 'utf8'));
  }
});

it('SIGTERM: the sidecar exits 0 and its audit trail verifies', async () => {
  // The compose sidecar keeps the default SIDECAR_SHUTDOWN_TIMEOUT (10 s); allow that and its final flush.
  expect(await procs.sidecar!.stop('SIGTERM', 15_000)).toBe(0);
  const events = readFileSync(join(paths.audit, 'sidecar.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
  expect(events).toEqual(expect.arrayContaining(['auth.login', 'secret.read', 'secret.rotate']));
  expect(procs.sidecar!.stdout().trim().split('\n').length).toBeGreaterThanOrEqual(events.length);
  const verify = await run(process.execPath, [bin, 'audit', 'verify', join(paths.audit, 'sidecar.jsonl')]);
  expect(verify.stdout).toMatch(/ok|verified/i);
});
