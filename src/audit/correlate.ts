/**
 * Joins our audit records to Vault's file audit log. Request ids are in clear on both
 * sides; tokens, accessors and lease ids are HMAC'd by Vault (`hmac-sha256:...`), so the
 * sidecar records them as HMACs from `sys/audit-hash/<device>` and they compare as
 * strings. A plain value from Vault's log is never copied into the output.
 */
import { forEachLine } from './lines';
import { pathMatches, podKey } from './query';
import type { AuditRecord, VaultRef } from './record';

/** The facts kept from Vault's log for one request id. */
export interface VaultFacts {
  request?: { path?: string; operation?: string; remote?: string; accessor?: string; leaseId?: string; role?: string };
  response?: { error?: string; version?: number; accessor?: string; leaseId?: string; role?: string };
}

/** One of our records with its Vault side and the verdict. */
export interface JoinRow {
  seq: number;
  ts: string;
  event: string;
  pod: string;
  path: string;
  requestId: string;
  status: 'ok' | 'mismatch' | 'missing';
  problems: string[];
  operation?: string;
  remote?: string;
}

/** A Vault request made with a pod's token that our trail does not account for. */
export interface VaultOnlyRow {
  time: string;
  requestId: string;
  path: string;
  operation: string;
  pod: string;
}

export interface JoinResult {
  rows: JoinRow[];
  vaultOnly: VaultOnlyRow[];
  vaultEntries: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const hmacOnly = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('hmac-sha256:') ? v : undefined);
const clear = (v: unknown): string | undefined => (typeof v === 'string' && !v.startsWith('hmac-sha256:') ? v : undefined);

function requestFacts(e: Json): NonNullable<VaultFacts['request']> {
  const req = obj(e.request) ?? {};
  const auth = obj(e.auth) ?? {};
  return {
    path: str(req.path),
    operation: str(req.operation),
    remote: str(req.remote_address),
    accessor: hmacOnly(req.client_token_accessor) ?? hmacOnly(auth.accessor),
    leaseId: hmacOnly(obj(req.data)?.lease_id),
    role: clear(obj(req.data)?.role),
  };
}

function responseFacts(e: Json): NonNullable<VaultFacts['response']> {
  const resp = obj(e.response) ?? {};
  const rauth = obj(resp.auth) ?? {};
  const version = obj(obj(resp.data)?.metadata)?.version;
  return {
    error: str(e.error),
    version: typeof version === 'number' ? version : undefined,
    accessor: hmacOnly(rauth.accessor),
    leaseId: hmacOnly(obj(resp.secret)?.lease_id),
    role: clear(obj(rauth.metadata)?.role),
  };
}

type Check = (v: VaultRef, r: AuditRecord, q: NonNullable<VaultFacts['request']>, s: NonNullable<VaultFacts['response']>, hasResponse: boolean) => string | undefined;

/** One check per joined field; each names the disagreement without copying values. */
const CHECKS: Check[] = [
  (v, _r, q) => (v.path && q.path && !pathMatches(v.path, q.path) ? `path: Vault saw ${q.path}` : undefined),
  (_v, r, _q, s, has) => (has && (r.outcome === 'failure') !== (s.error !== undefined) ? `outcome: Vault ${s.error ? 'failed' : 'succeeded'}` : undefined),
  (v, _r, _q, s) => (v.version !== undefined && s.version !== undefined && v.version !== s.version ? `version: Vault returned ${s.version}` : undefined),
  (v, _r, q, s) => {
    const a = s.accessor ?? q.accessor;
    return v.accessorHmac && a && v.accessorHmac !== a ? 'accessor: a different token' : undefined;
  },
  (v, _r, q, s) => {
    const l = s.leaseId ?? q.leaseId;
    return v.leaseIdHmac && l && v.leaseIdHmac !== l ? 'lease: a different lease' : undefined;
  },
  (v, _r, q, s) => {
    const role = s.role ?? q.role;
    return v.role && role && v.role !== role ? `role: Vault saw ${role}` : undefined;
  },
];

function compare(r: AuditRecord, f: VaultFacts): string[] {
  return CHECKS.map((c) => c(r.vault ?? {}, r, f.request ?? {}, f.response ?? {}, f.response !== undefined)).filter((p): p is string => p !== undefined);
}

function parseVaultLine(line: Buffer): { e: Json; id: string } | undefined {
  try {
    const e = obj(JSON.parse(line.toString('utf8')));
    const id = e && str(obj(e.request)?.id);
    return e && id ? { e, id } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Joins `records` (ours, already read) to the Vault audit log at `vaultLog`, streaming it.
 * Records without a request id are not joined; Vault requests made with a token whose
 * accessor HMAC one of our login records carries, but absent from our trail, are listed.
 */
export async function correlate(records: readonly AuditRecord[], vaultLog: string): Promise<JoinResult> {
  const byId = new Map<string, VaultFacts>();
  const accessors = new Map<string, string>();
  for (const r of records) {
    if (r.vault?.requestId) byId.set(r.vault.requestId, {});
    if (r.vault?.accessorHmac && r.pod) accessors.set(r.vault.accessorHmac, podKey(r));
  }
  const vaultOnly: VaultOnlyRow[] = [];
  let vaultEntries = 0;
  await forEachLine(vaultLog, (line) => {
    const parsed = parseVaultLine(line);
    if (!parsed) return;
    vaultEntries += 1;
    const facts = byId.get(parsed.id);
    if (facts) addFacts(facts, parsed.e);
    else if (parsed.e.type === 'request') {
      const only = unaccounted(parsed.e, parsed.id, accessors);
      if (only) vaultOnly.push(only);
    }
  });
  const rows = records.filter((r) => r.vault?.requestId).map((r) => joinRow(r, byId.get(r.vault!.requestId!)!));
  return { rows, vaultOnly, vaultEntries };
}

function addFacts(facts: VaultFacts, e: Json): void {
  if (e.type === 'request') facts.request = requestFacts(e);
  if (e.type === 'response') facts.response = responseFacts(e);
}

function unaccounted(e: Json, requestId: string, accessors: Map<string, string>): VaultOnlyRow | undefined {
  const q = requestFacts(e);
  const pod = q.accessor && accessors.get(q.accessor);
  return pod ? { time: str(e.time) ?? '', requestId, path: q.path ?? '', operation: q.operation ?? '', pod } : undefined;
}

function joinRow(r: AuditRecord, f: VaultFacts): JoinRow {
  const found = f.request !== undefined || f.response !== undefined;
  const problems = found ? compare(r, f) : ['not in the Vault audit log'];
  return {
    seq: r.seq,
    ts: r.ts,
    event: r.event,
    pod: podKey(r),
    path: r.vault?.path ?? f.request?.path ?? '-',
    requestId: r.vault!.requestId!,
    status: !found ? 'missing' : problems.length > 0 ? 'mismatch' : 'ok',
    problems,
    operation: f.request?.operation,
    remote: f.request?.remote,
  };
}
