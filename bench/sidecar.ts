/**
 * Our sidecar against Vault Agent (the stack's own Vault binary), same Vault, same secret,
 * same pod-bound token file: time to the first secret file, RSS and PSS after a hold,
 * Vault requests per start (from Vault's audit log) and rotation delay. Runs alternate
 * A, B, A, B; figures are medians. Needs the test stack (npm run stack:up) and a build.
 *
 *   npm run bench sidecar -- --runs=5 --hold=20 --rotations=3
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, stack, uniqueName, vault, vaultAuditEntries } from '../test/e2e/helpers/stack';

type Kind = 'ours' | 'agent';
const INTERVAL_S = 10;
const SECRET_PATH = 'secret/data/app/bench';

function arg(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)] ?? NaN;

interface Setup {
  dir: string;
  shm: string;
  tokenFile: string;
  ns: string;
}

async function setup(): Promise<Setup> {
  const ns = uniqueName('bench-sidecar');
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench', namespace: ns }, spec: { serviceAccountName: 'app', automountServiceAccountToken: false, containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } };
  await kubectl(['-n', ns, 'apply', '-f', '-'], JSON.stringify(pod));
  const token = (await kubectl(['-n', ns, 'create', 'token', 'app', '--audience', 'vault', '--duration', '2h', '--bound-object-kind', 'Pod', '--bound-object-name', 'bench'])).trim();
  // Files on a tmpfs, as in a pod; the spec refuses mount paths under /dev, so reach it through a link.
  const shm = mkdtempSync('/dev/shm/sb-bench-');
  const dir = `/tmp/${shm.split('/').pop()}`;
  symlinkSync(shm, dir);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  await writeSecret();
  return { dir, shm, tokenFile, ns };
}

async function writeSecret(): Promise<void> {
  const res = await vault('POST', SECRET_PATH, { data: { user: 'bench', password: randomBytes(18).toString('base64url') } });
  if (res.status !== 200) throw new Error(`writing the benchmark secret: HTTP ${res.status}`);
}

function start(kind: Kind, s: Setup, out: string): ChildProcess {
  const env = stack();
  if (kind === 'ours') {
    const spec = { version: 1, role: 'app', mountPath: out, lifecycle: 'sidecar', rotateIntervalSeconds: INTERVAL_S, notify: { kind: 'none' }, secrets: [{ name: 'bench', path: SECRET_PATH, file: 'bench.json', format: 'json', mode: 0o440 }] };
    return spawn(process.execPath, [join(__dirname, '..', 'src', 'cli', 'bin.js'), 'sidecar'], {
      env: { PATH: process.env.PATH, SECRETS_BROKER_SPEC: JSON.stringify(spec), VAULT_ADDR: env.VAULT_ADDR, VAULT_CACERT: env.VAULT_CACERT, SIDECAR_TOKEN_FILE: s.tokenFile, SIDECAR_HEALTH_PORT: '0', POD_NAME: 'bench', POD_NAMESPACE: s.ns, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
  }
  const hcl = `vault {\n  address = "${env.VAULT_ADDR}"\n  ca_cert = "${env.VAULT_CACERT}"\n}\nauto_auth {\n  method "kubernetes" {\n    mount_path = "auth/kubernetes"\n    config = {\n      role = "app"\n      token_path = "${s.tokenFile}"\n    }\n  }\n}\ntemplate_config {\n  static_secret_render_interval = "${INTERVAL_S}s"\n}\ntemplate {\n  destination = "${out}/bench.json"\n  perms = "0440"\n  contents = "{{ with secret \\"${SECRET_PATH}\\" }}{{ .Data.data | toJSON }}{{ end }}"\n}\n`;
  const config = join(out, '..', `agent-${Date.now()}.hcl`);
  writeFileSync(config, hcl);
  return spawn(join(env.SB_BIN, 'vault'), ['agent', `-config=${config}`, '-log-level=warn'], { stdio: 'ignore' });
}

async function waitFor(check: () => boolean, limitMs: number): Promise<boolean> {
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

async function stop(child: ChildProcess): Promise<void> {
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
    await sleep(1500);
    return { ttffMs, requests: requestsBetween(wall - 5, Date.now()) };
  } finally {
    await stop(child);
  }
}

async function steady(kind: Kind, s: Setup, holdS: number, rotations: number): Promise<{ rss: number; pss: number; delays: number[]; rewrites: number }> {
  const out = mkdtempSync(join(s.dir, `${kind}-steady-`));
  const file = join(out, 'bench.json');
  const child = start(kind, s, out);
  try {
    if (!(await waitFor(() => existsSync(file), 30_000))) throw new Error(`${kind}: no file within 30 s`);
    const delays: number[] = [];
    for (let i = 0; i < rotations; i++) {
      await sleep(Math.random() * INTERVAL_S * 1000);
      const before = readFileSync(file, 'utf8');
      const t0 = Date.now();
      await writeSecret();
      if (await waitFor(() => readFileSync(file, 'utf8') !== before, (INTERVAL_S + 20) * 1000)) delays.push(Date.now() - t0);
    }
    // Unchanged value: does the file get rewritten anyway?
    const mtime = (): number => statSync(file).mtimeMs;
    const m0 = mtime();
    await sleep(Math.max(holdS, INTERVAL_S * 2) * 1000);
    const rewrites = mtime() === m0 ? 0 : 1;
    return { ...memory(child.pid!), delays, rewrites };
  } finally {
    await stop(child);
  }
}

const fmt = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const describe = (r: Record<string, number>): string => Object.entries(r).map(([p, n]) => `${p} ×${n}`).join(', ');

/** Entry point for `npm run bench sidecar`. */
export async function main(args: string[]): Promise<void> {
  const runs = arg(args, 'runs', 5);
  const holdS = arg(args, 'hold', 20);
  const rotations = arg(args, 'rotations', 3);
  const s = await setup();
  try {
    const ttff: Record<Kind, number[]> = { ours: [], agent: [] };
    let lastReq: Record<Kind, Record<string, number>> = { ours: {}, agent: {} };
    for (let i = 0; i < runs; i++) {
      for (const kind of ['ours', 'agent'] as const) {
        const r = await oneStart(kind, s);
        ttff[kind].push(r.ttffMs);
        lastReq = { ...lastReq, [kind]: r.requests };
      }
    }
    const ours = await steady('ours', s, holdS, rotations);
    const agent = await steady('agent', s, holdS, rotations);
    const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
    const rows: Array<[string, string, string, string]> = [
      ['time to first file, median (ms)', fmt(median(ttff.ours)), fmt(median(ttff.agent)), ratio(median(ttff.ours), median(ttff.agent))],
      ['time to first file, slowest (ms)', fmt(Math.max(...ttff.ours)), fmt(Math.max(...ttff.agent)), ratio(Math.max(...ttff.ours), Math.max(...ttff.agent))],
      [`RSS after ${holdS}s+ of rotation (MB)`, fmt(ours.rss), fmt(agent.rss), ratio(ours.rss, agent.rss)],
      ['PSS (MB)', fmt(ours.pss), fmt(agent.pss), ratio(ours.pss, agent.pss)],
      ['Vault requests per start', String(total(lastReq.ours)), String(total(lastReq.agent)), ratio(total(lastReq.ours), total(lastReq.agent))],
      [`rotation delay p50 / p99 (ms; interval ${INTERVAL_S}s)`, `${fmt(median(ours.delays), 0)} / ${fmt(p99(ours.delays), 0)}`, `${fmt(median(agent.delays), 0)} / ${fmt(p99(agent.delays), 0)}`, ratio(p99(ours.delays), p99(agent.delays))],
      ['rotations seen', `${ours.delays.length}/${rotations}`, `${agent.delays.length}/${rotations}`, ''],
      ['rewrites of an unchanged file', String(ours.rewrites), String(agent.rewrites), ''],
    ];
    process.stdout.write('| metric | secrets-broker | Vault Agent | ratio |\n| --- | --- | --- | --- |\n');
    for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
    process.stdout.write(`\nRequests at start, secrets-broker: ${describe(lastReq.ours)}\nRequests at start, Vault Agent: ${describe(lastReq.agent)}\n`);
    process.stdout.write(`Runs: ${runs} starts each, alternating; ${rotations} rotations each at a random phase.\n`);
  } finally {
    rmSync(s.shm, { recursive: true, force: true });
    rmSync(s.dir, { force: true });
    await kubectl(['delete', 'namespace', s.ns, '--wait=false']).catch(() => undefined);
  }
}
