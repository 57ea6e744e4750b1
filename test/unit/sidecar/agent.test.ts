/* eslint-disable @typescript-eslint/require-await -- scripted async stand-ins */
/** The agent's scheduling with jest fake timers and a scripted controller: no network, no real time. */
import { Agent } from '../../../sidecar/agent';
import { silentLogger } from '../../../src/log';
import type { Controller, SourceStep } from '../../../src/sidecar/controller';
import { SidecarMetrics } from '../../../src/sidecar/metrics';
import type { SourceState } from '../../../src/sidecar/source';

const src = (name: string): SourceState => ({ path: `secret/${name}`, specs: [{ name, path: `secret/${name}`, file: name, format: 'json', mode: 0o440 }], metadataForbidden: false, attempt: 0, rendered: new Set() });

function fakeController(sources: SourceState[], script: { token?: jest.Mock; source?: jest.Mock } = {}) {
  const calls: string[] = [];
  const tokenStep = script.token ?? jest.fn(async (action: string) => (calls.push(`token:${action}`), { action: 'renew', delaySeconds: 100, ok: true, relogged: action === 'login' }));
  const sourceStep = script.source ?? jest.fn(async (s: SourceState, action: string): Promise<SourceStep> => {
    calls.push(`${s.specs[0]!.name}:${action}`);
    s.rendered.add(s.specs[0]!.name);
    return { action: 'poll', delaySeconds: 30, changed: true, relogin: false, ok: true };
  });
  const c = { sources, tokenStep, sourceStep, ready: () => sources.every((s) => s.rendered.size > 0), leasedUnderOldToken: () => [], revokeAll: jest.fn(async () => undefined) };
  return { c: c as unknown as Controller, calls, raw: c };
}

function agent(c: Controller, notifier = jest.fn(async () => ({ ok: true, detail: 'x' })), revokeAll?: boolean, timeoutMs = 5000) {
  return { a: new Agent({ controller: c, metrics: new SidecarMetrics(), notifier, log: silentLogger(), shutdown: { revoke: revokeAll ?? true, timeoutMs, close: async () => undefined } }), notifier };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('agent scheduling', () => {
  it('logs in, then fetches every source, renews the token and polls on the planned delays', async () => {
    const f = fakeController([src('a'), src('b')]);
    const { a } = agent(f.c);
    await a.start();
    await jest.advanceTimersByTimeAsync(10);
    expect(f.calls).toEqual(['token:login', 'a:fetch', 'b:fetch']);
    expect(a.allRendered).toBe(true);
    await jest.advanceTimersByTimeAsync(29_980);
    expect(f.calls).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(20);
    expect(f.calls.slice(3)).toEqual(['a:poll', 'b:poll']);
    await jest.advanceTimersByTimeAsync(70_000);
    expect(f.calls).toContain('token:renew');
    await a.shutdown('test');
  });

  it('a source that finds the token revoked waits for one login, then runs again', async () => {
    const s = src('a');
    let first = true;
    const source = jest.fn(async (): Promise<SourceStep> => {
      if (first) return (first = false), { action: 'poll', delaySeconds: 0, changed: false, relogin: true, ok: false };
      return { action: 'poll', delaySeconds: 30, changed: false, relogin: false, ok: true };
    });
    const f = fakeController([s], { source });
    const { a } = agent(f.c);
    await a.start();
    await jest.advanceTimersByTimeAsync(10);
    expect(f.raw.tokenStep.mock.calls.map((c) => c[0])).toEqual(['login', 'login']);
    expect(source).toHaveBeenCalledTimes(2);
    await a.shutdown('test');
  });

  it('a failing login retries on the backoff the controller plans, never in a tight loop', async () => {
    const token = jest.fn(async () => ({ action: 'login', delaySeconds: 4, ok: false, relogged: false }));
    const f = fakeController([src('a')], { token });
    const { a } = agent(f.c);
    await a.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(token).toHaveBeenCalledTimes(3); // 0 s, 4 s, 8 s
    expect(f.raw.sourceStep).not.toHaveBeenCalled();
    await a.shutdown('test');
  });

  it('debounces notifications: several changes after start notify once; the first render never does', async () => {
    const f = fakeController([src('a'), src('b')]);
    const { a, notifier } = agent(f.c);
    await a.start();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(notifier).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(25_000); // both sources poll and change at 30 s
    await jest.advanceTimersByTimeAsync(1_100);
    expect(notifier).toHaveBeenCalledTimes(1);
    await a.shutdown('test');
  });

  it('shutdown revokes, stops every timer, and is bounded by its timeout when Vault hangs', async () => {
    const f = fakeController([src('a')]);
    f.raw.revokeAll.mockImplementation(() => new Promise(() => undefined));
    const { a } = agent(f.c, undefined, true, 2000);
    await a.start();
    await jest.advanceTimersByTimeAsync(10);
    const done = a.shutdown('SIGTERM');
    await jest.advanceTimersByTimeAsync(2000);
    await expect(done).resolves.toBeUndefined();
    await expect(a.done).resolves.toBeUndefined();
    const before = f.calls.length;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(f.calls.length).toBe(before);
    expect(f.raw.revokeAll).toHaveBeenCalledTimes(1);
  });

  it('a step in flight at SIGTERM finishes before the revocation, so nothing is recorded after it', async () => {
    const order: string[] = [];
    let finish: (() => void) | undefined;
    let polls = 0;
    const source = jest.fn(async (s: SourceState): Promise<SourceStep> => {
      s.rendered.add(s.specs[0]!.name);
      if (polls++ === 1) await new Promise<void>((resolve) => (finish = resolve)); // the first poll hangs on Vault
      order.push(`source:${polls}`);
      return { action: 'poll', delaySeconds: 30, changed: false, relogin: false, ok: true };
    });
    const f = fakeController([src('a')], { source });
    f.raw.revokeAll.mockImplementation(async () => void order.push('revoke'));
    const { a } = agent(f.c, undefined, true, 10_000);
    await a.start();
    await jest.advanceTimersByTimeAsync(30_010); // the fetch, then the poll, which is now waiting
    expect(finish).toBeDefined();
    const done = a.shutdown('SIGTERM');
    await jest.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['source:1']);
    finish!();
    await jest.advanceTimersByTimeAsync(0);
    await done;
    expect(order).toEqual(['source:1', 'source:2', 'revoke']);
  });

  it('a step that never finishes is given half the timeout, then the token is revoked anyway', async () => {
    const source = jest.fn(async (s: SourceState): Promise<SourceStep> => {
      s.rendered.add(s.specs[0]!.name);
      return new Promise(() => undefined);
    });
    const f = fakeController([src('a')], { source });
    const { a } = agent(f.c, undefined, true, 2000);
    await a.start();
    await jest.advanceTimersByTimeAsync(10);
    const done = a.shutdown('SIGTERM');
    await jest.advanceTimersByTimeAsync(999);
    expect(f.raw.revokeAll).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(f.raw.revokeAll).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(done).resolves.toBeUndefined();
  });

  it('keeps leases and token when the operator turns revocation off', async () => {
    const f = fakeController([src('a')]);
    const { a } = agent(f.c, undefined, false);
    await a.start();
    await jest.advanceTimersByTimeAsync(10);
    await a.shutdown('SIGTERM');
    expect(f.raw.revokeAll).not.toHaveBeenCalled();
  });
});
