/**
 * Pure tests on candidate secret values: entropy, placeholders and the look-alikes
 * (hashes, UUIDs, integrity strings) that must stay quiet.
 */

/** Shannon entropy of `s` in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const PLACEHOLDER_WORDS =
  /changeme|change[_-]me|example|placeholder|dummy|your[_-]|redacted|replace[_-]?me|xxxx|\*\*\*|\.\.\.|<[^<>]{0,128}>|\{\{|\$\{|%\(|%[A-Z_]{1,64}%|sample|not[_ -]?(?:a|my)[_ -]?(?:real[_ -]?)?(?:secret|password|key|token)|insert[_-]|todo|fixme|secret[_-]?here|password[_-]?here/i;

/** One repeated character (00000000, ********) or a short repeated unit (abcabcabc): one pass per unit length. */
export function isShortRepeat(v: string): boolean {
  for (let unit = 1; unit <= 3 && unit < v.length; unit++) {
    if (v.length % unit !== 0) continue;
    let i = unit;
    while (i < v.length && v.charCodeAt(i) === v.charCodeAt(i - unit)) i++;
    if (i === v.length) return true;
  }
  return false;
}

/** A value that only stands in for a secret: `${VAR}`, `$VAR`, `<your-token>`, `changeme`, `xxxx`, `example`... */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().replace(/^["'`]|["'`]$/g, '');
  if (v.length === 0) return true;
  if (/^\$[A-Za-z_({]/.test(v)) return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  if (isShortRepeat(v)) return true;
  if (/passw(?:or)?d/i.test(v) && v.length <= 64) return true;
  return /^(?:password|passwd|secret|token|null|none|nil|undefined|true|false|empty|string|required|optional)$/i.test(v);
}

/** A hex digest (MD5, SHA-1 / git SHA, SHA-256, SHA-512), a key fingerprint, a UUID, or an SRI integrity string. */
export function isHashLike(value: string): boolean {
  if (/^[0-9a-f]+$/i.test(value) && [32, 40, 56, 64, 96, 128].includes(value.length)) return true;
  if (/^(?:sha(?:1|256|384|512):)?[0-9a-f]{40,128}$/i.test(value)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return true;
  // A colon-separated key fingerprint (`1f:51:ae:...`, MD5 to SHA-512 length).
  const pairs = value.split(':');
  if (pairs.length >= 16 && pairs.length <= 64 && pairs.every((p) => /^[0-9a-f]{2}$/i.test(p))) return true;
  return /^sha(?:1|256|384|512)-[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Two or more `sep`-separated segments, each matching the anchored `segment` (a split, not a nested quantifier). */
function segmentsAll(value: string, sep: string, segment: RegExp): boolean {
  const parts = value.split(sep);
  return parts.length >= 2 && parts.every((p) => segment.test(p));
}

/** Code, paths and URLs that sit where a value would: `process.env.X`, `config.token`, `/run/secrets/x`, `https://host/`. */
export function isReferenceLike(value: string): boolean {
  if (segmentsAll(value, '.', /^[A-Za-z_$][\w$]*$/)) return true;
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(value)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith('arn:')) return true;
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/.test(value)) return true;
  // A version, also as an image tag pinned by digest: `secrets-broker:0.1.0@sha256:<64 hex>`.
  return /^v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?(?:@sha256:[0-9a-f]{0,64})?$/.test(value);
}

/**
 * Code and paths rather than a literal: an identifier made of letters only
 * (`getKeysOfEnumerableProperties`), an expression with code punctuation
 * (`!!cfg.x`, `a ? b : c`, `f(x)`, `x|y`), or a lowercase slash path (`secret/data/app/db`).
 */
export function isCodeLike(value: string): boolean {
  if (/^[A-Za-z_$]+$/.test(value)) return true;
  if (/[()?|;,[\]{}<>\s`]/.test(value) || /^[!=]/.test(value)) return true;
  // Prose puts a colon or full stop after a path: `denied: secrets-broker.io/vault-addr: is ...`.
  const path = /^[a-z0-9_.-]+$/;
  return segmentsAll(value, '/', path) || (/[:.,]$/.test(value) && segmentsAll(value.slice(0, -1), '/', path));
}

/**
 * Entropy gate for generic assignments: long enough, mixes letters with digits or
 * symbols, and random-looking; or long and very random even without digits.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 8) return false;
  const e = entropy(value);
  const letters = /[A-Za-z]/.test(value);
  const digitsOrSymbols = /[0-9!@#%^&*+/=_~-]/.test(value);
  if (letters && digitsOrSymbols && /\d/.test(value)) return e >= 3.0 + (value.length < 12 ? 0 : 0.2);
  return value.length >= 20 && e >= 4.0;
}

/** A value worth reporting under a secret-like name: not a placeholder, hash, UUID, reference, and random enough. */
export function isGenericSecretValue(value: string): boolean {
  return !isPlaceholder(value) && !isHashLike(value) && !isReferenceLike(value) && !isCodeLike(value) && looksRandom(value);
}
