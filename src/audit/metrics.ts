import type { Counter, Registry } from 'prom-client';

/** Counters the audit writer maintains on the process's registry (served on /metrics). */
export interface AuditMetrics {
  records: Counter<'event'>;
  lost: Counter<'sink'>;
  sinkErrors: Counter<'sink' | 'code'>;
  checkpoints: Counter<'outcome'>;
}

/** Metric names, stable for dashboards and alerts. */
export const AUDIT_METRIC = {
  records: 'secrets_broker_audit_records_total',
  lost: 'secrets_broker_audit_records_lost_total',
  sinkErrors: 'secrets_broker_audit_sink_errors_total',
  checkpoints: 'secrets_broker_audit_checkpoints_total',
} as const;

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Counter } = require('prom-client') as typeof import('prom-client');
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Creates (or reuses, when several writers share a registry) the audit counters. */
export function auditMetrics(registry: Registry): AuditMetrics {
  return {
    records: counter(registry, AUDIT_METRIC.records, 'Audit records written, by event.', ['event']),
    lost: counter(registry, AUDIT_METRIC.lost, 'Audit records a sink could not keep (stdout still has them).', ['sink']),
    sinkErrors: counter(registry, AUDIT_METRIC.sinkErrors, 'Failed opens, writes or rotations of an audit sink, by error code.', ['sink', 'code']),
    checkpoints: counter(registry, AUDIT_METRIC.checkpoints, 'Signed audit checkpoints, by outcome.', ['outcome']),
  };
}
