/**
 * Pure query logic over audit records: filters (docs/contract.md: --namespace --pod --path
 * --event --since --until --outcome, plus --role and --secret) and the aggregates a
 * security team asks for (group counts, the version of each secret each pod holds now).
 */
import { UsageError } from '../errors';
import { AUDIT_EVENTS, type AuditRecord } from './record';

/** A validated filter; every field optional. */
export interface QueryFilter {
  namespace?: string;
  pod?: string;
  path?: string;
  events?: string[];
  since?: number;
  until?: number;
  outcome?: 'success' | 'failure';
  role?: string;
  secret?: string;
}

/** The raw option strings as the CLI receives them. */
export interface FilterOptions {
  namespace?: string;
  pod?: string;
  path?: string;
  event?: string;
  since?: string;
  until?: string;
  outcome?: string;
  role?: string;
  secret?: string;
}

/** Pods whose login role --role remembers; beyond this, later reads of new pods may be missed (and it is said). */
export const MAX_ROLES = 1_000_000;

/** `90m`, `24h`, `7d`. */
export const REL_TIME = /^(\d+)([smhd])$/;
/** An RFC 3339 date. */
export const DATE_PREFIX = /^\d{4}-\d\d-\d\d/;
/** KV v2 `mount/data/` and `mount/` prefixes of a path. */
export const KV_DATA = /^([^/]+)\/data\//;
export const KV_MOUNT = /^([^/]+)\//;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** RFC 3339 (or a date), or a duration back from now: `90m`, `24h`, `7d`. */
export function parseTime(s: string, now: number): number | undefined {
  const rel = REL_TIME.exec(s);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  if (!DATE_PREFIX.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** Validates every option at once; throws UsageError naming each bad one. */
export function parseFilter(o: FilterOptions, now: number): QueryFilter {
  const problems: string[] = [];
  const f: QueryFilter = { namespace: o.namespace, pod: o.pod, path: o.path, role: o.role, secret: o.secret };
  if (o.event !== undefined) {
    f.events = o.event.split(',').map((e) => e.trim());
    const bad = f.events.filter((e) => !(AUDIT_EVENTS as readonly string[]).includes(e));
    if (bad.length > 0) problems.push(`--event: unknown event ${bad.join(', ')} (one of ${AUDIT_EVENTS.join(', ')})`);
  }
  for (const k of ['since', 'until'] as const) {
    if (o[k] === undefined) continue;
    f[k] = parseTime(o[k], now);
    if (f[k] === undefined) problems.push(`--${k}: not an RFC 3339 time or a duration like 24h or 7d`);
  }
  if (o.outcome !== undefined) {
    if (o.outcome === 'success' || o.outcome === 'failure') f.outcome = o.outcome;
    else problems.push('--outcome: success or failure');
  }
  if (problems.length > 0) throw new UsageError(problems);
  return f;
}

/** KV v2 paths match with or without `data/`: `secret/app/db` = `secret/data/app/db`. */
function kvAlias(p: string): string {
  return p.replace(KV_DATA, '$1/');
}

/** Exact path, KV v2 alias, or a prefix when `pattern` ends with `*`. */
export function pathMatches(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  if (pattern.endsWith('*')) return kvAlias(path).startsWith(kvAlias(pattern.slice(0, -1))) || path.startsWith(pattern.slice(0, -1));
  return path === pattern || kvAlias(path) === kvAlias(pattern);
}

/** The pod a record is about, as `namespace/name`. */
export function podKey(r: AuditRecord): string {
  return r.pod ? `${r.pod.namespace}/${r.pod.name}` : '-';
}

/**
 * Applies a filter to a stream of records in order. Remembers each pod's login role
 * (roles are on `auth.login` records), so --role also matches the pod's later reads.
 */
export class RecordFilter {
  private readonly roles = new Map<string, string>();
  /** Logins whose role was not remembered because MAX_ROLES pods were already known. */
  rolesNotKept = 0;
  private readonly needles: Buffer[][];

  constructor(private readonly f: QueryFilter) {
    this.needles = needlesFor(f);
  }

  /**
   * True when a raw line certainly does not match (a needed JSON fragment is absent),
   * so the caller can skip JSON.parse. Login lines are kept while --role is in use.
   */
  quickReject(line: Buffer): boolean {
    if (this.f.role !== undefined && line.includes(LOGIN)) return false;
    return this.needles.some((anyOf) => !anyOf.some((n) => line.includes(n)));
  }

  /** The role a record's pod last logged in with, if seen. */
  roleOf(r: AuditRecord): string | undefined {
    return r.vault?.role ?? this.roles.get(podKey(r));
  }

  accept(r: AuditRecord): boolean {
    if (r.event === 'auth.login' && r.vault?.role && r.pod) this.remember(podKey(r), r.vault.role);
    return this.checks.every((check) => check(r));
  }

  private readonly checks: ((r: AuditRecord) => boolean)[] = [
    (r) => (this.f.events ? this.f.events.includes(r.event) : r.event !== 'audit.checkpoint'),
    (r) => this.f.namespace === undefined || r.pod?.namespace === this.f.namespace,
    (r) => this.f.pod === undefined || r.pod?.name === this.f.pod,
    (r) => this.f.outcome === undefined || r.outcome === this.f.outcome,
    (r) => this.f.secret === undefined || r.secret === this.f.secret,
    (r) => this.f.path === undefined || pathMatches(this.f.path, r.vault?.path),
    (r) => this.f.role === undefined || this.roleOf(r) === this.f.role,
    (r) => this.inTime(r.ts),
  ];

  private remember(pod: string, role: string): void {
    if (this.roles.size < MAX_ROLES || this.roles.has(pod)) this.roles.set(pod, role);
    else this.rolesNotKept += 1;
  }

  private inTime(ts: string): boolean {
    if (this.f.since === undefined && this.f.until === undefined) return true;
    const t = Date.parse(ts);
    return !(this.f.since !== undefined && t < this.f.since) && !(this.f.until !== undefined && t > this.f.until);
  }
}

const LOGIN = Buffer.from('"event":"auth.login"');
const frag = (key: string, value: string): Buffer => Buffer.from(`"${key}":${JSON.stringify(value)}`);

/** Per filter field, fragments of which at least one must occur in a matching line. */
function needlesFor(f: QueryFilter): Buffer[][] {
  const n: Buffer[][] = [];
  if (f.namespace !== undefined) n.push([frag('namespace', f.namespace)]);
  if (f.pod !== undefined) n.push([frag('name', f.pod)]);
  if (f.secret !== undefined) n.push([frag('secret', f.secret)]);
  if (f.outcome !== undefined) n.push([frag('outcome', f.outcome)]);
  if (f.events) n.push(f.events.map((e) => frag('event', e)));
  if (f.path !== undefined) {
    const p = f.path.endsWith('*') ? f.path.slice(0, -1) : f.path;
    const alias = kvAlias(p);
    const forms = new Set([p, alias, alias.replace(KV_MOUNT, '$1/data/')]);
    n.push([...forms].map((x) => Buffer.from(JSON.stringify(x).slice(1, f.path!.endsWith('*') ? -1 : undefined))));
  }
  return n;
}
