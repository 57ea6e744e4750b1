import { KNOWN_RULES, type Rule } from './rules';
import { secretNameStrength } from './names';
import type { Severity } from './severity';
import { isExpression, type TextKind } from './code-files';
import { looksWritten } from './generated';
import { isGenericSecretValue } from './values';
import { codeTable, Prefilter, type Candidates } from './prefilter';

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

const stickyPatterns = new WeakMap<RegExp, RegExp>();

/** A sticky copy of `pattern`, compiled once: it matches only where `lastIndex` points. */
function sticky(pattern: RegExp): RegExp {
  let re = stickyPatterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '') + 'y');
    stickyPatterns.set(pattern, re);
  }
  return re;
}

/**
 * Bounded-work counts of one match: candidate starts the prefilter found, and pattern
 * attempts made at them (each anchored, so each is bounded by the pattern's longest match).
 */
export interface MatchSteps {
  attempts: number;
}

/**
 * The matches of `pattern` at the given starts, as a global scan finds them: left to
 * right, each at the first candidate at or after the end of the previous one. Every
 * position the pattern can match at is a candidate, so the result is the same.
 */
function hitsAt(pattern: RegExp, text: string, starts: readonly number[], steps: MatchSteps): RegExpExecArray[] {
  const re = sticky(pattern);
  const out: RegExpExecArray[] = [];
  let from = 0;
  for (const at of starts) {
    if (at < from) continue;
    steps.attempts++;
    re.lastIndex = at;
    const m = re.exec(text);
    if (m) {
      out.push(m);
      from = at + Math.max(1, m[0].length);
    }
  }
  re.lastIndex = 0;
  return out;
}

const prefilters = new WeakMap<readonly Rule[], Prefilter>();

/** One prefilter per rule list: the known rules' anchors and the generic rule's key words. */
function prefilterFor(rules: readonly Rule[]): Prefilter {
  let p = prefilters.get(rules);
  if (!p) {
    p = new Prefilter(rules, GENERIC_WORDS);
    prefilters.set(rules, p);
  }
  return p;
}

/**
 * Runs the known-format rules over `text`: one prefilter pass finds each rule's
 * candidate starts, and only there is its pattern tried, anchored. Each pattern has only
 * bounded quantifiers, so the work is linear in the text.
 */
export function matchKnown(text: string, rules: readonly Rule[] = KNOWN_RULES, steps: MatchSteps = { attempts: 0 }): RawMatch[] {
  return knownAt(text, rules, prefilterFor(rules).candidates(text), steps);
}

function knownAt(text: string, rules: readonly Rule[], found: Candidates, steps: MatchSteps): RawMatch[] {
  const out: RawMatch[] = [];
  // byRule is sparse (a list only for rules with a candidate); forEach visits only those, in rule order.
  found.byRule.forEach((starts, i) => {
    const rule = rules[i];
    if (!rule || starts.length === 0) return;
    const hits: Hit[] = rule.find ? rule.find(text) : patternHits(rule, text, starts, steps);
    for (const { index, secret, groups } of hits) {
      if (rule.accept && !rule.accept(secret, groups ?? [])) continue;
      out.push({ ruleId: rule.id, title: rule.title, severity: rule.severity, index, secret });
    }
  });
  return out;
}

type Hit = { index: number; secret: string; groups?: ReadonlyArray<string | undefined> };

function patternHits(rule: Rule, text: string, starts: readonly number[], steps: MatchSteps): Hit[] {
  const hits: Hit[] = [];
  for (const m of hitsAt(rule.pattern, text, starts, steps)) {
    const secret = m[rule.group];
    if (secret !== undefined) hits.push({ index: m.index + m[0].indexOf(secret), secret, groups: [...m] });
  }
  return hits;
}

/** Longest variable name read before an assignment, and walked back over by `nameAround`. */
export const NAME_LIMIT = 64;

/** Where a generic assignment can start: each alternative of GENERIC's name begins with one of these (any case). */
export const GENERIC_WORDS = ['pass', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'key', 'credential', 'auth'];
/** The generic rule's pattern: a secret-like name, an assignment, a value (exported for the tests of its pre-check). */
export const GENERIC =
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

/** The assigned value is generated, and in code not a call, an index or an expression. */
function valueOk(text: string, m: RegExpExecArray, value: string, code: boolean): boolean {
  const unquoted = m[1] === '';
  if (!isGeneratedValue(value) || (unquoted && CALL_OR_INDEX.test(text.charAt(m.index + m[0].length)))) return false;
  return !(code && unquoted && isExpression(value));
}

/** Longest run of name characters GENERIC can read from its start: the longest key word, then NAME_LIMIT more. */
const GENERIC_RUN = Math.max(...GENERIC_WORDS.map((w) => w.length), 'passphrase'.length, 'password'.length) + NAME_LIMIT;

/** NAME_CHAR by character code (codes past 255 are no name characters). */
const NAME_CODES = codeTable(NAME_CHAR);

/**
 * Can GENERIC match at `start` at all: a run of name characters (its key word and the rest
 * of the name) no longer than GENERIC_RUN, an optional quote, at most 64 blanks, then `:`
 * or `=`. A shorter run is followed by a name character, which nothing after the name
 * accepts, so the whole run is the only one to look at. Most key words are prose (`the key
 * of`), and this look costs less than the pattern's attempt; a start it keeps is tried as before.
 */
export function assignmentMayFollow(text: string, start: number): boolean {
  let i = start;
  const end = Math.min(text.length, start + GENERIC_RUN + 1);
  while (i < end && NAME_CODES[text.charCodeAt(i)] === 1) i++;
  if (i - start > GENERIC_RUN) return false;
  if (text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39) i++;
  for (let blanks = 0; blanks < 64 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9); blanks++) i++;
  const c = text.charCodeAt(i);
  return c === 58 || c === 61;
}

/** Entropy-gated generic assignments: `PASSWORD=...`, `token: ...`, `secret = "..."` with a random-looking value. */
export function matchGeneric(text: string, code = false, starts?: readonly number[], steps: MatchSteps = { attempts: 0 }): RawMatch[] {
  const out: RawMatch[] = [];
  const found = (starts ?? prefilterFor(KNOWN_RULES).candidates(text).extra).filter((at) => assignmentMayFollow(text, at));
  for (const m of hitsAt(GENERIC, text, found, steps)) {
    const value = m[2] ?? '';
    if (!valueOk(text, m, value, code)) continue;
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
  return out;
}

/**
 * Known formats first; a generic hit on the same secret as a known one is dropped.
 * `kind`: source code (or minified), where an unquoted value may be an expression; or
 * documentation, whose assignments are samples and get no generic check. `bytes`: the
 * latin1 encoding of `text`, when the caller has it (a file window), read by the prefilter.
 */
export function matchText(text: string, kind: TextKind = 'text', steps: MatchSteps = { attempts: 0 }, bytes?: Uint8Array): RawMatch[] {
  const found = prefilterFor(KNOWN_RULES).candidates(text, bytes);
  const known = knownAt(text, KNOWN_RULES, found, steps);
  if (kind === 'docs') return known.sort((a, b) => a.index - b.index);
  const generic = withoutOverlaps(matchGeneric(text, kind === 'code', found.extra, steps), known);
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
