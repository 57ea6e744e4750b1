/**
 * `npm run bench injector`: secrets-broker's injector beside vault-k8s, each its own
 * process over TLS with keep-alive, with the same AdmissionReview files (a small pod, a
 * 1000-env pod, a pod with init containers) carrying both projects' annotations. Pinned:
 * each server on core 0 (`taskset -c 0`, ours with one worker), the load on core 1;
 * requests/s at saturation, CPU ms per request (utime + stime of every process of the
 * server), p50/p99/p99.9 at 200 req/s (after the first second, whose connections open),
 * idle and peak RSS. Unpinned: ours with its default
 * workers, the peer as it comes. Every response is checked: the fixed-rate ones applied
 * and searched for the sidecar, the saturation ones compared with a checked answer.
 * The peer: SB_BENCH_VAULT_K8S (see bench/injector-servers.ts); without it its column
 * says "peer not given". Each case is measured after a warm-up of saturation, whose CPU
 * per request gets its own row: Node compiles its hot code in tiers over the first seconds
 * of load, so the first seconds cost more than the steady state a webhook serves in.
 * Options: --duration=SECONDS (default 5), --warmup=SECONDS (default 5, at least 1).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, deepClone } from 'fast-json-patch';
import { makeCert, type TestCert } from '../test/helpers/tls';
import { findWrk, fixedRate, percentile, saturate } from './injector-load';
import { cpuByPid, cpuSince, processTree, startFloor, startOurs, startPeer, statusMiB, stop, waitReady, type Server } from './injector-servers';
import { vaultK8sCommand } from './vault-k8s';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'admission');
const CASES = [['small pod', 'pod-create-small'], ['1000-env pod', 'pod-create-1000-env'], ['pod with init containers', 'pod-create-init-containers']] as const;
const PEER_ANNOTATIONS = { 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/role': 'shop-web', 'vault.hashicorp.com/agent-inject-secret-db': 'secret/data/shop/db' };
/** The container each server adds, by which a response is known to carry the sidecar (the floor adds none). */
const SIDECAR: Record<Server['name'], string> = { ours: 'secrets-broker', peer: 'vault-agent-init', floor: '' };

type Figures = Map<string, string>;

