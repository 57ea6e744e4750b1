/**
 * One Vault path and every secret (file) that uses it: the path is read once per cycle
 * however many files render it, and a dynamic secret's files share one set of credentials.
 * Knows how to fetch, poll cheaply (KV v2 metadata), and renew a lease. No timers.
 */
import type NodeCache from 'node-cache';
import { RenderError, VaultError } from '../errors';
import type { SecretSpec } from '../spec';
import type { VaultClient } from '../vault/client';
import { planCertificate, planLease, pollDelay } from '../vault/lease';
import { basePath, planRead, secretFields, type ReadPlan } from '../vault/paths';
import type { MountInfo } from '../vault/types';
import type { AuditContext } from './audit-context';
import type { SidecarMetrics } from './metrics';
import { messageOf } from './session';

export type SourceAction = 'fetch' | 'poll' | 'renew';

export interface Lease {
  id: string;
  duration: number;
  renewable: boolean;
  /** Duration first granted; renewals shorter than this mean the max TTL is near. */
  requested: number;
  obtainedAtMs: number;
  /** The login count when fetched: a re-login means the lease may die with the old token. */
  login: number;
}

export interface SourceState {
  path: string;
  specs: SecretSpec[];
  plan?: ReadPlan;
  fields?: Record<string, unknown>;
  version?: number;
  lease?: Lease;
  certNotAfter?: number;
  metadataForbidden: boolean;
  /** Consecutive failures, for backoff. */
  attempt: number;
  failingSince?: number;
  lastError?: string;
  /** Names of the specs rendered at least once. */
  rendered: Set<string>;
}

export interface SourceDeps {
  client: Pick<VaultClient, 'readSecret' | 'renewLease' | 'mountInfo'>;
  audit: AuditContext;
  metrics: SidecarMetrics;
  /** Mount lookups, cached for the life of the process. */
  mounts: NodeCache;
  now: () => number;
  loginCount: () => number;
}

/** Groups specs by Vault path, in spec order. */
export function groupSources(specs: readonly SecretSpec[]): SourceState[] {
  const byPath = new Map<string, SourceState>();
  for (const spec of specs) {
    const s = byPath.get(spec.path) ?? { path: spec.path, specs: [], metadataForbidden: false, attempt: 0, rendered: new Set<string>() };
    s.specs.push(spec);
    byPath.set(spec.path, s);
  }
  return [...byPath.values()];
}

/** Reads the data; resolves to whether the fields may have changed. */
export async function fetchSource(s: SourceState, d: SourceDeps): Promise<boolean> {
  const plan = await resolvePlan(s, d);
  let res;
  try {
    res = await d.client.readSecret(plan.dataPath, plan.params);
  } catch (err) {
    d.metrics.inc('reads', 'failure');
    auditRead(s, d, 'failure', { path: plan.dataPath }, messageOf(err));
    throw err;
  }
  const { fields, version } = secretFields(plan.kind, res.data);
  if (!fields) throw new RenderError(`${plan.dataPath}: no data (the version is deleted or destroyed)`);
  const leaseIdHmac = await d.audit.leaseHmac(res.leaseId);
  d.metrics.inc('reads');
  auditRead(s, d, 'success', { path: plan.dataPath, requestId: res.requestId, ...(version !== undefined && { version }), ...(leaseIdHmac && { leaseIdHmac }) });
  s.fields = fields;
  s.version = version;
  s.lease = res.leaseId && res.leaseDuration > 0
    ? { id: res.leaseId, duration: res.leaseDuration, renewable: res.renewable, requested: res.leaseDuration, obtainedAtMs: d.now(), login: d.loginCount() }
    : undefined;
  s.certNotAfter = plan.kind === 'pki' && typeof fields.expiration === 'number' ? fields.expiration : undefined;
  return true;
}

