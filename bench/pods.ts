/**
 * `npm run bench pods`: pod start in the stack's real node (SB_NODE=1 npm run stack:up),
 * the same app pod injected by secrets-broker (the chart, npm run stack:install) and by
 * vault-k8s with Vault Agent (bench/pods-peer.ts; SB_BENCH_VAULT_K8S, else "peer not
 * given"). Same image, same secret, same policy; alternating. The app (the project's image
 * running a node script) exits 1 when its secret file is missing and otherwise prints
 * Date.now(): apply-to-app-running is that minus the time just before `kubectl apply`. It exits
 * on SIGTERM (as PID 1 it would otherwise wait out the grace period at every deletion).
 *
 *   --pods=N    pods one at a time per side (default 10)
 *   --burst=N   pods applied at once per side (default 20)
 *   --hold=S    seconds one pod of each runs before its sidecar's RSS is read (default 300)
 *
 * Also: Vault logins and reads per pod start (Vault's audit log, by the pod's namespace),
 * and CPU seconds per pod start (the pod's cpuacct cgroup, 5 s after the app started).
 * And the node's floors, in namespaces neither webhook selects, one at a time and in a burst:
 * the same app pod with no secret and no injector; the same again with one idle native
 * sidecar (the project's image running node, started before the app and ready at once),
 * which no one-sidecar design can start faster; and the same with a native sidecar that only
 * logs in with the pod's projected token, reads the secret and writes it (node's own https),
 * its postStart hook holding the app until the file is there: the least a sidecar that
 * fetches a secret costs the node. `--only=floor` runs the floors alone.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubectl, stack, uniqueName, vault, vaultAuditEntries } from '../test/e2e/helpers/stack';
import { agentImage, startPeer, type Peer } from './pods-peer';
import { renderedAt, type Side } from './pods-logs';

const repo = join(__dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const KV = 'secret/data/bench/pods';
const ROLE = 'bench-pods';
const PEER_ROLE = 'bench-pods-vk';

interface Sample { ms: number; cpuS?: number; byContainer?: Record<string, number>; renderedMs?: number }
interface ContainerStatus { name: string; state: { running?: object }; containerID?: string }
interface PodJson {
  metadata: { name: string; uid: string };
  status: { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

const arg = (args: string[], name: string, dflt: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/**
 * A side, or a floor: `plain`, the app pod without secrets or injection; `sidecar`, the same
 * with one idle native sidecar; `fetch`, the same with a native sidecar that only logs in to
 * Vault, reads the secret and writes it (node's own `https`), its postStart hook holding the
 * app until the file is there.
 */
type Kind = Side | 'plain' | 'sidecar' | 'fetch';
const FLOORS: readonly Kind[] = ['plain', 'sidecar', 'fetch'];
const KINDS: readonly Kind[] = ['ours', 'peer', ...FLOORS];
const byKind = <T>(f: () => T): Record<Kind, T> => Object.fromEntries(KINDS.map((k) => [k, f()])) as Record<Kind, T>;

const ANNOTATIONS: Record<Kind, Record<string, string>> = {
  ours: { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/role': ROLE, 'secrets-broker.io/secret-config': KV },
  peer: { 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/role': PEER_ROLE, 'vault.hashicorp.com/agent-inject-secret-config': KV },
  plain: {},
  sidecar: {},
  fetch: {},
};

/** The idle native sidecar of the `sidecar` floor: the project's image running node, ready as soon as it runs. */
function idleSidecar(): object {
  return {
    name: 'idle', image: `secrets-broker:${version}`, imagePullPolicy: 'IfNotPresent', restartPolicy: 'Always',
    command: ['node', '-e', "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1e9);"],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '25m', memory: '48Mi' }, limits: { memory: '128Mi' } },
  };
}

