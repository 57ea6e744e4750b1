/** The held `GET /readyz?wait=` requests (src/sidecar/ready-waiters.ts) and the `wait` parameter (src/sidecar/health.ts). */
import { MAX_READY_WAIT_SECONDS, readyWait } from '../../../src/sidecar/health';
import { MAX_READY_WAITERS, ReadyWaiters } from '../../../src/sidecar/ready-waiters';

describe('readyWait', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['wait=1', 1],
    ['wait=60', 60],
    [`wait=${MAX_READY_WAIT_SECONDS}`, MAX_READY_WAIT_SECONDS],
    [`wait=${MAX_READY_WAIT_SECONDS + 1}`, null],
    ['wait=0', null],
    ['wait=-1', null],
    ['wait=1.5', null],
    ['wait=99999', null],
    ['wait=', null],
    ['wait=10&wait=20', null],
    ['other=1', null],
  ])('%p -> %p', (query, expected) => {
    expect(readyWait(query)).toBe(expected);
  });
});

describe('ReadyWaiters', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a held request is answered true by the first check that finds the sidecar ready, not before', async () => {
    let ready = false;
    const w = new ReadyWaiters(() => ready);
    const held = w.wait(60_000)!;
    let answer: boolean | undefined;
    void held.ready.then((ok) => (answer = ok));
    w.check();
    await Promise.resolve();
    expect(answer).toBeUndefined();
    ready = true;
    w.check();
    await Promise.resolve();
    expect(answer).toBe(true);
    expect(w.size).toBe(0);
  });

  it('the wait ends with false, and its timer is gone', async () => {
    const w = new ReadyWaiters(() => false);
    const held = w.wait(5_000)!;
    jest.advanceTimersByTime(4_999);
    expect(w.size).toBe(1);
    jest.advanceTimersByTime(1);
    await expect(held.ready).resolves.toBe(false);
    expect(w.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('release (shutdown) answers every held request false', async () => {
    const w = new ReadyWaiters(() => false);
    const all = [w.wait(60_000)!, w.wait(60_000)!];
    w.release();
    await expect(Promise.all(all.map((h) => h.ready))).resolves.toEqual([false, false]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('at most MAX_READY_WAITERS are held; a cancelled one frees its place and its timer', () => {
    const w = new ReadyWaiters(() => false);
    const held = Array.from({ length: MAX_READY_WAITERS }, () => w.wait(60_000)!);
    expect(held.every(Boolean)).toBe(true);
    expect(w.wait(60_000)).toBeUndefined();
    held[0]!.cancel();
    expect(w.size).toBe(MAX_READY_WAITERS - 1);
    expect(jest.getTimerCount()).toBe(MAX_READY_WAITERS - 1);
    expect(w.wait(60_000)).toBeDefined();
  });
});
