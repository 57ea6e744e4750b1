/**
 * The two servers of `npm run bench injector`, each its own process on 127.0.0.1 with the
 * same certificate: ours through the CLI (on SB_BENCH_NODE or this node, with the chart's
 * NODE_OPTIONS: injector/node-flags.ts), and vault-k8s from SB_BENCH_VAULT_K8S (the binary,
 * built by hand from a fetched copy), run as bench/vault-k8s.ts says; the bench appends
 * `agent-inject` and its flags. Pinned: `taskset -c 0`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { INJECTOR_NODE_OPTIONS } from '../injector/node-flags';
import type { TestCert } from '../test/helpers/tls';
import { processCpuMs } from './proc';
import type { PeerCommand } from './vault-k8s';

export interface Server {
  name: 'ours' | 'peer' | 'floor';
  child: ChildProcess;
  port: number;
}

export const OUR_ENV = { VAULT_ADDR: 'https://vault.vault.svc:8200', SIDECAR_IMAGE: 'registry.example.com/secrets-broker:bench', INJECTOR_LOG_LEVEL: 'warn' };

/** The node binary our injector runs on: the host's, or SB_BENCH_NODE (the image's Node 24, say). */
export const OUR_NODE = process.env.SB_BENCH_NODE ?? process.execPath;

/** `workers`: INJECTOR_WORKERS, or undefined for the default. */
export function startOurs(bin: string, tls: TestCert, port: number, pinned: boolean, workers?: number, extra: Record<string, string> = {}): Server {
  const env = {
    ...process.env, ...OUR_ENV, NODE_OPTIONS: INJECTOR_NODE_OPTIONS, ...extra, INJECTOR_PORT: String(port), INJECTOR_BIND_ADDRESS: '127.0.0.1',
    INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile,
    ...(workers !== undefined && { INJECTOR_WORKERS: String(workers) }),
  };
  return { name: 'ours', port, child: launch([OUR_NODE, bin, 'injector'], env, pinned) };
}

/** The floor (bench/injector-floor.ts) on our node with our heap flags, pinned. */
export function startFloor(tls: TestCert, port: number): Server {
  const env = { ...process.env, NODE_OPTIONS: INJECTOR_NODE_OPTIONS, INJECTOR_PORT: String(port), INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile };
  return { name: 'floor', port, child: launch([OUR_NODE, join(__dirname, 'injector-floor.js')], env, true) };
}

export function startPeer(peer: PeerCommand, tls: TestCert, port: number, pinned: boolean): Server {
  const args = [...peer.argv, 'agent-inject', `-listen=127.0.0.1:${port}`, `-tls-cert-file=${tls.certFile}`, `-tls-key-file=${tls.keyFile}`,
    '-vault-address=https://vault.vault.svc:8200', '-log-level=warn'];
  return { name: 'peer', port, child: launch(args, peer.env, pinned, 'ignore') };
}

// stdout goes nowhere: our audit records are written there, as in a pod, and cost what they cost.
// The peer's stderr too: it logs every probe made before its listener has the certificate.
function launch(argv: string[], env: NodeJS.ProcessEnv, pinned: boolean, stderr: 'inherit' | 'ignore' = 'inherit'): ChildProcess {
  const [cmd, ...args] = pinned ? ['taskset', '-c', '0', ...argv] : argv;
  return spawn(cmd!, args, { env, stdio: ['ignore', 'ignore', stderr] });
}

export async function waitReady(s: Server, ca: string): Promise<void> {
  const path = s.name === 'peer' ? '/health/ready' : '/readyz';
  for (let i = 0; i < 150; i++) {
    if (s.child.exitCode !== null) throw new Error(`${s.name} exited with ${s.child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port: s.port, path, ca, servername: 'localhost' }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 300);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${s.name} did not become ready`);
}

export async function stop(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** The server's process and every process under it (our workers). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while the table was read.
    }
  }
  const out: number[] = [];
  for (const todo = [pid]; todo.length > 0; ) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** utime + stime of each process, in ms (USER_HZ 100); 0 for one that is gone. */
export function cpuByPid(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, processCpuMs(pid) || 0]));
}

/** CPU ms the processes `pids` spent since `before` (a cpuByPid of them), summed. */
export function cpuSince(pids: number[], before: Map<number, number>): number {
  return [...cpuByPid(pids)].reduce((a, [pid, ms]) => a + ms - (before.get(pid) ?? 0), 0);
}

/** A /proc/PID/status figure in MiB: VmRSS now, VmHWM the peak. */
export function statusMiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`)) ?? '';
    return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
}
