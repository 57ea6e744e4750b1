/**
 * Tells the application its files changed: a signal to the app containers' main
 * processes (shareProcessNamespace), or a POST to a loopback URL. Never throws.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Notify } from '../spec';

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** The process's user (owner of /proc/<pid>); absent when unknown. */
  uid?: number;
}

/** Every process under a /proc root (injectable for tests). */
export async function listProcesses(procRoot: string): Promise<ProcInfo[]> {
  const out: ProcInfo[] = [];
  for (const name of await fs.readdir(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.readFile(path.join(procRoot, name, 'stat'), 'utf8').catch(() => undefined);
    const info = stat === undefined ? undefined : parseStat(stat);
    const owner = await fs.stat(path.join(procRoot, name)).then((s) => s.uid, () => undefined);
    if (info) out.push(owner === undefined ? info : { ...info, uid: owner });
  }
  return out;
}

/** `/proc/<pid>/stat`: the command name may hold spaces and parentheses, so split at the last `)`. */
export function parseStat(text: string): ProcInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const pid = Number(text.slice(0, open).trim());
  const ppid = Number(fields[1]);
  return Number.isInteger(pid) && Number.isInteger(ppid) ? { pid, ppid, comm: text.slice(open + 1, close) } : undefined;
}

/**
 * The app containers' main processes: children of the pause process (PID 1) or of no
 * visible parent (ppid 0, started from outside the namespace), excluding PID 1 itself and
 * the whole process tree the sidecar belongs to.
 */
export function appMainPids(procs: readonly ProcInfo[], selfPid: number): number[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const isTop = (p: ProcInfo): boolean => p.pid !== 1 && (p.ppid === 0 || p.ppid === 1);
  let top = byPid.get(selfPid);
  while (top && !isTop(top)) top = byPid.get(top.ppid);
  const ownTop = top?.pid ?? selfPid;
  return procs.filter((p) => isTop(p) && p.pid !== ownTop && p.pid !== selfPid).map((p) => p.pid).sort((a, b) => a - b);
}

export interface NotifierOptions {
  procRoot?: string;
  selfPid: number;
  /** The sidecar's user: without capabilities only that user's processes can be signalled (the injector runs the sidecar as the app's user). */
  selfUid?: number;
  kill: (pid: number, signal: string) => void;
  sleep: (ms: number) => Promise<void>;
  timeoutMs?: number;
  attempts?: number;
}

export type Notifier = () => Promise<{ ok: boolean; detail: string }>;

export function createNotifier(notify: Notify, opts: NotifierOptions): Notifier {
  if (notify.kind === 'none') return () => Promise.resolve({ ok: true, detail: 'none' });
  if (notify.kind === 'signal') {
    return async () => {
      const procs = await listProcesses(opts.procRoot ?? '/proc').catch(() => []);
      const all = appMainPids(procs, opts.selfPid);
      const uidOf = new Map(procs.map((p) => [p.pid, p.uid]));
      const pids = opts.selfUid === undefined ? all : all.filter((pid) => uidOf.get(pid) === undefined || uidOf.get(pid) === opts.selfUid);
      const others = all.length - pids.length;
      let sent = 0;
      for (const pid of pids) {
        try {
          opts.kill(pid, notify.signal);
          sent++;
        } catch {
          // gone, or not ours to signal
        }
      }
      const skipped = others > 0 ? ` (${others} of other users left alone)` : '';
      return { ok: sent > 0, detail: `${notify.signal} sent to ${sent} of ${pids.length} processes${skipped}` };
    };
  }
  return () => postWithRetry(notify.port, notify.path, opts);
}

async function postWithRetry(port: number, urlPath: string, opts: NotifierOptions): Promise<{ ok: boolean; detail: string }> {
  const attempts = opts.attempts ?? 3;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await opts.sleep(200 * 2 ** (i - 1));
    const status = await post(port, urlPath, opts.timeoutMs ?? 2000);
    if (status >= 200 && status < 300) return { ok: true, detail: `HTTP ${status}` };
    last = status === 0 ? 'no answer' : `HTTP ${status}`;
  }
  return { ok: false, detail: `${last} after ${attempts} attempts` };
}

function post(port: number, urlPath: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', signal: AbortSignal.timeout(timeoutMs), headers: { 'content-length': 0 } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}
