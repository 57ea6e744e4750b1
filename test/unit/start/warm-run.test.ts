/**
 * The start-up snapshot's build-time run (src/start/warm-run.ts): it must really render its
 * secret (or fail the build), and leave no file, directory or handle behind, since a
 * snapshot cannot hold a handle and its temporary files would outlive the build.
 */
import crypto from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { cannedTransport, warmLoopback, warmOnce } from '../../../src/start/warm-run';
import { waitFor } from '../../helpers/wait';
import type { RawRequest, RawResponse, Transport } from '../../../src/vault/transport';

const warmDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('sb-warm-'));
const tcpHandles = (): string[] => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));

/** The canned answers, with requests matching `fail` (`METHOD /path`) answered `status` instead. */
function failing(fail: RegExp, status: number, seen: string[]): Transport {
  const canned = cannedTransport();
  const send = (req: RawRequest): Promise<RawResponse> => {
    const path = new URL(req.uri).pathname;
    seen.push(`${req.method} ${path}`);
    return fail.test(`${req.method} ${path}`) ? Promise.resolve({ statusCode: status, body: { errors: ['permission denied'] }, request: { path } }) : canned(req);
  };
  return Object.assign(send, { close: (): void => undefined });
}

afterEach(() => jest.useRealTimers());

it('logs in, learns the mount, reads and renders the secret, and removes its directory', async () => {
  const before = warmDirs();
  const seen: string[] = [];
  await expect(warmOnce(cannedTransport(seen))).resolves.toBeUndefined();
  expect(seen).toEqual(['POST /v1/auth/kubernetes/login', 'GET /v1/sys/internal/ui/mounts/secret/data/warm', 'GET /v1/secret/data/warm']);
  expect(warmDirs()).toEqual(before);
});

it("draws no UUID: node's pool of them, filled while a snapshot is built, would be the same in every sidecar", async () => {
  const uuid = jest.spyOn(crypto, 'randomUUID');
  try {
    await warmOnce();
    await warmLoopback();
    expect(uuid).not.toHaveBeenCalled();
  } finally {
    uuid.mockRestore();
  }
});

it.each([
  ['the login is refused', /login$/, 403],
  ['the secret is missing', /^GET \/v1\/secret\//, 404],
])('rejects, failing the build, when %s (and still removes its directory)', async (_what, fail, status) => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const before = warmDirs();
  const seen: string[] = [];
  let settled = false;
  const run = warmOnce(failing(fail, status, seen)).finally(() => (settled = true));
  run.catch(() => undefined);
  // The --once retries wait on timers: move the clock until the run has given up.
  while (!settled) await jest.advanceTimersByTimeAsync(60_000);
  await expect(run).rejects.toThrow(/warm-up run exited 1/);
  expect(seen.some((r) => fail.test(r))).toBe(true);
  expect(warmDirs()).toEqual(before);
});

it('the loopback exchange closes its server and both sockets (the build waits for its event loop to empty)', async () => {
  const before = tcpHandles();
  await warmLoopback();
  await waitFor('the loopback handles to close', () => tcpHandles().length === before.length);
  expect(tcpHandles()).toEqual(before);
});
