/**
 * The native sidecar's start gate (src/inject/gate.ts), the real bash script, against the
 * in-process sidecar and a stub Vault: it returns only once every secret file exists, with
 * one connection and one request however long the wait, and fails when the sidecar stops
 * or nothing listens. The same script against the built CLI and the stack's real Vault:
 * test/e2e/sidecar-gate.e2e.test.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gateCommand, gateScript, GATE_SHELL } from '../../../src/inject/gate';
import { makeHarness, secret, start, type Harness } from '../../helpers/harness';
import { freePort } from '../../helpers/net';
import { startProcess, type RunningProcess } from '../../helpers/process';
import { startStubVault, type StubVault } from '../../helpers/stub-vault';
import { waitFor } from '../../helpers/wait';

let v: StubVault;
const harnesses: Harness[] = [];
const gates: RunningProcess[] = [];
const FILES = ['db.json', 'pg.env'];

beforeEach(async () => {
  v = await startStubVault();
  v.kv.set('app/db', { version: 1, data: { username: 'app', password: `pw-${Math.random().toString(36).slice(2)}` } });
});
afterEach(async () => {
  for (const g of gates.splice(0)) await g.stop('SIGKILL');
  for (const h of harnesses.splice(0)) {
    await h.agent?.shutdown('test end');
    await h.exit;
  }
  await v.close();
});

function harness(port = 0): Harness {
  const h = makeHarness(v.url, [secret('db', 'secret/app/db'), secret('pg', 'database/creds/app', { format: 'env', file: 'pg.env' })], {}, { SIDECAR_HEALTH_PORT: String(port) });
  harnesses.push(h);
  return h;
}

/** Runs the hook as the kubelet does: the command in the container's environment. */
function gate(port: number, command = gateCommand()): RunningProcess {
  const g = startProcess(command[0]!, command.slice(1), { env: { SIDECAR_HEALTH_PORT: String(port) } });
  gates.push(g);
  return g;
}
const attempts = (g: RunningProcess) => Number(/ready after (\d+) connection attempt/.exec(g.stdout())?.[1]);

describe('start gate (postStart hook)', () => {
  it('is bash with builtins only', () => {
    expect(gateCommand().slice(0, 2)).toEqual([GATE_SHELL, '-c']);
  });

  it('held while Vault refuses the login, returns 0 once every file exists: one connection, one request', async () => {
    const h = harness();
    v.fault('auth/', { status: 503 });
    const agent = await start(h);
    const g = gate(agent.healthPort!);
    await waitFor('the gate waiting on the sidecar', () => agent.heldReadyWaits === 1);
    await waitFor('a refused login', () => v.requests.some((r) => r.path === 'auth/kubernetes/login'));
    expect(g.running()).toBe(true);
    let filesAtExit: boolean[] = [];
    void g.ended.then(() => (filesAtExit = FILES.map((f) => existsSync(path.join(h.mount, f)))));
    v.clear();
    await expect(g.ended).resolves.toBe(0);
    expect(filesAtExit).toEqual([true, true]);
    // However long it waited, the gate's work was one connection and one request: no polling.
    expect(attempts(g)).toBe(1);
    expect(agent.heldReadyWaits).toBe(0);
  });

  it('started before the sidecar listens (as the kubelet runs it): retries the connection, then returns 0 with the files there', async () => {
    const port = await freePort();
    const g = gate(port);
    const h = harness(port);
    await start(h);
    await expect(g.ended).resolves.toBe(0);
    expect(FILES.every((f) => existsSync(path.join(h.mount, f)))).toBe(true);
    expect(attempts(g)).toBeGreaterThanOrEqual(1);
  });

  it('the sidecar stops while the gate waits: exit 1, saying the secrets were not rendered', async () => {
    const h = harness();
    v.fault('auth/', { status: 503 });
    const agent = await start(h);
    const g = gate(agent.healthPort!);
    await waitFor('the gate waiting on the sidecar', () => agent.heldReadyWaits === 1);
    await agent.shutdown('SIGTERM');
    await expect(g.ended).resolves.toBe(1);
    expect(g.stderr()).toMatch(/^secrets-broker gate: secrets not rendered within \d+ s \(503\)$/m);
  });

  it('the connection closes without an answer (the sidecar exited): exit 1', async () => {
    const net = await import('node:net');
    const server = net.createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const g = gate((server.address() as { port: number }).port);
    await expect(g.ended).resolves.toBe(1);
    server.close();
    expect(g.stderr()).toContain('(the sidecar exited)');
  });

  it('its wait ends while the sidecar is not ready: exit 1 (503)', async () => {
    const h = harness();
    v.fault('auth/', { status: 503 });
    const agent = await start(h);
    const g = gate(agent.healthPort!, [GATE_SHELL, '-c', gateScript(1)]);
    await expect(g.ended).resolves.toBe(1);
    expect(g.stderr()).toContain('secrets not rendered within 1 s (503)');
    expect(agent.heldReadyWaits).toBe(0);
  });

  it('nothing listens: gives up after exactly its bound of connection attempts', async () => {
    const g = gate(await freePort(), [GATE_SHELL, '-c', gateScript(1, 5)]);
    await expect(g.ended).resolves.toBe(1);
    expect(g.stderr()).toMatch(/nothing listens on 127\.0\.0\.1:\d+ after 5 attempts/);
  });
});
