/**
 * Messages between the injector's primary process and its workers (node:cluster IPC).
 * What must stay single lives in the primary: the audit chain (workers send their entries,
 * the primary writes them in arrival order) and the metrics a scrape sees (the worker that
 * gets GET /metrics asks the primary, which merges every worker's registry and its own).
 */
import type { AuditEntry } from '../src/audit/record';
import type { Registry } from 'prom-client';

/** One registry's metrics as getMetricsAsJSON() gives them, the form AggregatorRegistry.aggregate merges. */
export type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export type ToPrimary =
  | { sb: 'audit'; entry: AuditEntry }
  | { sb: 'metrics'; id: number }
  | { sb: 'registry'; id: number; metrics: RegistryJson }
  | { sb: 'listening' }
  | { sb: 'fatal'; message: string };

export type ToWorker = { sb: 'metrics'; id: number; text: string } | { sb: 'registry'; id: number };

export function isMessage<T extends { sb: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { sb?: unknown }).sb === 'string';
}
