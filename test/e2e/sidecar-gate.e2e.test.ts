/**
 * The native sidecar's start gate against the real stack: the postStart command the
 * injector writes (src/inject/containers.ts), run as the kubelet runs it beside the built
 * CLI's sidecar, which logs in with a pod-bound token and reads the stack's Vault. The
 * gate returns once every file exists, after one connection and one request however long
 * the wait, and exits non-zero when the sidecar process dies.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GATE_CONNECT_STEPS } from '../../src/inject/gate';
import { reviewPod } from '../../src/inject/review';
import { sidecarLaunch } from '../../src/sidecar-env';
import { basicPod, createReview, patched, testConfig } from '../helpers/injector';
import { freePort, kubectl, podBoundToken, type RunningProcess, stack, startProcess, uniqueName, vault, vaultAuditEntries, waitFor } from './helpers';

jest.setTimeout(120_000);

const ns = uniqueName('gate');
const id = ns.replace(/[^a-z0-9]/g, '');
const bin = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'bin.js');
const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-gate-token-')), 'token');
const running: RunningProcess[] = [];
const FILES = ['kv.json', 'config.env'];

/** The postStart command of the native sidecar the injector writes into a pod. */
function injectedGate(): string[] {
  const result = reviewPod(createReview(basicPod()), { config: testConfig() });
  const sidecar = patched(basicPod(), result.body.response as Record<string, unknown>).spec.initContainers?.find((c) => c.restartPolicy === 'Always');
  const command = sidecar?.lifecycle?.postStart?.exec?.command;
  if (!command) throw new Error('the injected native sidecar has no postStart command');
  return command;
}

function startSidecar(mount: string, port: number): RunningProcess {
  const s = stack();
  const spec = { version: 1, role: `gate-${id}`, mountPath: mount, lifecycle: 'sidecar', rotateIntervalSeconds: 10, notify: { kind: 'none' }, secrets: [
    { name: 'kv', path: `secret/data/app/${id}`, file: 'kv.json', format: 'json', mode: 0o440 },
    { name: 'config', path: 'secret/data/app/config', file: 'config.env', format: 'env', mode: 0o440 },
  ] };
  const launch = sidecarLaunch(s.VAULT_CACERT);
  const p = startProcess(process.execPath, [...launch.nodeFlags, bin, 'sidecar'], { env: { PATH: process.env.PATH ?? '', SECRETS_BROKER_SPEC: JSON.stringify(spec), VAULT_ADDR: s.VAULT_ADDR, VAULT_CACERT: s.VAULT_CACERT, SIDECAR_TOKEN_FILE: tokenFile, SIDECAR_HEALTH_PORT: String(port), POD_NAME: 'web', POD_NAMESPACE: ns, ...launch.env } });
  running.push(p);
  return p;
}

function startGate(port: number): RunningProcess {
  const [cmd, ...args] = injectedGate();
  const g = startProcess(cmd!, args, { env: { SIDECAR_HEALTH_PORT: String(port) } });
  running.push(g);
  return g;
}

/** Established TCP connections to 127.0.0.1:port (the server's side, from /proc/net/tcp). */
function connectedTo(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((l) => { const f = l.trim().split(/\s+/); return f[1] === local && f[3] === '01'; }).length;
}

const kvReads = () => vaultAuditEntries().filter((e) => e.type === 'request' && e.request?.path === `secret/data/app/${id}`).length;

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} missing: run npm run build first`);
  writeFileSync(tokenFile, await podBoundToken(ns, 'web'));
  await vault('PUT', `sys/policies/acl/gate-${id}`, { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
  await vault('POST', `auth/kubernetes/role/gate-${id}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: `gate-${id}`, token_ttl: '10m' });
});

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('start gate on the real stack', () => {
  it('started with the sidecar, it returns 0 only once every secret file exists, within its bound of connection attempts', async () => {
    const mount = mkdtempSync(path.join(os.tmpdir(), 'sb-gate-'));
    const port = await freePort();
    // The first secret is missing in Vault: the sidecar keeps retrying it and the gate waits.
    const sidecar = startSidecar(mount, port);
    const gate = startGate(port);
    await waitFor('a failed read of the missing secret', () => kvReads() >= 1, { timeoutMs: 30_000, detail: () => sidecar.stderr().slice(-2000) });
    await waitFor('the gate connected', () => /"health":"127\.0\.0\.1:\d+"/.test(sidecar.stderr()), { timeoutMs: 10_000 });
    expect(gate.running()).toBe(true);
    expect(existsSync(path.join(mount, 'kv.json'))).toBe(false);
    await vault('POST', `secret/data/app/${id}`, { data: { password: 'first' } });
    await expect(gate.ended).resolves.toBe(0);
    expect(FILES.map((f) => existsSync(path.join(mount, f)))).toEqual([true, true]);
    const attempts = Number(/ready after (\d+) connection attempt/.exec(gate.stdout())?.[1]);
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(GATE_CONNECT_STEPS);
  });

  it('the sidecar process dies while the gate waits: the gate exits 1', async () => {
    const mount = mkdtempSync(path.join(os.tmpdir(), 'sb-gate-'));
    const port = await freePort();
    await vault('DELETE', `secret/metadata/app/${id}`);
    const sidecar = startSidecar(mount, port);
    await waitFor('the sidecar listening', () => /"health":"127\.0\.0\.1:\d+"/.test(sidecar.stderr()), { timeoutMs: 30_000, detail: () => sidecar.stderr().slice(-2000) });
    const gate = startGate(port);
    await waitFor('the gate connected to the sidecar', () => connectedTo(port) === 1, { timeoutMs: 10_000 });
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    await sidecar.stop('SIGKILL');
    await expect(gate.ended).resolves.toBe(1);
    expect(gate.stderr()).toContain('secrets-broker gate: secrets not rendered');
  });
});