/**
 * The `fetch` floor's sidecar: the least a sidecar that fetches the secret does, in the same
 * image and node. Node's own `https`, the pod's projected token, one login, one read, the file
 * written; then it waits. Its postStart hook (bash builtins, as our gate) returns once the
 * file is there, so the app starts after it. It is bench/sidecar-floor.ts's work written out
 * inline: the image holds no bench code.
 */
const FETCH_SCRIPT = `const fs = require('node:fs'), https = require('node:https');
const base = new URL(process.env.VAULT_ADDR), agent = new https.Agent({ keepAlive: true, ca: process.env.VAULT_CA });
const call = (method, path, body, token) => new Promise((ok, no) => {
  const req = https.request({ host: base.hostname, port: base.port, method, path: '/v1/' + path, agent, headers: { 'content-type': 'application/json', ...(token && { 'X-Vault-Token': token }) } }, (res) => {
    let t = ''; res.on('data', (c) => (t += c)); res.on('end', () => (res.statusCode === 200 ? ok(JSON.parse(t)) : no(new Error(path + ': HTTP ' + res.statusCode))));
  });
  req.on('error', no); req.end(body && JSON.stringify(body));
});
process.on('SIGTERM', () => process.exit(0));
(async () => {
  const jwt = fs.readFileSync('/var/run/secrets/floor/token', 'utf8');
  const login = await call('POST', 'auth/kubernetes/login', { role: process.env.ROLE, jwt });
  const secret = await call('GET', process.env.KV, undefined, login.auth.client_token);
  fs.writeFileSync('/floor/config.tmp', JSON.stringify(secret.data.data), { mode: 0o440 });
  fs.renameSync('/floor/config.tmp', '/floor/config');
  setInterval(() => {}, 1e9);
})().catch((e) => { console.error(e.message); process.exit(1); });`;
// `exit 0` after the loop: an until loop's status is its body's last, here read's timeout (142), which fails the hook.
const FETCH_GATE = 'exec 9<> <(:); n=0; until [[ -s /floor/config ]]; do (( ++n < 6000 )) || exit 1; read -r -t 0.01 -u 9; done; exit 0';

let fetchContainer: object | undefined;

/** The `fetch` floor's sidecar container, built once (its env carries the stack's CA, read from disk). */
function fetchSidecar(): object {
  return (fetchContainer ??= buildFetchSidecar());
}

function buildFetchSidecar(): object {
  const s = stack() as unknown as { POD_VAULT_ADDR: string; STACK_CA_CERT: string };
  return {
    name: 'fetch', image: `secrets-broker:${version}`, imagePullPolicy: 'IfNotPresent', restartPolicy: 'Always',
    command: ['node', '-e', FETCH_SCRIPT],
    env: [{ name: 'VAULT_ADDR', value: s.POD_VAULT_ADDR }, { name: 'VAULT_CA', value: readFileSync(s.STACK_CA_CERT, 'utf8') }, { name: 'ROLE', value: ROLE }, { name: 'KV', value: KV }],
    lifecycle: { postStart: { exec: { command: ['/bin/bash', '-c', FETCH_GATE] } } },
    volumeMounts: [{ name: 'floor', mountPath: '/floor' }, { name: 'floor-token', mountPath: '/var/run/secrets/floor', readOnly: true }],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '25m', memory: '48Mi' }, limits: { memory: '128Mi' } },
  };
}

const FETCH_VOLUMES = [
  { name: 'floor', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
  { name: 'floor-token', projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }] } },
];

function appPod(kind: Kind, name: string, ns: string): object {
  const file = kind === 'ours' ? '/secrets/config' : kind === 'fetch' ? '/floor/config' : '/vault/secrets/config';
  const check = kind === 'plain' || kind === 'sidecar' ? '' : `if (!require('node:fs').existsSync(${JSON.stringify(file)})) process.exit(1); `;
  const script = `${check}console.log(JSON.stringify({ t: Date.now() })); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1e9);`;
  const annotations = ANNOTATIONS[kind];
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels: { bench: 'pods' }, annotations },
    spec: {
      serviceAccountName: 'app', restartPolicy: 'Never',
      ...(kind === 'sidecar' && { initContainers: [idleSidecar()] }),
      ...(kind === 'fetch' && { initContainers: [fetchSidecar()], volumes: FETCH_VOLUMES }),
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'main', image: `secrets-broker:${version}`, imagePullPolicy: 'IfNotPresent', command: ['node', '-e', script],
        ...(kind === 'fetch' && { volumeMounts: [{ name: 'floor', mountPath: '/floor', readOnly: true }] }),
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '500m', memory: '128Mi' } } }],
    },
  };
}

