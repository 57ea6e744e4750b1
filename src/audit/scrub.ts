/**
 * The second fence behind "never put a value in a record" (docs/threat-model.md T26): the
 * writer removes token-, JWT- and lease-shaped strings from every free-text field, and
 * keeps `leaseIdHmac` / `accessorHmac` only when they are HMACs.
 */
import type { AuditEntry, VaultRef } from './record';

/** What replaces a removed credential. */
export const REDACTED = '[redacted]';

/**
 * A run of JWT characters and dots. JWTs are found inside each run by `redactJwts`, not by
 * a regex such as /eyJ[…]{2,}\.[…]{2,}\./ whose failed attempts restart at every `eyJ` of
 * a run and rescan it (quadratic: 120,000 characters of `eyJeyJ…` took 15 s).
 */
export const TOKEN_RUN = /[A-Za-z0-9_.-]+/g;

/** Each linear in its input (test/unit/audit/regex-linear.test.ts checks their structure). */
export const PATTERNS: RegExp[] = [
  // Vault service, batch and recovery tokens, and legacy `s.` tokens.
  /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g,
  /\b[sbr]\.[A-Za-z0-9]{24,}\b/g,
  // Bearer and X-Vault-Token header values.
  /\b(Bearer|X-Vault-Token:?)\s+\S+/gi,
  // lease_id=..., "lease_id":"..." and token=... in error bodies.
  /("?(?:lease_id|client_token|token|jwt|password|secret_id)"?\s*[:=]\s*)"?[^\s",}]+"?/gi,
];

/**
 * JWTs and JWS compact forms (service-account tokens) in one run of `TOKEN_RUN`: from the
 * first `eyJ` of a part with 2+ characters after it, a next part of 2+ characters and one
 * more part, as the regex above would match, in one pass over the parts.
 */
export function redactJwts(run: string): string {
  const parts = run.split('.');
  const out: string[] = [];
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    const at = p.indexOf('eyJ');
    if (at >= 0 && p.length - at >= 5 && (parts[k + 1]?.length ?? 0) >= 2 && k + 2 < parts.length) {
      out.push(`${p.slice(0, at)}${REDACTED}`);
      k += 2;
    } else out.push(p);
  }
  return out.join('.');
}

/**
 * Whether any of the patterns (or a JWT) could match in `s`: each needs a dot, a colon, an
 * equals sign or white space (a JWT its dots, PATTERNS 0 and 1 a dot, 2 the space after
 * `Bearer`, 3 its `:` or `=`). Most fields of a record (names, namespaces, Vault paths,
 * operations) have none, and skip the five scans.
 */
export const MAY_CARRY = /[.:=\s]/;

/** Replaces credential-shaped substrings of `s`. */
export function scrubText(s: string): string {
  if (!MAY_CARRY.test(s)) return s;
  let out = s.includes('eyJ') ? s.replace(TOKEN_RUN, redactJwts) : s;
  for (const p of PATTERNS) out = out.replace(p, (m, key?: string) => (typeof key === 'string' && p === PATTERNS[3] ? `${key}${REDACTED}` : REDACTED));
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
