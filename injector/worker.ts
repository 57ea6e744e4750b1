/**
 * One worker of a multi-process injector: the same HTTPS server as a single process, but
 * its audit entries go to the primary (which holds the one chain) and GET /metrics answers
 * with the primary's merge of every worker (ipc.ts). A listen failure is reported to the
 * primary, which exits with its code.
 */
import type { AuditEntry } from '../src/audit/record';
import type { AuditSink } from '../src/audit/writer';
import type { InjectorConfig } from '../src/config/injector';
import { isMessage, type ToPrimary, type ToWorker } from './ipc';
import { startInjector, type StartOptions } from './main';
import { untilSignal } from './signals';

/** Sends to the primary, counting what is still in flight so shutdown can wait for it. */
class Channel {
  private pending = 0;
  private drained: Array<() => void> = [];

  send(message: ToPrimary): void {
    if (!process.connected) return;
    this.pending++;
    process.send?.(message, undefined, {}, () => {
      this.pending--;
      if (this.pending === 0) for (const done of this.drained.splice(0)) done();
    });
  }

  /** Resolves once every message sent so far has been handed to the channel. */
  flush(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve));
  }
}

export async function runWorker(config: InjectorConfig, opts: StartOptions = {}): Promise<void> {
  const channel = new Channel();
  const audit: AuditSink = { record: (entry: AuditEntry) => channel.send({ sb: 'audit', entry }), flush: () => channel.flush() };
  const asked = new Map<number, (text: string) => void>();
  let nextId = 0;
  const metricsText = (): Promise<string> =>
    new Promise((resolve) => {
      const id = nextId++;
      asked.set(id, resolve);
      channel.send({ sb: 'metrics', id });
    });
  let running: Awaited<ReturnType<typeof startInjector>>;
  try {
    running = await startInjector(config, { processMetrics: true, ...opts, audit, metricsText });
  } catch (err) {
    channel.send({ sb: 'fatal', message: err instanceof Error ? err.message : String(err) });
    await channel.flush();
    process.disconnect();
    return;
  }
  const onMessage = (m: unknown): void => {
    if (!isMessage<ToWorker>(m)) return;
    if (m.sb === 'metrics') {
      asked.get(m.id)?.(m.text);
      asked.delete(m.id);
    } else if (m.sb === 'registry') {
      running.metrics.registry.getMetricsAsJSON().then((metrics) => channel.send({ sb: 'registry', id: m.id, metrics }), () => channel.send({ sb: 'registry', id: m.id, metrics: [] }));
    }
  };
  process.on('message', onMessage);
  channel.send({ sb: 'listening' });
  // The primary stops its workers with SIGTERM; a lost primary (the IPC channel closes) stops them too.
  await Promise.race([untilSignal(), new Promise<void>((resolve) => process.once('disconnect', resolve))]);
  await running.close().catch(() => undefined);
  process.off('message', onMessage);
  await channel.flush();
  if (process.connected) process.disconnect();
}
