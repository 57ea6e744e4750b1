/**
 * Sidecar counters kept in plain maps (no prom-client on the start-up path); /metrics
 * builds a prom-client registry from them on demand. Labels are secret names and error
 * kinds, never values.
 */
import type { VaultErrorKind } from '../errors';

export type CounterName = 'logins' | 'reads' | 'token_renewals' | 'lease_renewals' | 'writes' | 'notifications' | 'audit_errors';
export type Outcome = 'success' | 'failure';
export type ErrorKind = VaultErrorKind | 'render' | 'write' | 'token-file' | 'notify' | 'audit' | 'internal';

const HELP: Record<CounterName, string> = {
  logins: 'Vault logins by outcome',
  reads: 'Vault secret reads (data fetches) by outcome',
  token_renewals: 'Vault token renewals by outcome',
  lease_renewals: 'Vault lease renewals by outcome',
  writes: 'Secret files written (changed content only) by outcome',
  notifications: 'Application notifications by outcome',
  audit_errors: 'Audit records that could not be written to the audit file',
};

export class SidecarMetrics {
  private readonly counters = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  /** Last successful refresh of each secret, epoch ms. */
  readonly lastSuccess = new Map<string, number>();

  inc(name: CounterName, outcome: Outcome = 'success'): void {
    const key = `${name}\u0000${outcome}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  error(kind: ErrorKind): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  count(name: CounterName, outcome: Outcome = 'success'): number {
    return this.counters.get(`${name}\u0000${outcome}`) ?? 0;
  }

  errorCount(kind: ErrorKind): number {
    return this.errors.get(kind) ?? 0;
  }

  /** Prometheus text exposition. */
  async render(nowMs: number, ready: boolean): Promise<{ contentType: string; body: string }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const prom = require('prom-client') as typeof import('prom-client');
    const registry = new prom.Registry();
    for (const name of Object.keys(HELP) as CounterName[]) {
      const c = new prom.Counter({ name: `secrets_broker_sidecar_${name}_total`, help: HELP[name], labelNames: ['outcome'], registers: [registry] });
      for (const outcome of ['success', 'failure'] as const) c.inc({ outcome }, this.count(name, outcome));
    }
    const e = new prom.Counter({ name: 'secrets_broker_sidecar_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers: [registry] });
    for (const [kind, n] of this.errors) e.inc({ kind }, n);
    const age = new prom.Gauge({ name: 'secrets_broker_sidecar_secret_age_seconds', help: 'Seconds since each secret was last refreshed successfully', labelNames: ['secret'], registers: [registry] });
    for (const [secret, at] of this.lastSuccess) age.set({ secret }, Math.max(0, (nowMs - at) / 1000));
    new prom.Gauge({ name: 'secrets_broker_sidecar_ready', help: '1 when every secret is rendered and none is stale', registers: [registry] }).set(ready ? 1 : 0);
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}
