/**
 * The second fence behind "never put a value in a record" (docs/threat-model.md T26): the
 * writer removes token-, JWT- and lease-shaped strings from every free-text field, and
 * keeps `leaseIdHmac` / `accessorHmac` only when they are HMACs.
 */
import type { AuditEntry, VaultRef } from './record';

/** What replaces a removed credential. */
export const REDACTED = '[redacted]';

const PATTERNS: RegExp[] = [
  // JWTs and JWS compact forms (service-account tokens).
  /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g,
  // Vault service, batch and recovery tokens, and legacy `s.` tokens.
  /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g,
  /\b[sbr]\.[A-Za-z0-9]{24,}\b/g,
  // Bearer and X-Vault-Token header values.
  /\b(Bearer|X-Vault-Token:?)\s+\S+/gi,
  // lease_id=..., "lease_id":"..." and token=... in error bodies.
  /("?(?:lease_id|client_token|token|jwt|password|secret_id)"?\s*[:=]\s*)"?[^\s",}]+"?/gi,
];

/** Replaces credential-shaped substrings of `s`. */
export function scrubText(s: string): string {
  let out = s;
  for (const p of PATTERNS) out = out.replace(p, (m, key?: string) => (typeof key === 'string' && p === PATTERNS[4] ? `${key}${REDACTED}` : REDACTED));
  return out;
}

function scrubValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return scrubText(v);
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(x, depth + 1)]));
}

const isHmac = (s: string | undefined): boolean => s === undefined || /^hmac-sha256:[0-9a-f]{64}$/.test(s);

function scrubVault(v: VaultRef): VaultRef {
  const out: VaultRef = { ...v };
  if (out.path !== undefined) out.path = scrubText(out.path);
  if (!isHmac(out.leaseIdHmac)) out.leaseIdHmac = REDACTED;
  if (!isHmac(out.accessorHmac)) out.accessorHmac = REDACTED;
  return out;
}

/** A copy of `entry` safe to write; checkpoint records pass unchanged. */
export function scrubEntry(entry: AuditEntry): AuditEntry {
  if (entry.event === 'audit.checkpoint') return entry;
  const out: AuditEntry = { ...entry };
  if (out.error !== undefined) out.error = scrubText(out.error);
  if (out.secret !== undefined) out.secret = scrubText(out.secret);
  if (out.file !== undefined) out.file = scrubText(out.file);
  if (out.vault) out.vault = scrubVault(out.vault);
  if (out.actor) out.actor = scrubValue(out.actor) as AuditEntry['actor'];
  if (out.detail) out.detail = scrubValue(out.detail) as AuditEntry['detail'];
  return out;
}
