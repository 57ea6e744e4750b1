/**
 * Our sidecar against Vault Agent (the stack's own Vault binary), same Vault, same secret,
 * same pod-bound token file: time to the first secret file, RSS and PSS after a hold,
 * Vault requests per start (from Vault's audit log) and rotation delay. Runs alternate
 * A, B, A, B; figures are medians. Needs the test stack (npm run stack:up) and a build.
 *
 *   npm run bench sidecar -- --runs=5 --hold=600 --rotations=20 --fleet=50 [--parts=start,steady,fleet]
 *
 * SB_BENCH_NODE names the node our sidecar runs on, SB_BENCH_SNAPSHOT a start-up snapshot
 * blob that node built (started as the injector starts it, `--snapshot-blob`), and
 * NODE_COMPILE_CACHE is passed on. bench/sidecar-ab.ts compares two launches of ours.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sidecarLaunch } from '../src/sidecar-env';
import { processCpuMs } from './proc';
import { kubectl, podBoundToken, stack, uniqueName, vault, vaultAuditEntries } from '../test/e2e/helpers/stack';

/** `floor`: bench/sidecar-floor.ts, the least a Node.js sidecar does (printed beside the table). */
type Kind = 'ours' | 'agent' | 'floor';
export const INTERVAL_S = 10;
export const SECRET_PATH = 'secret/data/app/bench';
/** The node binary our sidecar runs on: the host's, or SB_BENCH_NODE (the image's Node 24, say). */
export const NODE = process.env.SB_BENCH_NODE ?? process.execPath;
/** Passed to our sidecar when set: NODE_COMPILE_CACHE (a warmed module compile cache, Node 22+). */
const PASSED_ENV = Object.fromEntries(['NODE_COMPILE_CACHE'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));

export function arg(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)] ?? NaN;

export interface Setup {
  dir: string;
  shm: string;
  tokenFile: string;
  ns: string;
}

export async function setup(): Promise<Setup> {
  const ns = uniqueName('bench-sidecar');
  const token = await podBoundToken(ns, 'bench', '2h');
  // Files on a tmpfs, as in a pod; the spec refuses mount paths under /dev, so reach it through a link.
  const shm = mkdtempSync('/dev/shm/sb-bench-');
  const dir = `/tmp/${shm.split('/').pop()}`;
  symlinkSync(shm, dir);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  await writeSecret();
  // Lets the audit log tell the two clients apart when they run side by side.
  const audited = await vault('POST', 'sys/config/auditing/request-headers/user-agent', { hmac: false });
  if (audited.status !== 204 && audited.status !== 200) throw new Error(`auditing the User-Agent header: HTTP ${audited.status}`);
  return { dir, shm, tokenFile, ns };
}

async function writeSecret(): Promise<void> {
  const res = await vault('POST', SECRET_PATH, { data: { user: 'bench', password: randomBytes(18).toString('base64url') } });
  if (res.status !== 200) throw new Error(`writing the benchmark secret: HTTP ${res.status}`);
}

/** The CLI of this build (dist/src/cli/bin.js). */
export const BUILT_CLI = join(__dirname, '..', 'src', 'cli', 'bin.js');

