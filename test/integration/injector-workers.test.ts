/**
 * INJECTOR_WORKERS=2 for real: a primary and two worker processes (node:cluster) on one
 * port. What must stay single stays single: one audit trail, written by the primary, and
 * metrics that a scrape sees merged whichever worker answers.
 */
import cluster from 'node:cluster';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { runPrimary } from '../../injector/primary';
import { MemoryAuditSink } from '../../src/audit/writer';
import { captureLogger } from '../helpers/log-capture';
import { BASE_ENV, fixture, testConfig } from '../helpers/injector';
import { freePort } from '../helpers/net';
import { makeCert } from '../helpers/tls';
import { waitFor } from '../helpers/wait';

const REQUESTS = 20;

/** A certificate, a port and the settings of an injector with two workers, which run test/helpers/injector-worker.js. */
async function twoWorkers(): Promise<{ tls: ReturnType<typeof makeCert>; port: number; env: Record<string, string> }> {
  const tls = makeCert();
  const port = await freePort();
  const env = {
    ...BASE_ENV, INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile, INJECTOR_PORT: String(port),
    INJECTOR_BIND_ADDRESS: '127.0.0.1', INJECTOR_LOG_LEVEL: 'warn', INJECTOR_WORKERS: '2',
  };
  cluster.setupPrimary({ exec: join(__dirname, '..', 'helpers', 'injector-worker.js'), args: [] });
  return { tls, port, env };
}

/** One request on a connection of its own, so that the primary hands each to the next worker. */
function call(port: number, ca: string, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request({ host: '127.0.0.1', port, path, method, ca, servername: 'localhost', agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('two workers answer every request once; the primary writes every audit record; each scrape shows the totals', async () => {
  const { tls, port, env } = await twoWorkers();
  const audit = new MemoryAuditSink();
  let stop = (): void => undefined;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const primary = runPrimary(testConfig(env), 2, { audit, logger: captureLogger('injector', 'warn').logger, processMetrics: false, until, workerEnv: env });
  try {
    await waitFor('a worker is ready', async () => (await call(port, tls.cert, 'GET', '/readyz')).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
    const review = fixture('pod-create-small');
    const uids = Array.from({ length: REQUESTS }, (_, i) => `worker-test-${i}`);
    for (const uid of uids) {
      const res = await call(port, tls.cert, 'POST', '/mutate', JSON.stringify({ ...review, request: { ...review.request, uid } }));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text).response).toMatchObject({ uid, allowed: true });
    }
    for (let scrape = 0; scrape < 4; scrape++) {
      const metrics = (await call(port, tls.cert, 'GET', '/metrics')).text;
      expect(metrics).toContain(`secrets_broker_injector_requests_total{code="200"} ${REQUESTS}\n`);
      expect(metrics).toContain(`secrets_broker_injector_injections_total{namespace="shop"} ${REQUESTS}\n`);
    }
    await waitFor('every audit record reached the primary', () => audit.entries.length === REQUESTS);
    expect(audit.entries.map((e) => e.detail?.requestUid).sort()).toEqual([...uids].sort());
  } finally {
    stop();
    await primary;
    rmSync(tls.dir, { recursive: true, force: true });
  }
}, 60_000);

it('a stop signal while the workers are still starting stops them (as PID 1 in a container, a signal nobody handles is dropped)', async () => {
  const { tls, env } = await twoWorkers();
  const forked: number[] = [];
  const onFork = (w: { process: { pid?: number } }): void => void forked.push(w.process.pid ?? -1);
  cluster.on('fork', onFork);
  try {
    // Signalled before any worker could listen: runPrimary must still end, its workers gone.
    await runPrimary(testConfig(env), 2, { audit: new MemoryAuditSink(), logger: captureLogger('injector', 'warn').logger, processMetrics: false, until: Promise.resolve(), workerEnv: env });
    expect(forked).toHaveLength(2);
    expect(Object.keys(cluster.workers ?? {})).toEqual([]);
  } finally {
    cluster.off('fork', onFork);
    rmSync(tls.dir, { recursive: true, force: true });
  }
});

it('a worker that dies while serving is replaced: the primary logs it, forks another, and every request is still answered', async () => {
  const { tls, port, env } = await twoWorkers();
  const audit = new MemoryAuditSink();
  const log = captureLogger('injector', 'warn');
  const forked: number[] = [];
  const onFork = (w: { process: { pid?: number } }): void => void forked.push(w.process.pid ?? -1);
  cluster.on('fork', onFork);
  // Each worker tells the primary when it listens; a worker killed before both have is a failed start, not this case.
  let listening = 0;
  const onMessage = (_w: unknown, m: unknown): void => void ((m as { sb?: unknown } | null)?.sb === 'listening' && listening++);
  cluster.on('message', onMessage);
  let stop = (): void => undefined;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const primary = runPrimary(testConfig(env), 2, { audit, logger: log.logger, processMetrics: false, until, workerEnv: env });
  try {
    await waitFor('both workers listen', () => listening === 2, { timeoutMs: 30_000, intervalMs: 50 });
    await waitFor('a worker is ready', async () => (await call(port, tls.cert, 'GET', '/readyz')).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
    expect(forked).toHaveLength(2);
    process.kill(forked[0]!, 'SIGKILL');
    await waitFor('a third worker forked', () => forked.length === 3, { timeoutMs: 30_000, intervalMs: 50 });
    expect(log.lines()).toContainEqual(expect.objectContaining({ msg: 'injector worker exited; starting another', signal: 'SIGKILL' }));
    const review = fixture('pod-create-small');
    // Answered by the survivor at once and, once it listens, by the new worker too.
    for (let i = 0; i < REQUESTS; i++) {
      const res = await call(port, tls.cert, 'POST', '/mutate', JSON.stringify({ ...review, request: { ...review.request, uid: `after-${i}` } }));
      expect(res.status).toBe(200);
    }
    await waitFor('the new worker listens', async () => (await call(port, tls.cert, 'GET', '/readyz')).status === 200 && Object.keys(cluster.workers ?? {}).length === 2, { timeoutMs: 30_000, intervalMs: 200 });
    await waitFor('every audit record reached the primary', () => audit.entries.length === REQUESTS);
    expect(forked).toHaveLength(3);
  } finally {
    stop();
    await primary;
    cluster.off('fork', onFork);
    cluster.off('message', onMessage);
    rmSync(tls.dir, { recursive: true, force: true });
  }
}, 60_000);
