/**
 * The injector's heap cap (injector/node-flags.ts) against the costliest bodies it admits:
 * a real injector process, started with exactly those flags, gets each of them from 16
 * connections at once (the apiserver's concurrency in the benchmark) and must answer every
 * request, each with the decision expected of it, and stay up. Bodies past the guards (more
 * values than MAX_JSON_ITEMS, a million empty arrays in 3 MiB) are refused with a 400 naming
 * the limit, before JSON.parse; pods past the size limits (src/inject/limits.ts) are denied.
 */
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { INJECTOR_NODE_FLAGS } from '../../injector/node-flags';
import { BODY_LIMIT_BYTES } from '../../injector/mutate';
import { MAX_JSON_ITEMS } from '../../src/inject/json';
import { BASE_ENV } from '../helpers/injector';
import { freePort } from '../helpers/net';
import { startProcess, type RunningProcess } from '../helpers/process';
import { makeCert } from '../helpers/tls';
import { waitFor } from '../helpers/wait';
import { worstBodies } from '../helpers/worst-bodies';

jest.setTimeout(120_000);

const CONCURRENT = 16;
const tls = makeCert();
let port = 0;
let server: RunningProcess;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT, ca: tls.cert });

function post(path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request({ host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', servername: 'localhost', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** As post, but a connection the server closed (its request timeout, below) is status 0 instead of a rejection. */
function postOrClosed(path: string, body: string): Promise<{ status: number; text: string }> {
  return post(path, body).catch(() => ({ status: 0, text: '' }));
}

beforeAll(async () => {
  port = await freePort();
  const env = {
    ...process.env, ...BASE_ENV, INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile, INJECTOR_PORT: String(port),
    INJECTOR_BIND_ADDRESS: '127.0.0.1', INJECTOR_LOG_LEVEL: 'error', INJECTOR_WORKERS: '1', NODE_OPTIONS: '',
  };
  server = startProcess(process.execPath, [...INJECTOR_NODE_FLAGS, join(__dirname, '..', 'helpers', 'injector-worker.js')], { env });
  await waitFor('the injector is ready', async () => (await post('/readyz')).status === 200, { timeoutMs: 60_000, intervalMs: 200, detail: () => server.stderr() });
});

afterAll(async () => {
  agent.destroy();
  await server.stop();
  rmSync(tls.dir, { recursive: true, force: true });
});

const overLimit: Array<[string, string, RegExp]> = [
  ['a million empty arrays in 3 MiB', `[${'[],'.repeat(Math.floor((BODY_LIMIT_BYTES - 3) / 3) - 1)}[]]`, new RegExp(`more than ${MAX_JSON_ITEMS} values`)],
  ['one value and key past the limit', `{${Array.from({ length: MAX_JSON_ITEMS / 2 + 1 }, (_, i) => `"k${i}":0`).join(',')}}`, new RegExp(`more than ${MAX_JSON_ITEMS} values`)],
];

it.each(overLimit)('%s: 400 naming the limit, before any parse', async (_label, body, reason) => {
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
  const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => post('/mutate', body)));
  expect(answers.map((a) => a.status)).toEqual(Array(CONCURRENT).fill(400));
  expect(JSON.parse(answers[0]!.text).error).toMatch(reason);
  expect(server.running()).toBe(true);
});

const STATUS = { allowed: 200, denied: 200, malformed: 400 } as const;

const bodies = worstBodies().map(([label, body, expected]) => [`${label} (${expected})`, body, expected] as const);

it.each(bodies)('%s, from 16 connections at once: every one answered, the process up', async (_label, body, expected) => {
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
  const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => postOrClosed('/mutate', body)));
  // The pod size limits (src/inject/limits.ts) bound each review, so sixteen of the costliest
  // bodies are all answered inside the 8 s request timeout: no 408, no closed connection.
  expect(answers.map((a) => a.status)).toEqual(Array(CONCURRENT).fill(STATUS[expected]));
  if (expected !== 'malformed') {
    const response = JSON.parse(answers[0]!.text).response as { allowed: boolean; patch?: string };
    expect(response.allowed).toBe(expected === 'allowed');
    expect(response.patch !== undefined).toBe(expected === 'allowed');
  }
  expect(server.running()).toBe(true);
  expect((await post('/healthz')).status).toBe(200);
});
