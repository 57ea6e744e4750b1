import { KNOWN_RULES, type Rule } from './rules';
import { secretNameStrength } from './names';
import type { Severity } from './severity';
import { isExpression, type TextKind } from './code-files';
import { looksWritten } from './generated';
import { isGenericSecretValue } from './values';

/** A rule hit inside one text: where the secret starts, and the secret itself (never printed). */
export interface RawMatch {
  ruleId: string;
  title: string;
  severity: Severity;
  /** Offset of the secret in the text. */
  index: number;
  secret: string;
  /** Shown instead of the redacted secret when the match is no secret itself (a file name, a variable name). */
  label?: string;
  /** How to do it safely. */
  advice?: string;
}

const globalPatterns = new WeakMap<RegExp, RegExp>();

/** A global copy of `pattern`, compiled once. */
function globalPattern(pattern: RegExp): RegExp {
  let re = globalPatterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    globalPatterns.set(pattern, re);
  }
  return re;
}

/**
 * Runs the known-format rules over `text`. Each pattern starts with a literal or a rare
 * character class and has only bounded quantifiers, so the work is linear in the text.
 */
export function matchKnown(text: string, rules: readonly Rule[] = KNOWN_RULES): RawMatch[] {
  const out: RawMatch[] = [];
  for (const rule of rules) {
    const hits: Hit[] = rule.find ? rule.find(text) : patternHits(rule, text);
    for (const { index, secret, groups } of hits) {
      if (rule.accept && !rule.accept(secret, groups ?? [])) continue;
      out.push({ ruleId: rule.id, title: rule.title, severity: rule.severity, index, secret });
    }
  }
  return out;
}

type Hit = { index: number; secret: string; groups?: ReadonlyArray<string | undefined> };

function patternHits(rule: Rule, text: string): Hit[] {
  const hits: Hit[] = [];
  // The rule's own compiled global pattern, rewound: this loop is synchronous, so nothing
  // else can move lastIndex meanwhile, and compiling 18 patterns per value is what costs.
  const re = globalPattern(rule.pattern);
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const secret = m[rule.group];
    if (secret !== undefined) hits.push({ index: m.index + m[0].indexOf(secret), secret, groups: [...m] });
  }
  re.lastIndex = 0;
  return hits;
}

/** Longest variable name read before an assignment, and walked back over by `nameAround`. */
export const NAME_LIMIT = 64;

const GENERIC =
  /(?:passw(?:or)?d|passphrase|pwd|pass|secret|token|api_?key|apikey|key|credential|auth)[A-Za-z0-9_.-]{0,64}["']?[ \t]{0,64}(?::=|=>|[:=])[ \t]{0,64}(["'`]?)([^\s"'`;,()<>[\]{}\\]{8,256})\1/gi;
const NAME_CHAR = /[A-Za-z0-9_.-]/;

function nameAround(text: string, start: number): { name: string; from: number } {
  let i = start;
  while (i > 0 && start - i < NAME_LIMIT && NAME_CHAR.test(text.charAt(i - 1))) i--;
  const m = /^[A-Za-z0-9_.-]*/.exec(text.slice(i, start + NAME_LIMIT));
  return { name: m ? m[0] : '', from: i };
}

/** What follows an unquoted value that is code: a call `f(`, an index `a[`. */
const CALL_OR_INDEX = /[([]/;

/** A random-looking value that no person or compiler wrote: the generic rule's value test. */
export function isGeneratedValue(value: string): boolean {
  return isGenericSecretValue(value) && !looksWritten(value);
}

/**
 * The assignment is a query parameter of an image URL (`badge.svg?token=...`): a badge
 * token is shown to every reader of the page, by design.
 */
function inImageUrl(text: string, nameStart: number): boolean {
  return /\.(?:svg|png|gif)\?$/i.test(text.slice(Math.max(0, nameStart - 5), nameStart));
}

/** Entropy-gated generic assignments: `PASSWORD=...`, `token: ...`, `secret = "..."` with a random-looking value. */
export function matchGeneric(text: string, code = false): RawMatch[] {
  const out: RawMatch[] = [];
  const re = globalPattern(GENERIC);
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = m[2] ?? '';
    const end = m.index + m[0].length;
    const unquoted = m[1] === '';
    if (!isGeneratedValue(value) || (unquoted && CALL_OR_INDEX.test(text.charAt(end)))) continue;
    if (code && unquoted && isExpression(value)) continue;
    const { name, from } = nameAround(text, m.index);
    if (secretNameStrength(name) === 'none' || inImageUrl(text, from)) continue;
    out.push({
      ruleId: 'generic-secret',
      title: 'High-entropy value assigned to a secret-like name',
      severity: 'medium',
      index: m.index + m[0].lastIndexOf(value),
      secret: value,
    });
  }
  re.lastIndex = 0;
  return out;
}

/**
 * Known formats first; a generic hit on the same secret as a known one is dropped.
 * `kind`: source code (or minified), where an unquoted value may be an expression; or
 * documentation, whose assignments are samples and get no generic check.
 */
export function matchText(text: string, kind: TextKind = 'text'): RawMatch[] {
  const known = matchKnown(text);
  if (kind === 'docs') return known.sort((a, b) => a.index - b.index);
  const generic = withoutOverlaps(matchGeneric(text, kind === 'code'), known);
  return [...known, ...generic].sort((a, b) => a.index - b.index);
}

/**
 * `list` without the matches that overlap one of `blockers`: the blockers sorted once,
 * then a binary search per match over their running furthest end (not a pairwise check,
 * which a file of 100,000 keys turned quadratic).
 */
export function withoutOverlaps<T extends RawMatch>(list: readonly T[], blockers: readonly RawMatch[]): T[] {
  const sorted = [...blockers].sort((a, b) => a.index - b.index);
  const furthest: number[] = [];
  let end = -1;
  for (const b of sorted) furthest.push((end = Math.max(end, b.index + b.secret.length)));
  return list.filter((m) => {
    // Blockers that start before `m` ends: the first `lo` of them.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid]?.index ?? 0) < m.index + m.secret.length) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 || (furthest[lo - 1] ?? -1) <= m.index;
  });
}
