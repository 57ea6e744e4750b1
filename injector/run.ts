/** `secrets-broker injector` once the settings are read: one process, or a primary and its workers. */
import cluster from 'node:cluster';
import type { InjectorConfig } from '../src/config/injector';
import { startInjector, type StartOptions } from './main';
import { runPrimary } from './primary';
import { untilSignal } from './signals';
import { runWorker } from './worker';
import { resolveWorkers } from './workers';

/**
 * Runs until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests and
 * flushes the audit trail. With more than one worker (INJECTOR_WORKERS) this process is
 * the primary and the workers run this same command under node:cluster (primary.ts, worker.ts).
 */
export async function runInjector(config: InjectorConfig, opts: StartOptions = {}): Promise<void> {
  if (cluster.isWorker) return runWorker(config, opts);
  // Listen for the signal before anything starts: as a container's PID 1, a SIGTERM that
  // finds no handler is dropped (not fatal), and the process would never stop.
  const until = opts.until ?? untilSignal();
  const workers = resolveWorkers(config.workers);
  if (workers > 1) return runPrimary(config, workers, { ...opts, until });
  const running = await startInjector(config, { processMetrics: true, ...opts });
  await until;
  await running.close().catch(() => undefined);
}
