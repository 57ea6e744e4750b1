import { KNOWN_RULES, type Rule } from './rules';
import { secretNameStrength } from './names';
import type { Severity } from './severity';
import { isGenericSecretValue } from './values';

/** A rule hit inside one text: where the secret starts, and the secret itself (never printed). */
export interface RawMatch {
  ruleId: string;
  title: string;
  severity: Severity;
  /** Offset of the secret in the text. */
  index: number;
  secret: string;
}

/** Runs the known-format rules over `text`; a rule runs only when one of its keywords occurs. */
export function matchKnown(text: string, rules: readonly Rule[] = KNOWN_RULES): RawMatch[] {
  const out: RawMatch[] = [];
  for (const rule of rules) {
    if (rule.keywords.length > 0 && !rule.keywords.some((k) => text.includes(k))) continue;
    const re = new RegExp(rule.pattern.source, rule.pattern.flags);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const secret = m[rule.group];
      if (secret === undefined || (rule.accept && !rule.accept(secret))) continue;
      out.push({ ruleId: rule.id, title: rule.title, severity: rule.severity, index: m.index + m[0].indexOf(secret), secret });
    }
  }
  return out;
}

const GENERIC =
  /(?:passw(?:or)?d|passphrase|pwd|pass|secret|token|api_?key|apikey|key|credential|auth)[A-Za-z0-9_.-]*["']?[ \t]*(?::=|=>|[:=])[ \t]*(["'`]?)([^\s"'`;,()<>[\]{}\\]{8,256})\1/gi;
const NAME_CHAR = /[A-Za-z0-9_.-]/;

function nameAround(text: string, start: number): string {
  let i = start;
  while (i > 0 && NAME_CHAR.test(text.charAt(i - 1))) i--;
  const m = /^[A-Za-z0-9_.-]*/.exec(text.slice(i, start + 64));
  return m ? m[0] : '';
}

/** Entropy-gated generic assignments: `PASSWORD=...`, `token: ...`, `secret = "..."` with a random-looking value. */
export function matchGeneric(text: string): RawMatch[] {
  const out: RawMatch[] = [];
  const re = new RegExp(GENERIC.source, GENERIC.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = m[2] ?? '';
    if (!isGenericSecretValue(value)) continue;
    if (secretNameStrength(nameAround(text, m.index)) === 'none') continue;
    out.push({
      ruleId: 'generic-secret',
      title: 'High-entropy value assigned to a secret-like name',
      severity: 'medium',
      index: m.index + m[0].lastIndexOf(value),
      secret: value,
    });
  }
  return out;
}

/** Known formats first; a generic hit on the same secret as a known one is dropped. */
export function matchText(text: string): RawMatch[] {
  const known = matchKnown(text);
  const generic = matchGeneric(text).filter((g) => !known.some((k) => overlaps(k, g)));
  return [...known, ...generic].sort((a, b) => a.index - b.index);
}

function overlaps(a: RawMatch, b: RawMatch): boolean {
  return a.index < b.index + b.secret.length && b.index < a.index + a.secret.length;
}