/** Static secrets: KV v2 checks `current_version` first and fetches only on change. */
export async function pollSource(s: SourceState, d: SourceDeps): Promise<boolean> {
  const plan = await resolvePlan(s, d);
  if (plan.kind !== 'kv2' || !plan.metadataPath || s.metadataForbidden || s.version === undefined) return fetchSource(s, d);
  let current: number | undefined;
  try {
    const meta = await d.client.readSecret(plan.metadataPath);
    current = typeof meta.data.current_version === 'number' ? meta.data.current_version : undefined;
  } catch (err) {
    if (!(err instanceof VaultError && err.kind === 'forbidden')) throw err;
    s.metadataForbidden = true; // no read on metadata: fall back to reading data every time
  }
  if (current !== undefined && current === s.version) return false;
  return fetchSource(s, d);
}

/** Renews the lease; fields do not change. */
export async function renewSource(s: SourceState, d: SourceDeps): Promise<boolean> {
  const lease = s.lease;
  if (!lease) return fetchSource(s, d);
  const leaseIdHmac = await d.audit.leaseHmac(lease.id);
  const vault = { path: s.plan?.dataPath ?? basePath(s.path), ...(leaseIdHmac && { leaseIdHmac }) };
  try {
    const r = await d.client.renewLease(lease.id, lease.requested);
    s.lease = { ...lease, duration: r.leaseDuration, renewable: r.renewable, obtainedAtMs: d.now() };
    d.metrics.inc('lease_renewals');
    for (const spec of s.specs) d.audit.record({ event: 'secret.renew', outcome: 'success', secret: spec.name, file: spec.file, vault: { ...vault, requestId: r.requestId } });
    return false;
  } catch (err) {
    d.metrics.inc('lease_renewals', 'failure');
    for (const spec of s.specs) d.audit.record({ event: 'secret.renew', outcome: 'failure', secret: spec.name, file: spec.file, vault, error: messageOf(err) });
    // An unknown or expired lease cannot be renewed again: fetch new credentials instead.
    if (err instanceof VaultError && (err.kind === 'bad-request' || err.kind === 'not-found')) return fetchSource(s, d);
    throw err;
  }
}

/** After a success: the next action and its delay (seconds). */
export function planSource(s: SourceState, rotateIntervalSeconds: number, nowMs: number, rand: number): { action: SourceAction; delaySeconds: number } {
  if (s.certNotAfter !== undefined) return { action: 'fetch', delaySeconds: planCertificate(s.certNotAfter, nowMs, rand) };
  if (s.lease) {
    const p = planLease({ leaseDuration: s.lease.duration, renewable: s.lease.renewable, requested: s.lease.requested }, rand);
    return { action: p.action === 'renew' ? 'renew' : 'fetch', delaySeconds: p.delaySeconds };
  }
  return { action: 'poll', delaySeconds: pollDelay(rotateIntervalSeconds, rand) };
}

/** Seconds until the current lease or certificate ends; 0 when nothing expires. */
export function expiresIn(s: SourceState, nowMs: number): number {
  if (s.certNotAfter !== undefined) return Math.max(0, s.certNotAfter - nowMs / 1000);
  if (s.lease) return Math.max(0, s.lease.duration - (nowMs - s.lease.obtainedAtMs) / 1000);
  return 0;
}

async function resolvePlan(s: SourceState, d: SourceDeps): Promise<ReadPlan> {
  if (s.plan) return s.plan;
  const base = basePath(s.path);
  const mount = await mountOf(base, d);
  s.plan = planRead(s.path, mount);
  return s.plan;
}

async function mountOf(base: string, d: SourceDeps): Promise<MountInfo | undefined> {
  const cached = d.mounts.keys().find((m) => base.startsWith(m));
  if (cached !== undefined) return d.mounts.get<MountInfo>(cached);
  try {
    const info = await d.client.mountInfo(base);
    if (info.path) d.mounts.set(info.path, info);
    return info;
  } catch (err) {
    // Without the lookup (forbidden, old Vault), the path shape decides; transient errors retry later.
    if (err instanceof VaultError && (err.kind === 'forbidden' || err.kind === 'not-found' || err.kind === 'bad-request')) return undefined;
    throw err;
  }
}

function auditRead(s: SourceState, d: SourceDeps, outcome: 'success' | 'failure', vault: Record<string, unknown>, error?: string): void {
  for (const spec of s.specs) {
    d.audit.record({ event: 'secret.read', outcome, secret: spec.name, file: spec.file, vault, ...(error !== undefined && { error }) });
  }
}
