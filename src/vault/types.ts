/**
 * Narrowed shapes of the Vault responses the sidecar uses. node-vault types every answer
 * as `Promise<any>`; client.ts turns them into these once, and nothing else sees `any`.
 */

/** A token from a login or a renewal (`auth` block). */
export interface AuthInfo {
  /** The Vault token. Never logged, never audited. */
  clientToken: string;
  accessor: string;
  /** Seconds the token lives from now; 0 means no expiry. */
  leaseDuration: number;
  renewable: boolean;
  policies: string[];
  requestId: string;
}

/** A secret read (`GET`) or issue (`POST`) response. */
export interface SecretResponse {
  requestId: string;
  /** Empty for static secrets. Never logged or audited in plain text. */
  leaseId: string;
  leaseDuration: number;
  renewable: boolean;
  data: Record<string, unknown>;
}

/** A lease renewal response. */
export interface LeaseInfo {
  requestId: string;
  leaseDuration: number;
  renewable: boolean;
}

/** What `sys/internal/ui/mounts/<path>` says about the mount holding a path. */
export interface MountInfo {
  /** Mount path with trailing slash, e.g. `secret/`. */
  path: string;
  type: string;
  /** KV version: 1 or 2; 0 for other engines. */
  kvVersion: 0 | 1 | 2;
}

/** `auth/token/lookup-self`. */
export interface TokenLookup {
  accessor: string;
  ttl: number;
  renewable: boolean;
}

/** Anything that looks like a plain JSON object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
