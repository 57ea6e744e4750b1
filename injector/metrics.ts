/** The injector's Prometheus metrics, on a registry of their own (one per app, so tests stay isolated). */
import { Counter, Histogram, Registry } from 'prom-client';

export interface InjectorMetrics {
  registry: Registry;
  requests: Counter<'code'>;
  duration: Histogram<'outcome'>;
  injections: Counter<'namespace'>;
  denials: Counter<'namespace' | 'reason'>;
  skips: Counter<'reason'>;
  literalFindings: Counter<'namespace'>;
  tlsReloads: Counter<'result'>;
}

const PREFIX = 'secrets_broker_injector_';

export function createMetrics(registry = new Registry()): InjectorMetrics {
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: `${PREFIX}requests_total`, help: 'HTTP requests to /mutate by status code', labelNames: ['code'], registers }),
    duration: new Histogram({
      name: `${PREFIX}request_duration_seconds`,
      help: 'Time to answer /mutate, by outcome (inject, deny, skip, error)',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    injections: new Counter({ name: `${PREFIX}injections_total`, help: 'Pods given the secrets sidecar, by namespace', labelNames: ['namespace'], registers }),
    denials: new Counter({ name: `${PREFIX}denials_total`, help: 'Pods denied, by namespace and reason', labelNames: ['namespace', 'reason'], registers }),
    skips: new Counter({ name: `${PREFIX}skips_total`, help: 'Requests left unchanged, by reason', labelNames: ['reason'], registers }),
    literalFindings: new Counter({ name: `${PREFIX}literal_secrets_total`, help: 'Literal secrets found in pod specs, by namespace', labelNames: ['namespace'], registers }),
    tlsReloads: new Counter({ name: `${PREFIX}tls_reloads_total`, help: 'Certificate reloads, by result', labelNames: ['result'], registers }),
  };
}
