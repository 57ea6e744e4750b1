import { createHash } from 'node:crypto';
import type { RawMatch } from './match';
import type { Severity } from './severity';

/** Where in an image a finding sits. */
export interface ImagePlace {
  /** 1-based layer number in the image's layer order. */
  layer?: number;
  layerDigest?: string;
  /** Path of the file inside the layer. */
  path?: string;
  /** A later layer deletes (whiteout) or replaces the file; the bytes are still in the image. */
  deletedInLayer?: number;
  /** `Env` or `history[N]` when the finding is in the image config. */
  config?: string;
}

/** One reported finding. Carries a redacted hint and a salted fingerprint, never the secret. */
export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  /** Display path of the scanned artifact (a file, or the image archive). */
  file: string;
  line?: number;
  column?: number;
  /** First characters and the length, e.g. `ghp_…(40)`. */
  redacted: string;
  /** Stable salted hash of rule and secret (16 hex chars), for the ignore file. */
  fingerprint: string;
  image?: ImagePlace;
  advice?: string;
}

/** A match with its position resolved to line and column. */
export interface LocatedMatch extends RawMatch {
  line: number;
  column: number;
}

const FINGERPRINT_SALT = 'secrets-broker/scan/v1';

/** Salted SHA-256 of rule id and secret, first 16 hex chars: stable across runs, reveals nothing printable. */
export function fingerprint(ruleId: string, secret: string): string {
  return createHash('sha256').update(`${FINGERPRINT_SALT}\0${ruleId}\0${secret}`).digest('hex').slice(0, 16);
}

/** At most 4 leading characters (fewer for short values), an ellipsis, and the length. */
export function redact(secret: string): string {
  const shown = Math.min(4, Math.floor(secret.length / 5));
  return `${secret.slice(0, shown).replace(/[^\x21-\x7e]/g, '?')}…(${secret.length})`;
}

/** Turns a located match into a reportable finding for `file`. */
export function toFinding(m: LocatedMatch, file: string, image?: ImagePlace): Finding {
  const f: Finding = {
    ruleId: m.ruleId,
    title: m.title,
    severity: m.severity,
    file,
    line: m.line,
    column: m.column,
    redacted: m.label ?? redact(m.secret),
    fingerprint: fingerprint(m.ruleId, m.secret),
  };
  if (image) f.image = image;
  if (m.advice) f.advice = m.advice;
  return f;
}
