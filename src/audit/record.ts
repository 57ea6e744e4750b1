/**
 * Audit record fields, as fixed by the contract. Extensions (documented in docs/audit.md):
 * the `audit.checkpoint` event with its `checkpoint` field, and `vault.role` /
 * `vault.accessorHmac`.
 */

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
  'audit.checkpoint',
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
  /** The Vault auth role the pod logged in with; set on `auth.login` records (and may be on later ones). */
  role?: string;
  /** HMAC of the token accessor from sys/audit-hash, to join Vault's audit log where accessors are HMAC'd. */
  accessorHmac?: string;
}

/**
 * A signed checkpoint over the chain head just before its own record: the JWS
 * (RFC 7515, flattened, detached payload) signs `checkpointPayload()` of these fields.
 */
export interface CheckpointRef {
  /** Stream name, e.g. `sidecar/shop/web-1`; the same in every checkpoint of a stream. */
  stream: string;
  /** seq and line hash of the record just before the checkpoint record. */
  seq: number;
  hash: string;
  /** When it was signed (RFC 3339). */
  ts: string;
  /** The writer signs after every `every` records: verify flags longer unsigned runs. */
  every: number;
  kid: string;
  /** base64url of the JWS protected header. */
  protected: string;
  /** base64url signature. */
  signature: string;
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
  /** Only on `audit.checkpoint` records. */
  checkpoint?: CheckpointRef;
}

/** One line of the trail. Key order is fixed: it is part of the hashed bytes. */
export interface AuditRecord extends AuditEntry {
  ts: string;
  seq: number;
  prev: string;
  source: AuditSource;
}