/** Our sidecar on `node` (SB_BENCH_NODE or the host's) with the given arguments before `sidecar`, rendering the bench secret to `out`. */
export function spawnOurs(s: Setup, out: string, nodeArgs: string[], extraEnv: Record<string, string>, node = NODE): ChildProcess {
  const env = stack();
  const spec = { version: 1, role: 'app', mountPath: out, lifecycle: 'sidecar', rotateIntervalSeconds: INTERVAL_S, notify: { kind: 'none' }, secrets: [{ name: 'bench', path: SECRET_PATH, file: 'bench.json', format: 'json', mode: 0o440 }] };
  return spawn(node, [...nodeArgs, 'sidecar'], {
    env: { ...extraEnv, PATH: process.env.PATH, SECRETS_BROKER_SPEC: JSON.stringify(spec), VAULT_ADDR: env.VAULT_ADDR, VAULT_CACERT: env.VAULT_CACERT, SIDECAR_TOKEN_FILE: s.tokenFile, SIDECAR_HEALTH_PORT: '0', POD_NAME: 'bench', POD_NAMESPACE: s.ns, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
}

export function start(kind: Kind, s: Setup, out: string): ChildProcess {
  const env = stack();
  if (kind === 'ours') {
    // Started as the injector starts it: the same node flags and TLS environment.
    const launch = sidecarLaunch(env.VAULT_CACERT, process.env.SB_BENCH_SNAPSHOT);
    return spawnOurs(s, out, [...launch.nodeFlags, BUILT_CLI], { ...launch.env, ...PASSED_ENV });
  }
  if (kind === 'floor') {
    const floorEnv = { PATH: process.env.PATH, VAULT_ADDR: env.VAULT_ADDR, VAULT_CACERT: env.VAULT_CACERT, SIDECAR_TOKEN_FILE: s.tokenFile, FLOOR_OUT: join(out, 'bench.json') };
    return spawn(NODE, [join(__dirname, 'sidecar-floor.js'), 'app', SECRET_PATH], { env: floorEnv, stdio: 'ignore' });
  }
  const hcl = `vault {\n  address = "${env.VAULT_ADDR}"\n  ca_cert = "${env.VAULT_CACERT}"\n}\nauto_auth {\n  method "kubernetes" {\n    mount_path = "auth/kubernetes"\n    config = {\n      role = "app"\n      token_path = "${s.tokenFile}"\n    }\n  }\n}\ntemplate_config {\n  static_secret_render_interval = "${INTERVAL_S}s"\n}\ntemplate {\n  destination = "${out}/bench.json"\n  perms = "0440"\n  contents = "{{ with secret \\"${SECRET_PATH}\\" }}{{ .Data.data | toJSON }}{{ end }}"\n}\n`;
  const config = join(out, '..', `agent-${Date.now()}.hcl`);
  writeFileSync(config, hcl);
  return spawn(join(env.SB_BIN, 'vault'), ['agent', `-config=${config}`, '-log-level=warn'], { stdio: 'ignore' });
}

export async function waitFor(check: () => boolean, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(2);
  }
  return false;
}

function memory(pid: number): { rss: number; pss: number } {
  const kb = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  return { rss: kb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'), pss: kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([done, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Vault requests between two wall-clock instants, by path. */
function requestsBetween(fromMs: number, toMs: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of vaultAuditEntries()) {
    const t = Date.parse(e.time);
    if (e.type !== 'request' || t < fromMs || t > toMs) continue;
    counts[e.request.path] = (counts[e.request.path] ?? 0) + 1;
  }
  return counts;
}

interface StartResult {
  ttffMs: number;
  /** CPU the process had spent when its file appeared. */
  cpuMs: number;
  requests: Record<string, number>;
}

async function oneStart(kind: Kind, s: Setup): Promise<StartResult> {
  const out = mkdtempSync(join(s.dir, `${kind}-`));
  const file = join(out, 'bench.json');
  const wall = Date.now();
  const t0 = process.hrtime.bigint();
  const child = start(kind, s, out);
  try {
    if (!(await waitFor(() => existsSync(file), 30_000))) throw new Error(`${kind}: no file within 30 s`);
    const ttffMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = processCpuMs(child.pid);
    await sleep(1500);
    return { ttffMs, cpuMs: cpu, requests: requestsBetween(wall - 5, Date.now()) };
  } finally {
    await stop(child);
  }
}

interface Steady {
  rss: number;
  pss: number;
  delays: number[];
  rewrites: number;
  /** Vault requests per rotation interval while the value did not change. */
  idleRequestsPerInterval: number;
}

/**
 * Both agents run side by side on the same secret: each new KV version is written once, at a
 * random phase, and both files are timed from that write. After the rotations the value is
 * left alone for the hold: the files must not be rewritten, and Vault's audit log gives the
 * requests each one makes per interval. Memory is read at the end of the hold.
 */
async function steady(s: Setup, holdS: number, rotations: number): Promise<Record<Kind, Steady>> {
  const kinds = ['ours', 'agent'] as const;
  const runs = kinds.map((kind) => {
    const out = mkdtempSync(join(s.dir, `${kind}-steady-`));
    return { kind, file: join(out, 'bench.json'), child: start(kind, s, out) };
  });
  try {
    for (const r of runs) if (!(await waitFor(() => existsSync(r.file), 30_000))) throw new Error(`${r.kind}: no file within 30 s`);
    const delays: Record<(typeof kinds)[number], number[]> = { ours: [], agent: [] };
    for (let i = 0; i < rotations; i++) {
      await sleep(Math.random() * INTERVAL_S * 1000);
      const before = runs.map((r) => readFileSync(r.file, 'utf8'));
      const t0 = Date.now();
      await writeSecret();
      await Promise.all(
        runs.map(async (r, j) => {
          if (await waitFor(() => readFileSync(r.file, 'utf8') !== before[j], (INTERVAL_S + 20) * 1000)) delays[r.kind].push(Date.now() - t0);
        }),
      );
    }
    // Unchanged value: does either file get rewritten, and what does each ask of Vault?
    const mtimes = runs.map((r) => statSync(r.file).mtimeMs);
    const from = Date.now();
    const held = Math.max(holdS, INTERVAL_S * 2);
    await sleep(held * 1000);
    const requests = tokenRequestsBetween(from, Date.now());
    const result = {} as Record<Kind, Steady>;
    runs.forEach((r, j) => {
      result[r.kind] = {
        ...memory(r.child.pid!),
        delays: delays[r.kind],
        rewrites: statSync(r.file).mtimeMs === mtimes[j] ? 0 : 1,
        idleRequestsPerInterval: (requests.get(r.kind) ?? 0) / (held / INTERVAL_S),
      };
    });
    return result;
  } finally {
    await Promise.all(runs.map((r) => stop(r.child)));
  }
}

/** Requests in a window, by the client that made them (setup() has Vault audit the User-Agent header). */
function tokenRequestsBetween(fromMs: number, toMs: number): Map<Kind, number> {
  const counts = new Map<Kind, number>();
  for (const e of vaultAuditEntries()) {
    const t = Date.parse(e.time);
    if (e.type !== 'request' || t < fromMs || t > toMs) continue;
    const kind = clientOf(e);
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

function clientOf(entry: { request?: { headers?: Record<string, string[]> } }): Kind | undefined {
  const ua = entry.request?.headers?.['user-agent']?.[0] ?? '';
  if (ua.startsWith('secrets-broker/')) return 'ours';
  if (/agent/i.test(ua)) return 'agent';
  return undefined;
}

interface FleetResult {
  ttff: number[];
  failed: number;
  requests: number;
  loginP99Ms: number;
}

/** `n` instances of one agent started in the same instant, each with its own output directory. */
async function fleet(kind: Kind, s: Setup, n: number): Promise<FleetResult> {
  const wall = Date.now();
  const t0 = process.hrtime.bigint();
  const members = Array.from({ length: n }, (_, i) => {
    const out = mkdtempSync(join(s.dir, `${kind}-fleet-${i}-`));
    return { file: join(out, 'bench.json'), child: start(kind, s, out), ttff: NaN };
  });
  try {
    const deadline = Date.now() + 60_000;
    let pending = members;
    while (pending.length > 0 && Date.now() < deadline) {
      const now = Number(process.hrtime.bigint() - t0) / 1e6;
      pending.filter((m) => existsSync(m.file)).forEach((m) => (m.ttff = now));
      pending = pending.filter((m) => Number.isNaN(m.ttff) && m.child.exitCode === null);
      await sleep(2);
    }
    await sleep(1500);
    const ok = members.filter((m) => Number.isFinite(m.ttff));
    const logins = loginLatencies(wall - 5, Date.now());
    return { ttff: ok.map((m) => m.ttff), failed: n - ok.length, requests: requestCount(wall - 5, Date.now()), loginP99Ms: p99(logins) };
  } finally {
    await Promise.all(members.map((m) => stop(m.child)));
  }
}

/** Kubernetes logins in a window, from request to response in Vault's audit log (ms). */
function loginLatencies(fromMs: number, toMs: number): number[] {
  const requests = new Map<string, number>();
  const out: number[] = [];
  for (const e of vaultAuditEntries()) {
    const t = Date.parse(e.time);
    if (t < fromMs || t > toMs || e.request?.path !== 'auth/kubernetes/login') continue;
    if (e.type === 'request') requests.set(e.request.id, t);
    else if (requests.has(e.request.id)) out.push(t - requests.get(e.request.id)!);
  }
  return out;
}

function requestCount(fromMs: number, toMs: number): number {
  return Object.values(requestsBetween(fromMs, toMs)).reduce((a, b) => a + b, 0);
}

const fmt = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const describe = (r: Record<string, number>): string => Object.entries(r).map(([p, n]) => `${p} ×${n}`).join(', ');

const PARTS = ['start', 'steady', 'fleet'] as const;

const KINDS: readonly Kind[] = ['ours', 'agent', 'floor'];

/** `runs` single starts of each, in turn: ours, Agent, the floor, ours, ... */
async function starts(s: Setup, runs: number): Promise<{ ttff: Record<Kind, number[]>; cpu: Record<Kind, number[]>; lastReq: Record<Kind, Record<string, number>> }> {
  const ttff: Record<Kind, number[]> = { ours: [], agent: [], floor: [] };
  const cpu: Record<Kind, number[]> = { ours: [], agent: [], floor: [] };
  const lastReq: Record<Kind, Record<string, number>> = { ours: {}, agent: {}, floor: {} };
  for (let i = 0; i < runs * KINDS.length; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const r = await oneStart(kind, s);
    ttff[kind].push(r.ttffMs);
    cpu[kind].push(r.cpuMs);
    lastReq[kind] = r.requests;
  }
  return { ttff, cpu, lastReq };
}

/** Entry point for `npm run bench sidecar`. */
export async function main(args: string[]): Promise<void> {
  const runs = arg(args, 'runs', 5);
  const holdS = arg(args, 'hold', 600);
  const rotations = arg(args, 'rotations', 20);
  const fleetSize = arg(args, 'fleet', 50);
  const partsArg = args.find((a) => a.startsWith('--parts='))?.split('=')[1];
  const parts = new Set(partsArg ? partsArg.split(',') : PARTS);
  const s = await setup();
  const rows: Array<[string, string, string, string]> = [];
  const notes: string[] = [];
  try {
    if (parts.has('start')) {
      const { ttff, cpu, lastReq } = await starts(s, runs);
      const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
      rows.push(
        ['time to first file, median (ms)', fmt(median(ttff.ours)), fmt(median(ttff.agent)), ratio(median(ttff.ours), median(ttff.agent))],
        ['time to first file, slowest (ms)', fmt(Math.max(...ttff.ours)), fmt(Math.max(...ttff.agent)), ratio(Math.max(...ttff.ours), Math.max(...ttff.agent))],
        ['CPU to the first file, median (ms, the process\'s utime + stime)', fmt(median(cpu.ours), 0), fmt(median(cpu.agent), 0), ratio(median(cpu.ours), median(cpu.agent))],
        ['Vault requests per start', String(total(lastReq.ours)), String(total(lastReq.agent)), ratio(total(lastReq.ours), total(lastReq.agent))],
      );
      notes.push(`Floor (bench/sidecar-floor.ts on the same node: node's own https, the login, the read and the file, no snapshot): first file median ${fmt(median(ttff.floor))} ms, CPU to it ${fmt(median(cpu.floor), 0)} ms, ${total(lastReq.floor)} Vault requests.`);
      notes.push(`Requests at start, secrets-broker: ${describe(lastReq.ours)}`, `Requests at start, Vault Agent: ${describe(lastReq.agent)}`, `Starts: ${runs} each, alternating.`);
    }
    if (parts.has('steady')) {
      const st = await steady(s, holdS, rotations);
      const { ours, agent } = st;
      rows.push(
        [`rotation delay p50 / p99 (ms; interval ${INTERVAL_S}s)`, `${fmt(median(ours.delays), 0)} / ${fmt(p99(ours.delays), 0)}`, `${fmt(median(agent.delays), 0)} / ${fmt(p99(agent.delays), 0)}`, ratio(p99(ours.delays), p99(agent.delays))],
        ['rotations seen', `${ours.delays.length}/${rotations}`, `${agent.delays.length}/${rotations}`, ''],
        [`RSS after rotations and a ${holdS}s hold (MB)`, fmt(ours.rss), fmt(agent.rss), ratio(ours.rss, agent.rss)],
        ['PSS (MB)', fmt(ours.pss), fmt(agent.pss), ratio(ours.pss, agent.pss)],
        ['Vault requests per interval, value unchanged', fmt(ours.idleRequestsPerInterval, 2), fmt(agent.idleRequestsPerInterval, 2), ratio(ours.idleRequestsPerInterval, agent.idleRequestsPerInterval)],
        ['rewrites of an unchanged file', String(ours.rewrites), String(agent.rewrites), ''],
      );
      notes.push(`Steady: both run side by side; ${rotations} rotations at random phases, then a ${holdS}s hold with the value unchanged.`);
    }
    if (parts.has('fleet')) {
      const f: Record<Kind, FleetResult> = { ours: await fleet('ours', s, fleetSize), agent: await fleet('agent', s, fleetSize), floor: await fleet('floor', s, fleetSize) };
      rows.push(
        [`fleet of ${fleetSize}: failed starts`, String(f.ours.failed), String(f.agent.failed), ''],
        [`fleet of ${fleetSize}: first file p50 / p99 (ms)`, `${fmt(median(f.ours.ttff), 0)} / ${fmt(p99(f.ours.ttff), 0)}`, `${fmt(median(f.agent.ttff), 0)} / ${fmt(p99(f.agent.ttff), 0)}`, ratio(p99(f.ours.ttff), p99(f.agent.ttff))],
        [`fleet of ${fleetSize}: Vault login p99 (ms, Vault's audit log)`, fmt(f.ours.loginP99Ms, 0), fmt(f.agent.loginP99Ms, 0), ratio(f.ours.loginP99Ms, f.agent.loginP99Ms)],
        [`fleet of ${fleetSize}: Vault requests per member`, fmt(f.ours.requests / fleetSize, 2), fmt(f.agent.requests / fleetSize, 2), ratio(f.ours.requests, f.agent.requests)],
      );
      notes.push(`Floor fleet of ${fleetSize}: first file p50 / p99 ${fmt(median(f.floor.ttff), 0)} / ${fmt(p99(f.floor.ttff), 0)} ms, ${f.floor.failed} failed.`);
      notes.push(`Fleet: ${fleetSize} processes of each started in the same instant on this machine's ${cpus().length} cores, one run each.`);
    }
    process.stdout.write('| metric | secrets-broker | Vault Agent | ratio |\n| --- | --- | --- | --- |\n');
    for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
    process.stdout.write(`\n${notes.join('\n')}\n`);
  } finally {
    await teardown(s);
  }
}

/** Removes what setup() made. */
export async function teardown(s: Setup): Promise<void> {
  rmSync(s.shm, { recursive: true, force: true });
  rmSync(s.dir, { force: true });
  await kubectl(['delete', 'namespace', s.ns, '--wait=false']).catch(() => undefined);
}