export async function main(args: string[]): Promise<void> {
  const seconds = numberArg(args, 'duration', 5);
  // Node tiers its hot code up (Maglev, then TurboFan) over the first seconds of load; a
  // webhook serves for days, so each case is measured after this much saturation.
  const warmup = Math.max(1, numberArg(args, 'warmup', 5));
  const time: Time = { seconds, warmup };
  const wrk = findWrk();
  const peerBin = process.env.SB_BENCH_VAULT_K8S;
  // vault-k8s needs an apiserver for its in-cluster client: the running test stack's.
  const peer = peerBin ? await vaultK8sCommand(peerBin) : undefined;
  const bodies = CASES.map(([label, name]) => [label, withPeerAnnotations(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'))] as const);
  const tls = makeCert();
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const bin = join(__dirname, '..', 'src', 'cli', 'bin.js');
  try {
    const ours = await measure((port, pinned) => startOurs(bin, tls, port, pinned, pinned ? 1 : undefined), bodies, tls, dir, wrk, time);
    const theirs = peer ? await measure((port, pinned) => startPeer(peer, tls, port, pinned), bodies, tls, dir, wrk, time) : undefined;
    // vault-k8s has no literal-secret check: ours without it, pinned, bounds what the check costs.
    const off = await measure((port) => startOurs(bin, tls, port, true, 1, { INJECTOR_LITERAL_SECRETS: 'off' }), bodies.slice(0, 2), tls, dir, wrk, time, [true]);
    for (const [label] of bodies.slice(0, 2)) {
      for (const what of ['requests/s', 'CPU ms per request']) {
        const key = `${label}: ${what}, one core`;
        ours.set(`${key}, literal-secret check off`, off.get(key) ?? 'n/a');
        theirs?.set(`${key}, literal-secret check off`, theirs.get(key) ?? 'n/a');
      }
    }
    const floor = await measureFloor(bodies, tls, dir, wrk, time);
    print(ours, theirs, wrk, floor);
  } finally {
    rmSync(tls.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows of one server: pinned, then unpinned. */
async function measure(
  start: (port: number, pinned: boolean) => Server, bodies: ReadonlyArray<readonly [string, string]>, tls: TestCert, dir: string, wrk: string | undefined, time: Time,
  phases = [true, false],
): Promise<Figures> {
  const out: Figures = new Map();
  for (const pinned of phases) {
    const server = start(await freePort(), pinned);
    try {
      await waitReady(server, tls.cert);
      await new Promise((r) => setTimeout(r, 1000));
      const tag = pinned ? 'one core' : 'unpinned';
      if (pinned) out.set('idle RSS (MiB)', sumRss(server, 'VmRSS').toFixed(1));
      for (const [label, body] of bodies) await oneCase(out, server, label, body, { tls, dir, wrk, ...time, pinned });
      const workers = processTree(server.child.pid!);
      out.set(`peak RSS, largest process (MiB), ${tag}`, Math.max(...workers.map((p) => statusMiB(p, 'VmHWM'))).toFixed(1));
      out.set(`peak RSS, all processes (MiB), ${tag}`, `${sumRss(server, 'VmHWM').toFixed(1)} (${workers.length} process${workers.length > 1 ? 'es' : ''})`);
    } finally {
      await stop(server);
    }
  }
  return out;
}

interface Floor {
  idle: number;
  peak: number;
  /** CPU ms per request at saturation, by case label, after the same warm-up as ours. */
  cpu: Map<string, number>;
}

/** The floor (bench/injector-floor.ts) under the same saturation as ours, pinned: idle and peak RSS, CPU per request. */
async function measureFloor(bodies: ReadonlyArray<readonly [string, string]>, tls: TestCert, dir: string, wrk: string | undefined, time: Time): Promise<Floor> {
  const server = startFloor(tls, await freePort());
  try {
    await waitReady(server, tls.cert);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = statusMiB(server.child.pid!, 'VmRSS');
    const url = `https://127.0.0.1:${server.port}/mutate`;
    const cpu = new Map<string, number>();
    for (const [label, body] of bodies) {
      const answer = await post(server.port, body, tls.cert);
      await saturate(wrk, url, body, answer, dir, time.warmup, true);
      const pids = [server.child.pid!];
      const before = cpuByPid(pids);
      const sat = await saturate(wrk, url, body, answer, dir, time.seconds, true);
      cpu.set(label, cpuSince(pids, before) / Math.max(1, sat.requests));
    }
    return { idle, peak: statusMiB(server.child.pid!, 'VmHWM'), cpu };
  } finally {
    await stop(server);
  }
}

/** Seconds of each measurement, and of the saturation before it. */
interface Time {
  seconds: number;
  warmup: number;
}

interface Run extends Time {
  tls: TestCert;
  dir: string;
  wrk: string | undefined;
  pinned: boolean;
}

function numberArg(args: string[], name: string, fallback: number): number {
  const value = new RegExp(`^--${name}=(\\d+)$`).exec(args.find((a) => a.startsWith(`--${name}=`)) ?? '')?.[1];
  return value === undefined ? fallback : Number(value);
}

/** One file against one server: the warm-up, saturation (and CPU), then, pinned, the fixed rate. */
async function oneCase(out: Figures, server: Server, label: string, body: string, run: Run): Promise<void> {
  const { tls, dir, wrk, seconds, warmup, pinned } = run;
  const tag = pinned ? 'one core' : 'unpinned';
  const url = `https://127.0.0.1:${server.port}/mutate`;
  const reference = await post(server.port, body, tls.cert);
  const checked = checkResponse(reference, body, SIDECAR[server.name]);
  const pids = processTree(server.child.pid!);
  const start = cpuByPid(pids);
  const warm = await saturate(wrk, url, body, reference, dir, warmup, pinned);
  const warmCpu = cpuSince(pids, start);
  const before = cpuByPid(pids);
  const sat = await saturate(wrk, url, body, reference, dir, seconds, pinned);
  const cpu = cpuSince(pids, before);
  out.set(`${label}: requests/s, ${tag}`, Math.round(sat.perSecond).toString());
  out.set(`${label}: failed responses at saturation, ${tag}`, `${checked ? sat.bad + warm.bad : sat.requests + warm.requests} of ${sat.requests + warm.requests}`);
  if (!pinned) return;
  out.set(`${label}: CPU ms per request, one core`, (cpu / Math.max(1, sat.requests)).toFixed(3));
  out.set(`${label}: CPU ms per request in the ${warmup} s warm-up before, one core`, (warmCpu / Math.max(1, warm.requests)).toFixed(3));
  const fixed = await fixedRate(url, body, seconds);
  const bad = fixed.bodies.filter((b) => !checkResponse(b, body, SIDECAR[server.name])).length + fixed.failed;
  out.set(`${label}: p50 / p99 / p99.9 at 200 req/s (ms)`, [50, 99, 99.9].map((p) => percentile(fixed.latencies, p).toFixed(2)).join(' / '));
  out.set(`${label}: slowest answer at 200 req/s while the 10 connections open (ms, the first second, not in the percentiles)`, fixed.openingMaxMs.toFixed(2));
  out.set(`${label}: failed responses at 200 req/s`, `${bad} of ${fixed.bodies.length}`);
}

function print(ours: Figures, theirs: Figures | undefined, wrk: string | undefined, floor: Floor): void {
  const lines = ['| metric | secrets-broker | vault-k8s v1.7.6 | ratio |', '| --- | --- | --- | --- |'];
  for (const [metric, value] of ours) {
    const peer = theirs?.get(metric);
    const ratio = peer !== undefined && /^[\d.]+$/.test(value) && /^[\d.]+$/.test(peer) && Number(peer) > 0 ? (Number(value) / Number(peer)).toFixed(2) : 'n/a';
    lines.push(`| ${metric} | ${value} | ${peer ?? 'peer not given'} | ${ratio} |`);
  }
  const peerPeak = Number(theirs?.get('peak RSS, largest process (MiB), one core'));
  const bound = Number.isFinite(peerPeak) ? `; 1.5x vault-k8s's peak is ${(1.5 * peerPeak).toFixed(1)} MiB` : '';
  const cpu = [...floor.cpu].map(([label, ms]) => `${label} ${ms.toFixed(3)}`).join(', ');
  lines.push('', `floor, one core (bench/injector-floor.ts: node's own https on our node and heap flags, reading and JSON.parse-ing the same bodies, one fixed answer of 90 bytes): idle RSS ${floor.idle.toFixed(1)} MiB, peak RSS ${floor.peak.toFixed(1)} MiB${bound}; CPU ms per request: ${cpu}`);
  process.stdout.write(`${lines.join('\n')}\n\nload: ${wrk ? `wrk (${wrk}) at saturation, autocannon at 200 req/s` : 'autocannon only: wrk not found (install it, or name it in SB_BENCH_WRK); a Node client on one core may saturate before the server'}\n`);
}

function withPeerAnnotations(text: string): string {
  const review = JSON.parse(text) as { request: { object: { metadata: { annotations?: Record<string, string> } } } };
  const meta = review.request.object.metadata;
  meta.annotations = { ...meta.annotations, ...PEER_ANNOTATIONS };
  return JSON.stringify(review);
}

/** The patch applies to the request's pod and adds the sidecar. */
function checkResponse(resBody: string, reqBody: string, sidecar: string): boolean {
  try {
    const response = JSON.parse(resBody).response;
    const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    const after = applyPatch(deepClone(JSON.parse(reqBody).request.object), patch, true, false).newDocument;
    return response.allowed === true && after.spec.initContainers.some((c: { name: string }) => c.name === sidecar);
  } catch {
    return false;
  }
}

function post(port: number, body: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function sumRss(server: Server, key: 'VmRSS' | 'VmHWM'): number {
  return processTree(server.child.pid!).reduce((a, p) => a + statusMiB(p, key), 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
