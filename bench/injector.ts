/**
 * `npm run bench injector`: the injector over TLS with keep-alive (autocannon), as its own
 * process started through the CLI, with the AdmissionReview fixtures of the tests:
 * latency at a fixed 200 req/s, saturation throughput, CPU-ms per request, idle and peak
 * RSS; every response of the fixed-rate run is checked (the patch applies and contains
 * the sidecar). Plus a micro-benchmark of building the patch for the 1000-env pod.
 * The peer (vault-k8s) cannot be built here; its column says so.
 * Options: --duration=SECONDS (default 10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { applyPatch, deepClone } from 'fast-json-patch';
import { parseReview, reviewPod } from '../src/inject/review';
import { loadInjectorConfig } from '../src/config/injector';
import { makeCert, type TestCert } from '../test/helpers/tls';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'admission');
const CASES = [
  ['small pod', 'pod-create-small'],
  ['1000 env vars', 'pod-create-1000-env'],
  ['existing init containers', 'pod-create-init-containers'],
] as const;
const PEER = 'unavailable (module proxy refuses vault-k8s)';
const ENV = { VAULT_ADDR: 'https://vault.vault.svc:8200', SIDECAR_IMAGE: 'registry.example.com/secrets-broker:bench', INJECTOR_LOG_LEVEL: 'warn' };

interface Row {
  metric: string;
  ours: string;
}

export async function main(args: string[]): Promise<void> {
  const duration = Number(/^--duration=(\d+)$/.exec(args.find((a) => a.startsWith('--duration=')) ?? '')?.[1] ?? 10);
  const rows: Row[] = [];
  rows.push(...micro());
  const tls = makeCert();
  const port = await freePort();
  const child = startChild(tls, port);
  try {
    await waitReady(port, tls.cert);
    await sleep(1000);
    rows.push({ metric: 'idle RSS (MiB)', ours: mib(procStatus(child, 'VmRSS')) });
    for (const [label, name] of CASES) rows.push(...(await oneCase(label, readFileSync(join(FIXTURES, `${name}.json`), 'utf8'), port, child, duration)));
    rows.push({ metric: 'peak RSS (MiB)', ours: mib(procStatus(child, 'VmHWM')) });
  } finally {
    child.kill('SIGTERM');
    rmSync(tls.dir, { recursive: true, force: true });
  }
  process.stdout.write('| metric | secrets-broker | vault-k8s | ratio |\n| --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.metric} | ${r.ours} | ${PEER} | n/a |\n`);
}

/** Building the patch in process: the 1000-env pod, target under 2 ms. */
function micro(): Row[] {
  const body = readFileSync(join(FIXTURES, 'pod-create-1000-env.json'), 'utf8');
  const config = loadInjectorConfig({ ...ENV, INJECTOR_TLS_CERT_FILE: '-', INJECTOR_TLS_KEY_FILE: '-' });
  const review = parseReview(JSON.parse(body));
  const build: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < 2200; i++) {
    let t = process.hrtime.bigint();
    reviewPod(review, { config });
    const built = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    reviewPod(parseReview(JSON.parse(body)), { config });
    const parsed = Number(process.hrtime.bigint() - t) / 1e6;
    if (i >= 200) {
      build.push(built);
      full.push(parsed);
    }
  }
  return [
    { metric: 'patch build, 1000-env pod, p50 / p99 (ms)', ours: `${fmt(pct(build, 50))} / ${fmt(pct(build, 99))}` },
    { metric: 'JSON parse + patch build, 1000-env pod, p50 / p99 (ms)', ours: `${fmt(pct(full, 50))} / ${fmt(pct(full, 99))}` },
  ];
}

async function oneCase(label: string, body: string, port: number, child: ChildProcess, duration: number): Promise<Row[]> {
  const url = `https://127.0.0.1:${port}/mutate`;
  const headers = { 'content-type': 'application/json' };
  // Warm-up, then the fixed rate with every response checked.
  await autocannon({ url, method: 'POST', body, headers, connections: 4, duration: 2 });
  const latencies: number[] = [];
  const bodies: string[] = [];
  const cpu0 = cpuMs(child);
  const fixedResult = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url, connections: 10, overallRate: 200, duration,
        // Kept for checking after the run, so checking does not slow the client down.
        requests: [{ method: 'POST', body, headers, onResponse: (_status: number, resBody: string) => void bodies.push(resBody) }],
      },
      (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)),
    );
    instance.on('response', (_c, _status, _bytes, ms) => latencies.push(ms));
  });
  const bad = bodies.filter((b) => !checkResponse(200, b, body)).length;
  const cpu = (cpuMs(child) - cpu0) / Math.max(1, fixedResult.requests.total);
  const sat = await autocannon({ url, method: 'POST', body, headers, connections: 16, duration });
  return [
    { metric: `${label}: p50 / p99 / p99.9 at 200 req/s (ms)`, ours: `${fmt(pct(latencies, 50))} / ${fmt(pct(latencies, 99))} / ${fmt(pct(latencies, 99.9))}` },
    { metric: `${label}: responses checked / failed`, ours: `${latencies.length} / ${bad + fixedResult.non2xx + fixedResult.errors}` },
    { metric: `${label}: CPU per request (ms)`, ours: fmt(cpu) },
    { metric: `${label}: saturation (req/s, 16 connections)`, ours: Math.round(sat.requests.average).toString() },
  ];
}

/** The patch applies to the request's pod and adds the sidecar. */
function checkResponse(status: number, resBody: string, reqBody: string): boolean {
  if (status !== 200) return false;
  try {
    const response = JSON.parse(resBody).response;
    const pod = JSON.parse(reqBody).request.object;
    const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    const after = applyPatch(deepClone(pod), patch, true, false).newDocument;
    return after.spec.initContainers.some((c: { name: string }) => c.name === 'secrets-broker');
  } catch {
    return false;
  }
}

function startChild(tls: TestCert, port: number): ChildProcess {
  const bin = join(__dirname, '..', 'src', 'cli', 'bin.js');
  return spawn(process.execPath, [bin, 'injector'], {
    env: { ...process.env, ...ENV, INJECTOR_PORT: String(port), INJECTOR_BIND_ADDRESS: '127.0.0.1', INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitReady(port: number, ca: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, servername: 'localhost' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error('injector did not become ready');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function cpuMs(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ 100)
}

function procStatus(child: ChildProcess, key: string): number {
  const line = readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`)) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) * 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const fmt = (n: number): string => n.toFixed(n < 10 ? 3 : 1);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}
