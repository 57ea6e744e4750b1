/**
 * Child processes for tests: output captured as it arrives, the end awaited as an event,
 * and a stop that escalates to SIGKILL when the process does not exit in time.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { waitFor } from './wait';

export interface RunningProcess {
  /** Still running (no exit seen yet). */
  running: () => boolean;
  pid: number | undefined;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null when a signal ended it) once its output is complete. */
  ended: Promise<number | null>;
  /** Sends `signal`, waits up to `timeoutMs` for the end, then SIGKILL; resolves the exit code. */
  stop: (signal?: NodeJS.Signals, timeoutMs?: number) => Promise<number | null>;
}

export interface StartOptions extends Omit<SpawnOptions, 'stdio'> {
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
}

export function startProcess(cmd: string, args: readonly string[], opts: StartOptions = {}): RunningProcess {
  const { input, ...spawnOpts } = opts;
  const child = spawn(cmd, args, { ...spawnOpts, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let done = false;
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // 'close' comes after 'exit' and after both pipes have ended: the output is complete.
  const ended = new Promise<number | null>((resolve, reject) => {
    child.once('error', (e) => ((done = true), reject(e)));
    child.once('close', (code) => ((done = true), resolve(code)));
  });
  ended.catch(() => undefined); // a failed spawn rejects `ended` for whoever awaits it, not the process
  if (input !== undefined) child.stdin?.end(input);
  return {
    running: () => !done,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    ended,
    stop: async (signal = 'SIGTERM', timeoutMs = 10_000) => {
      if (!done) child.kill(signal);
      await waitFor(`${cmd} to exit after ${signal}`, () => done, { timeoutMs, intervalMs: 50 }).catch(() => child.kill('SIGKILL'));
      return ended;
    },
  };
}
