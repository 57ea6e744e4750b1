/** A real HTTPS listener on 127.0.0.1: TLS versions, slowloris (T4), certificate reload. */
import { copyFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { startInjector, type RunningInjector } from '../../injector/main';
import { MemoryAuditSink } from '../../src/audit/writer';
import { fixture, testConfig } from '../helpers/injector';
import { captureLogger } from '../helpers/log-capture';
import { makeCert, type TestCert } from '../helpers/tls';
import { waitFor } from '../helpers/wait';

let tls: TestCert;
let running: RunningInjector;
const log = captureLogger('injector', 'info');
const RELOAD_SECONDS = 1;

beforeAll(async () => {
  tls = makeCert();
  const config = testConfig({
    INJECTOR_BIND_ADDRESS: '127.0.0.1',
    INJECTOR_TLS_CERT_FILE: tls.certFile,
    INJECTOR_TLS_KEY_FILE: tls.keyFile,
    INJECTOR_TLS_RELOAD_SECONDS: String(RELOAD_SECONDS),
  });
  config.port = 0;
  running = await startInjector(config, { logger: log.logger, audit: new MemoryAuditSink() });
});

afterAll(async () => {
  await running.close();
  rmSync(tls.dir, { recursive: true, force: true });
});

function post(body: string, ca: string): Promise<{ status: number; json: { response: Record<string, unknown> } }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: running.port, path: '/mutate', method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function tlsConnect(opts: Record<string, unknown>): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: running.port, servername: 'localhost', ca: tls.cert, ...opts }, () => resolve(socket));
    socket.on('error', reject);
  });
}

it('answers an AdmissionReview over TLS, verified against its own certificate', async () => {
  const review = fixture('pod-create-small');
  const res = await post(JSON.stringify(review), tls.cert);
  expect(res.status).toBe(200);
  expect(res.json.response).toMatchObject({ uid: review.request.uid, allowed: true, patchType: 'JSONPatch' });
});

it('refuses TLS 1.1', async () => {
  await expect(tlsConnect({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
});

it('drops a slowloris connection well inside the webhook timeout (T4)', async () => {
  const socket = await tlsConnect({});
  const started = Date.now();
  const head = 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Slow: ';
  let i = 0;
  const drip = setInterval(() => {
    if (!socket.destroyed) socket.write(head[i++ % head.length] ?? 'a');
  }, 200);
  const closedAfter = await new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  clearInterval(drip);
  // headersTimeout 5 s, checked every second; the apiserver's default webhook timeout is 10 s.
  expect(closedAfter).toBeGreaterThanOrEqual(4000);
  expect(closedAfter).toBeLessThan(8000);
}, 15000);

it('drops a client that never finishes the handshake', async () => {
  const { connect: netConnect } = await import('node:net');
  const started = Date.now();
  const closedAfter = await new Promise<number>((resolve) => {
    const s = netConnect(running.port, '127.0.0.1');
    s.on('close', () => resolve(Date.now() - started));
    s.on('error', () => undefined);
  });
  expect(closedAfter).toBeLessThan(10000);
}, 15000);

it('reloads the certificate when the files change, without a restart', async () => {
  const next = makeCert(undefined, 'next');
  const reloads = () => log.lines().filter((l) => l.msg === 'serving certificate reloaded').length;
  copyFileSync(next.keyFile, tls.keyFile);
  copyFileSync(next.certFile, tls.certFile);
  // A check between the two copies sees a mismatched pair and keeps the old one; the next check reloads.
  await waitFor('the certificate reload', () => reloads() === 1, { timeoutMs: 2 * RELOAD_SECONDS * 1000 + 1000 });
  const socket = await tlsConnect({ ca: [tls.cert, next.cert] });
  const served = socket.getPeerX509Certificate()?.toString() ?? '';
  socket.destroy();
  expect(served.trim()).toBe(next.cert.trim());
  rmSync(next.dir, { recursive: true, force: true });
}, 10000);
