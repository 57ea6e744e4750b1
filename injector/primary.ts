/**
 * The primary of a multi-process injector (INJECTOR_WORKERS above 1): it serves nothing
 * itself. It checks the certificate (exit 2 before any worker starts), forks the workers
 * (node:cluster; they share the port), writes the one audit chain from the entries they
 * send, merges their metrics for a scrape, replaces a worker that dies, and on SIGTERM or
 * SIGINT stops them (each drains its requests) before flushing the audit trail.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import { createAuditWriter } from '../src/audit/setup';
import { checkpointKeyProblem } from '../src/config/audit';
import type { InjectorConfig } from '../src/config/injector';
import { RuntimeFailure } from '../src/errors';
import { createLogger } from '../src/log';
import { isMessage, type RegistryJson, type ToPrimary, type ToWorker } from './ipc';
import { servingPair, type StartOptions } from './main';
import { untilSignal } from './signals';

/** A worker that does not hand over its metrics within this is left out of that scrape. */
export const SCRAPE_WAIT_MS = 2000;

export interface PrimaryOptions extends StartOptions {
  /** Added to this process's environment for each worker, which reads its settings from it as the primary did. */
  workerEnv?: Record<string, string>;
}

export async function runPrimary(config: InjectorConfig, workers: number, opts: PrimaryOptions = {}): Promise<void> {
  const until = opts.until ?? untilSignal();
  let signalled = false;
  const stopped = until.then(() => {
    signalled = true;
  });
  const logger = opts.logger ?? createLogger({ name: 'injector', level: config.logLevel });
  servingPair(config);
  const registry = new Registry();
  const audit =
    opts.audit ??
    (await createAuditWriter(config.audit, {
      source: 'injector', stdout: process.stdout, registry,
      onError: (what, code) => logger.error({ what, code }, 'audit sink failed; records still go to stdout'),
    }).catch((err: unknown) => {
      throw checkpointKeyProblem(err);
    }));
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const live = new Set<Worker>();
  const scrapes = new Map<number, { got: RegistryJson[]; want: number; done: () => void }>();
  let nextScrape = 0;
  let stopping = false;
  let started: { listening: number; resolve: () => void; reject: (err: Error) => void } | undefined;

  const merged = async (): Promise<string> => {
    const id = nextScrape++;
    const targets = [...live].filter((w) => w.isConnected());
    const got = await new Promise<RegistryJson[]>((resolve) => {
      const got: RegistryJson[] = [];
      const done = (): void => {
        scrapes.delete(id);
        resolve(got);
      };
      scrapes.set(id, { got, want: targets.length, done });
      setTimeout(done, SCRAPE_WAIT_MS).unref();
      for (const w of targets) w.send({ sb: 'registry', id } satisfies ToWorker);
      if (targets.length === 0) done();
    });
    return AggregatorRegistry.aggregate([...got, await registry.getMetricsAsJSON()]).metrics();
  };

  const onRegistry = (id: number, metrics: RegistryJson): void => {
    const scrape = scrapes.get(id);
    scrape?.got.push(metrics);
    if (scrape && scrape.got.length >= scrape.want) scrape.done();
  };
  const onMessage = (w: Worker, m: unknown): void => {
    if (!isMessage<ToPrimary>(m)) return;
    switch (m.sb) {
      case 'audit':
        return audit.record(m.entry);
      case 'metrics':
        return void merged().then((text) => w.isConnected() && w.send({ sb: 'metrics', id: m.id, text } satisfies ToWorker), () => undefined);
      case 'registry':
        return onRegistry(m.id, m.metrics);
      case 'listening':
        if (started && ++started.listening === workers) started.resolve();
        return;
      case 'fatal':
        return started?.reject(new RuntimeFailure(m.message));
    }
  };

  const fork = (): void => {
    const w = cluster.fork(opts.workerEnv);
    live.add(w);
    w.on('message', (m: unknown) => onMessage(w, m));
    w.on('exit', (code, signal) => {
      live.delete(w);
      if (stopping) return;
      if (started) return started.reject(new RuntimeFailure(`injector: a worker exited while starting (${signal ?? `code ${code}`})`));
      logger.error({ code, signal }, 'injector worker exited; starting another');
      fork();
    });
  };

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exits = [...live].map((w) => new Promise((resolve) => (w.isDead() ? resolve(undefined) : w.once('exit', resolve))));
    for (const w of live) w.process.kill('SIGTERM');
    await Promise.all(exits);
    await audit.flush();
  };

  try {
    // A signal while the workers start stops them at once.
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        started = { listening: 0, resolve, reject };
        for (let i = 0; i < workers; i++) fork();
      }),
      stopped,
    ]);
  } catch (err) {
    await stopAll();
    throw err;
  } finally {
    started = undefined;
  }
  if (!signalled) {
    logger.info({ port: config.port, address: config.bindAddress, workers }, 'injector workers listening');
    await stopped;
  }
  await stopAll();
}
