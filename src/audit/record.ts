/** Audit record fields, as fixed by the contract. */

export const AUDIT_EVENTS = [
  'auth.login',
  'auth.renew',
  'auth.revoke',
  'secret.read',
  'secret.renew',
  'secret.rotate',
  'secret.write',
  'secret.error',
  'admission.inject',
  'admission.deny',
  'admission.skip',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
export type AuditSource = 'sidecar' | 'injector';
export type AuditOutcome = 'success' | 'failure';

export interface PodIdentity {
  namespace: string;
  name: string;
  uid?: string;
  serviceAccount?: string;
  node?: string;
}

export interface VaultRef {
  path?: string;
  version?: number;
  accessor?: string;
  requestId?: string;
  /** HMAC of the lease id as Vault's sys/audit-hash computes it; never the lease id itself. */
  leaseIdHmac?: string;
}

/** What a caller supplies; the writer adds ts, seq, prev and source. */
export interface AuditEntry {
  event: AuditEvent;
  outcome: AuditOutcome;
  pod?: PodIdentity;
  actor?: { username: string; uid?: string; groups?: string[] };
  secret?: string;
  file?: string;
  vault?: VaultRef;
  error?: string;
  /** Admission decisions: what the pod asked for and why it was skipped or denied. */
  detail?: Record<string, unknown>;
}

/** One line of the trail. Key order is fixed: it is part of the hashed bytes. */
export interface AuditRecord extends AuditEntry {
  ts: string;
  seq: number;
  prev: string;
  source: AuditSource;
}