/** Non-idle and total CPU time of the whole machine so far (/proc/stat, clock ticks). */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

async function pods(ns: string): Promise<PodJson[]> {
  return (JSON.parse(await kubectl(['-n', ns, 'get', 'pods', '-l', 'bench=pods', '-o', 'json'])) as { items: PodJson[] }).items;
}

/** The pod's cgroup directory under a v1 hierarchy (cgroupfs driver), or undefined. */
function podCgroup(hierarchy: string, uid: string): string | undefined {
  const root = `/sys/fs/cgroup/${hierarchy}/kubepods`;
  for (const dir of [root, join(root, 'burstable'), join(root, 'besteffort')]) {
    const p = join(dir, `pod${uid}`);
    if (existsSync(p)) return p;
  }
  return undefined;
}
const podCpuS = (uid: string): number | undefined => {
  const d = podCgroup('cpuacct', uid);
  return d ? Number(readFileSync(join(d, 'cpuacct.usage'), 'utf8')) / 1e9 : undefined;
};

/** CPU seconds of each running container of the pod (its cgroup under the pod's), the pause sandbox's and exited containers'. */
function containerCpuS(p: PodJson): Record<string, number> {
  const d = podCgroup('cpuacct', p.metadata.uid);
  if (!d) return {};
  const names = new Map([...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])]
    .map((c) => [(c.containerID ?? '').replace(/^containerd:\/\//, ''), c.name] as const));
  const out: Record<string, number> = {};
  for (const dir of readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const id = [...names.keys()].find((k) => k !== '' && dir.name.startsWith(k));
    const name = id === undefined ? 'sandbox' : names.get(id)!;
    out[name] = (out[name] ?? 0) + Number(readFileSync(join(d, dir.name, 'cpuacct.usage'), 'utf8')) / 1e9;
  }
  // An exited container's cgroup is gone, its CPU stays in the pod's.
  const total = Number(readFileSync(join(d, 'cpuacct.usage'), 'utf8')) / 1e9;
  out['exited containers'] = Math.max(0, total - Object.values(out).reduce((a, b) => a + b, 0));
  return out;
}

/** Applies `names` at once and waits until every app printed its start; resolves each pod's sample. */
async function start(side: Kind, ns: string, names: string[], busy?: { share: number }): Promise<Sample[]> {
  const docs = names.map((n) => appPod(side, n, ns));
  const cpu0 = machineCpu();
  const t0 = Date.now();
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
  const running = (p: PodJson): boolean => p.status.containerStatuses?.find((c) => c.name === 'main')?.state.running !== undefined;
  for (let i = 0; ; i++) {
    const list = (await pods(ns)).filter((p) => names.includes(p.metadata.name));
    if (list.some((p) => p.status.phase === 'Failed')) throw new Error(`${side}: a pod failed (its app found no secret file)`);
    if (list.length === names.length && list.every(running)) break;
    if (Date.now() - t0 > 240_000) throw new Error(`${side}: pods not running after 240 s`);
    await new Promise((r) => setTimeout(r, 100 + (i > 50 ? 400 : 0)));
  }
  const cpu1 = machineCpu();
  if (busy) busy.share = (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total);
  const list = (await pods(ns)).filter((p) => names.includes(p.metadata.name));
  const samples: Sample[] = [];
  for (const p of list) {
    let t: number | undefined;
    for (let i = 0; i < 50 && t === undefined; i++) {
      const line = (await kubectl(['-n', ns, 'logs', p.metadata.name, '-c', 'main'])).split('\n').find((l) => l.startsWith('{"t":'));
      t = line ? (JSON.parse(line) as { t: number }).t : undefined;
      if (t === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    const writer = side === 'ours' ? 'secrets-broker' : 'vault-agent-init';
    const rendered = side !== 'ours' && side !== 'peer' ? undefined : renderedAt(side, await kubectl(['-n', ns, 'logs', p.metadata.name, '-c', writer]).catch(() => ''));
    samples.push({ ms: (t ?? NaN) - t0, ...(rendered !== undefined && { renderedMs: rendered - t0 }) });
  }
  // Pod start CPU: the pod's whole cgroup (our sidecar and its gate; vault-k8s's init and sidecar agents), once settled.
  await new Promise((r) => setTimeout(r, 5000));
  const settled = (await pods(ns)).filter((p) => names.includes(p.metadata.name));
  list.forEach((p, i) => {
    samples[i]!.cpuS = podCpuS(p.metadata.uid);
    samples[i]!.byContainer = containerCpuS(settled.find((q) => q.metadata.uid === p.metadata.uid) ?? p);
  });
  return samples;
}

async function clear(ns: string): Promise<void> {
  await kubectl(['-n', ns, 'delete', 'pods', '-l', 'bench=pods', '--wait=true', '--timeout=180s']);
}

/** Resident memory (MB) of the processes of container `name` in the pod. */
function containerRssMb(p: PodJson, name: string): number {
  const all = [...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])];
  const id = (all.find((c) => c.name === name)?.containerID ?? '').replace(/^containerd:\/\//, '');
  const podDir = podCgroup('memory', p.metadata.uid);
  if (!podDir || !id) return NaN;
  const dir = readdirSync(podDir).find((d) => d.startsWith(id)) ?? id;
  const procs = readFileSync(join(podDir, dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  return procs.reduce((kb, pid) => kb + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0), 0) / 1024;
}

/** Vault requests of one namespace's pods since `since` (ISO time), from Vault's audit log. */
interface AuditEntry { time: string; type: string; request: { path: string }; auth?: { metadata?: Record<string, string> } }
function vaultRequests(ns: string, since: string): { logins: number; reads: number; other: number } {
  const byNs = (e: AuditEntry): boolean => e.auth?.metadata?.service_account_namespace === ns;
  const entries = (vaultAuditEntries() as AuditEntry[]).filter((e) => e.time >= since);
  const logins = entries.filter((e) => e.type === 'response' && e.request.path === 'auth/kubernetes/login' && byNs(e)).length;
  const reqs = entries.filter((e) => e.type === 'request' && byNs(e));
  const reads = reqs.filter((e) => e.request.path === KV).length;
  return { logins, reads, other: reqs.length - reads };
}

export async function main(args: string[]): Promise<void> {
  const n = arg(args, 'pods', 10);
  const burst = arg(args, 'burst', 20);
  const hold = arg(args, 'hold', 300);
  const s = stack() as unknown as { SB_NODE?: string };
  if (s.SB_NODE !== '1') throw new Error('bench pods needs the stack with its node: SB_NODE=1 npm run stack:up');
  await promisify(execFile)('bash', [join(repo, 'test', 'stack', 'install.sh')], { cwd: repo });
  const peerBin = process.env.SB_BENCH_VAULT_K8S;
  const floorOnly = args.includes('--only=floor');
  const sides: Side[] = floorOnly ? [] : peerBin ? ['ours', 'peer'] : ['ours'];
  const policy = `path "${KV}" { capabilities = ["read"] }\npath "secret/metadata/bench/pods" { capabilities = ["read"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }`;
  await vault('PUT', `sys/policies/acl/${ROLE}`, { policy });
  await vault('POST', `auth/kubernetes/role/${ROLE}`, { bound_service_account_names: 'app', bound_service_account_namespaces: '*', audience: 'vault', token_policies: ROLE, token_ttl: '1h' });
  // vault-k8s's agent logs in with the pod's default token (the apiserver's audience).
  await vault('POST', `auth/kubernetes/role/${PEER_ROLE}`, { bound_service_account_names: 'app', bound_service_account_namespaces: '*', token_policies: ROLE, token_ttl: '1h' });
  await vault('POST', KV, { data: { password: randomBytes(16).toString('hex') } });
  const ns: Record<Kind, string> = { ours: uniqueName('bench-ours'), peer: uniqueName('bench-peer'), plain: uniqueName('bench-plain'), sidecar: uniqueName('bench-idle'), fetch: uniqueName('bench-fetch') };
  const kinds: Kind[] = [...sides, ...FLOORS];
  let peer: Peer | undefined;
  try {
    if (peerBin && !floorOnly) peer = await startPeer(peerBin, agentImage(repo), 18443);
    for (const side of kinds) {
      await kubectl(['create', 'namespace', ns[side]]);
      if (!FLOORS.includes(side)) await kubectl(['label', 'namespace', ns[side], `secrets-broker-stack=${side === 'ours' ? 'enabled' : peer!.selector}`]);
      await kubectl(['-n', ns[side], 'wait', '--for=create', 'configmap/kube-root-ca.crt', '--timeout=60s']);
      await kubectl(['-n', ns[side], 'create', 'serviceaccount', 'app']);
    }
    // One pod each first, not counted: the image's pages and the node's caches warm up.
    for (const side of kinds) {
      await start(side, ns[side], ['warm']);
      await clear(ns[side]);
    }
    const since = new Date().toISOString();
    const one = byKind<Sample[]>(() => []);
    for (let i = 0; i < n; i++) {
      for (const side of i % 2 === 0 ? kinds : [...kinds].reverse()) {
        one[side].push(...(await start(side, ns[side], [`one-${i}`])));
        await clear(ns[side]);
      }
    }
    const calls = Object.fromEntries((['ours', 'peer'] as const).map((side) => [side, vaultRequests(ns[side], since)])) as Record<Side, ReturnType<typeof vaultRequests>>;
    const many = byKind<Sample[]>(() => []);
    const busy = byKind(() => ({ share: NaN }));
    for (const side of kinds) {
      many[side] = await start(side, ns[side], Array.from({ length: burst }, (_, i) => `burst-${i}`), busy[side]);
      await clear(ns[side]);
    }
    for (const side of sides) await start(side, ns[side], ['hold']);
    if (sides.length > 0) await new Promise((r) => setTimeout(r, hold * 1000));
    const rss: Record<Side, number> = { ours: NaN, peer: NaN };
    for (const side of sides) rss[side] = containerRssMb((await pods(ns[side]))[0]!, side === 'ours' ? 'secrets-broker' : 'vault-agent');
    printTable({ one, many, busy, calls, rss, n, burst, hold, peer: peerBin !== undefined && !floorOnly });
  } finally {
    for (const side of kinds) await kubectl(['delete', 'namespace', ns[side], '--wait=false']).catch(() => undefined);
    await peer?.stop();
  }
}

interface Results {
  one: Record<Kind, Sample[]>;
  many: Record<Kind, Sample[]>;
  /** The machine's CPU busy share from the burst's apply until every app ran. */
  busy: Record<Kind, { share: number }>;
  calls: Record<Side, { logins: number; reads: number; other: number }>;
  rss: Record<Side, number>;
  n: number;
  burst: number;
  hold: number;
  peer: boolean;
}

function printTable(r: Results): void {
  const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const row = (what: string, ours: number, peer: number, d = 0): string =>
    `| ${what} | ${f(ours, d)} | ${r.peer ? f(peer, d) : 'peer not given'} | ${r.peer && peer > 0 ? `${(ours / peer).toFixed(2)}×` : '-'} |`;
  const ms = (x: Sample[]): number[] => x.map((s) => s.ms);
  const cpu = (x: Sample[]): number => x.reduce((a, s) => a + (s.cpuS ?? NaN), 0) / x.length;
  const part = (x: Sample[], which: 'rendered' | 'after'): number[] => x.map((s) => (s.renderedMs === undefined ? NaN : which === 'rendered' ? s.renderedMs : s.ms - s.renderedMs));
  const per = (side: Side, k: 'logins' | 'reads' | 'other'): number => r.calls[side][k] / r.n;
  const lines = [
    '| metric | secrets-broker | vault-k8s + Vault Agent | ratio |',
    '| --- | --- | --- | --- |',
    row(`apply to app running, one at a time, p50 (ms, ${r.n} pods)`, pct(ms(r.one.ours), 50), pct(ms(r.one.peer), 50)),
    row(`apply to app running, one at a time, p95 (ms)`, pct(ms(r.one.ours), 95), pct(ms(r.one.peer), 95)),
    row(`apply to app running, ${r.burst} at once, p50 (ms)`, pct(ms(r.many.ours), 50), pct(ms(r.many.peer), 50)),
    row(`apply to app running, ${r.burst} at once, p95 (ms)`, pct(ms(r.many.ours), 95), pct(ms(r.many.peer), 95)),
    row('Vault logins per pod start', per('ours', 'logins'), per('peer', 'logins'), 1),
    row('Vault reads of the secret per pod start', per('ours', 'reads'), per('peer', 'reads'), 1),
    row('other Vault requests per pod start', per('ours', 'other'), per('peer', 'other'), 1),
    row('CPU seconds per pod start (pod cgroup, one at a time)', cpu(r.one.ours), cpu(r.one.peer), 3),
    row('apply to last secret file written, one at a time, p50 (ms)', pct(part(r.one.ours, 'rendered'), 50), pct(part(r.one.peer, 'rendered'), 50)),
    row('last secret file to app running, one at a time, p50 (ms)', pct(part(r.one.ours, 'after'), 50), pct(part(r.one.peer, 'after'), 50)),
    row(`machine CPU busy while ${r.burst} pods start at once (%)`, r.busy.ours.share * 100, r.busy.peer.share * 100),
    row(`sidecar RSS after ${r.hold} s (MB)`, r.rss.ours, r.rss.peer, 1),
  ];
  const byContainer = (x: Sample[]): string => {
    const sums: Record<string, number> = {};
    for (const smp of x) for (const [k, v] of Object.entries(smp.byContainer ?? {})) sums[k] = (sums[k] ?? 0) + v;
    return Object.entries(sums).map(([k, v]) => `${k} ${(v / x.length).toFixed(3)}`).join(', ');
  };
  lines.push('', `CPU seconds per pod start by container, one at a time: secrets-broker pods: ${byContainer(r.one.ours)}`);
  if (r.peer) lines.push(`vault-k8s pods: ${byContainer(r.one.peer)}`);
  const target = r.peer ? ` (0.7× vault-k8s's burst p95 is ${f(0.7 * pct(ms(r.many.peer), 95))} ms)` : '';
  lines.push('', `floors, pods no webhook selects${target}:`);
  const floors = [['plain', 'the app pod alone'], ['sidecar', 'the app pod and one idle native sidecar'], ['fetch', 'the app pod and a native sidecar that only logs in, reads and writes the secret (node\'s https), its postStart hook waiting for the file']] as const;
  for (const [kind, what] of floors) {
    lines.push(`- ${what}: one at a time p50 ${f(pct(ms(r.one[kind]), 50))} ms; ${r.burst} at once p50 ${f(pct(ms(r.many[kind]), 50))} ms, p95 ${f(pct(ms(r.many[kind]), 95))} ms; machine CPU busy ${f(r.busy[kind].share * 100)} %; CPU per pod start ${f(cpu(r.one[kind]), 3)} s`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
