/**
 * The sidecar's process lifecycle: timers for every token and source step, the health
 * server, signals, notification debouncing and shutdown. Decisions come from
 * src/sidecar/controller.ts; this file only schedules them.
 */
import http from 'node:http';
import type { Logger } from '../src/log';
import type { TokenAction } from '../src/vault/lease';
import type { Controller, SourceStep } from '../src/sidecar/controller';
import { healthHandler } from '../src/sidecar/health';
import type { SidecarMetrics } from '../src/sidecar/metrics';
import type { Notifier } from '../src/sidecar/notify';
import { ReadyWaiters } from '../src/sidecar/ready-waiters';
import type { SourceAction, SourceState } from '../src/sidecar/source';

export interface AgentDeps {
  controller: Controller;
  metrics: SidecarMetrics;
  notifier: Notifier;
  log: Logger;
  health?: { port: number; host: string };
  /** Revoke on shutdown, and everything else that must end (client sockets, audit flush). */
  shutdown: { revoke: boolean; timeoutMs: number; close: () => Promise<void> };
  now?: () => number;
  /** Delay between a change and the notification, so several changes notify once. */
  notifyDebounceMs?: number;
}

type Key = SourceState | 'token' | 'notify';

export class Agent {
  private readonly timers = new Map<Key, NodeJS.Timeout>();
  /** Steps whose timer fired and that have not finished (a request to Vault in flight). */
  private readonly running = new Set<Promise<void>>();
  private readonly waiting = new Map<SourceState, SourceAction>();
  private server: http.Server | undefined;
  /** `GET /readyz?wait=` requests, answered the moment the last secret is rendered. */
  private readonly waiters = new ReadyWaiters(() => !this.stopping && this.d.controller.ready());
  private stopping = false;
  private started = false;
  private initialDone = false;
  private tokenBusy = false;
  private readonly now: () => number;
  private finished: () => void = () => undefined;
  /** Resolves when shutdown has finished. */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(private readonly d: AgentDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Starts the health server and the first login; resolves once listening. */
  async start(): Promise<void> {
    if (this.d.health) await this.listen(this.d.health);
    this.schedule('token', 0, () => this.token('login'));
  }

  /** The bound health port (tests bind port 0). */
  get healthPort(): number | undefined {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  /** `GET /readyz?wait=` requests held now (the start gate's). */
  get heldReadyWaits(): number {
    return this.waiters.size;
  }

  get allRendered(): boolean {
    return this.initialDone;
  }

  /**
   * SIGTERM: stop timers, let steps in flight finish (for at most half the timeout), revoke,
   * flush, close; never longer than the timeout. A step in flight is awaited first so that
   * its outcome (a refresh that fails once the token is revoked, say) is not recorded after
   * the revocation that ends the trail.
   */
  async shutdown(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.waiters.release();
    this.d.log.info({ reason }, 'sidecar shutting down');
    const work = async (): Promise<void> => {
      // At most half the timeout: a request that hangs must not cost the revocation.
      let settle: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise<void>((resolve) => (settle = setTimeout(resolve, this.d.shutdown.timeoutMs / 2)))]);
      clearTimeout(settle);
      if (this.d.shutdown.revoke) {
        await this.d.controller.revokeAll().catch((err: unknown) => this.d.log.warn({ err: (err as Error).message }, 'revocation incomplete'));
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.d.log.warn({ timeoutMs: this.d.shutdown.timeoutMs }, 'shutdown timeout reached');
        resolve();
      }, this.d.shutdown.timeoutMs);
    });
    await Promise.race([work(), limit]);
    clearTimeout(timer);
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await closed;
    await this.d.shutdown.close();
    this.finished();
  }

  private listen(h: { port: number; host: string }): Promise<void> {
    const c = this.d.controller;
    this.server = http.createServer(healthHandler({ ready: () => !this.stopping && c.ready(), live: () => !this.stopping, metrics: this.d.metrics, now: this.now, waiters: this.waiters }));
    this.server.requestTimeout = 5000;
    this.server.headersTimeout = 5000;
    return new Promise((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(h.port, h.host, () => resolve());
    });
  }

  private schedule(key: Key, delaySeconds: number, fn: () => Promise<void>): void {
    if (this.stopping) return;
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.timers.delete(key);
      const step: Promise<void> = fn()
        .catch((err: unknown) => this.d.log.error({ err: (err as Error).message }, 'scheduler step failed'))
        .finally(() => this.running.delete(step));
      this.running.add(step);
    }, Math.round(delaySeconds * 1000));
    this.timers.set(key, t);
  }

  private async token(action: TokenAction): Promise<void> {
    if (this.tokenBusy || this.stopping) return;
    this.tokenBusy = true;
    const step = await this.d.controller.tokenStep(action).finally(() => (this.tokenBusy = false));
    if (this.stopping) return;
    if (step.action !== 'none') this.schedule('token', step.delaySeconds, () => this.token(step.action));
    if (!step.ok) return;
    if (!this.started) {
      this.started = true;
      for (const s of this.d.controller.sources) this.schedule(s, 0, () => this.source(s, 'fetch'));
      return;
    }
    if (step.relogged) for (const s of this.d.controller.leasedUnderOldToken()) this.waiting.set(s, 'fetch');
    for (const [s, a] of this.waiting) this.schedule(s, 0, () => this.source(s, a));
    this.waiting.clear();
  }

  /** A source step found the token gone: log in now (once, however many sources noticed). */
  private relogin(): void {
    if (!this.tokenBusy) this.schedule('token', 0, () => this.token('login'));
  }

  private async source(s: SourceState, action: SourceAction): Promise<void> {
    if (this.stopping) return;
    const step: SourceStep = await this.d.controller.sourceStep(s, action);
    if (this.stopping) return;
    if (step.relogin) {
      this.waiting.set(s, step.action);
      this.relogin();
    } else {
      this.schedule(s, step.delaySeconds, () => this.source(s, step.action));
    }
    if (step.changed && this.initialDone) this.scheduleNotify();
    this.waiters.check();
    if (!this.initialDone && this.d.controller.ready()) {
      this.initialDone = true;
      this.d.log.info({ secrets: this.d.controller.sources.reduce((n, x) => n + x.specs.length, 0) }, 'all secrets rendered');
    }
  }

  private scheduleNotify(): void {
    if (this.timers.has('notify')) return;
    this.schedule('notify', (this.d.notifyDebounceMs ?? 1000) / 1000, async () => {
      const r = await this.d.notifier();
      this.d.metrics.inc('notifications', r.ok ? 'success' : 'failure');
      if (!r.ok) this.d.metrics.error('notify');
      this.d.log[r.ok ? 'info' : 'warn']({ detail: r.detail }, 'application notified');
    });
  }
}
