import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { appMainPids, createNotifier, listProcesses, parseStat } from '../../../src/sidecar/notify';

/** A fake /proc of a pod with shareProcessNamespace: pause, two app containers, the sidecar and its child. */
function fakeProc(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sb-proc-'));
  const procs: [number, string, number][] = [
    [1, 'pause', 0],
    [7, 'nginx', 0],
    [12, 'nginx: worker', 7],
    [20, 'java (app) x', 1],
    [30, 'node', 0], // the sidecar's container init
    [31, 'node', 30], // the sidecar itself
    [40, 'sh', 31], // a child of the sidecar
  ];
  for (const [pid, comm, ppid] of procs) {
    mkdirSync(path.join(root, String(pid)));
    writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560`);
  }
  mkdirSync(path.join(root, 'self'));
  return root;
}

describe('notify', () => {
  it('parses stat lines whose command holds spaces and parentheses', () => {
    expect(parseStat('20 (java (app) x) S 1 20 20 0')).toEqual({ pid: 20, ppid: 1, comm: 'java (app) x' });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('signals the app containers main processes only: not pause, workers, or the sidecar tree', async () => {
    const root = fakeProc();
    expect(appMainPids(await listProcesses(root), 31)).toEqual([7, 20]);
    const kill = jest.fn();
    const n = createNotifier({ kind: 'signal', signal: 'SIGHUP' }, { procRoot: root, selfPid: 31, kill, sleep: () => Promise.resolve() });
    await expect(n()).resolves.toEqual({ ok: true, detail: 'SIGHUP sent to 2 of 2 processes' });
    expect(kill.mock.calls).toEqual([[7, 'SIGHUP'], [20, 'SIGHUP']]);
  });

  it.each([
    ['its own user', 0, { ok: true, detail: 'SIGHUP sent to 2 of 2 processes' }],
    ['another user', 1, { ok: false, detail: 'SIGHUP sent to 0 of 0 processes (2 of other users left alone)' }],
  ])('signals only processes of the sidecar user: %s', async (_what, offset, result) => {
    const root = fakeProc();
    const owner = (await listProcesses(root)).find((p) => p.pid === 7)?.uid ?? -1;
    expect(owner).toBe(process.getuid?.());
    const kill = jest.fn();
    const n = createNotifier({ kind: 'signal', signal: 'SIGHUP' }, { procRoot: root, selfPid: 31, selfUid: owner + offset, kill, sleep: () => Promise.resolve() });
    await expect(n()).resolves.toEqual(result);
    expect(kill).toHaveBeenCalledTimes(offset === 0 ? 2 : 0);
  });

  it('POSTs to the loopback URL and retries a little on failure', async () => {
    let n = 0;
    const server = http.createServer((req, res) => {
      n++;
      res.statusCode = n < 3 ? 503 : 204;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const sleeps: number[] = [];
    const notify = createNotifier({ kind: 'http', port, path: '/reload' }, { selfPid: 1, kill: jest.fn(), sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    await expect(notify()).resolves.toEqual({ ok: true, detail: 'HTTP 204' });
    expect(sleeps).toEqual([200, 400]);
    n = -10;
    await expect(notify()).resolves.toEqual({ ok: false, detail: 'HTTP 503 after 3 attempts' });
    server.close();
  });
});
