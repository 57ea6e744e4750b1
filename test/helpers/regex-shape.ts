/**
 * Structural linearity check for regular expressions that run on attacker-controlled
 * text. A backtracking engine is linear on a pattern when every attempt does bounded
 * work and attempts do not multiply: so no unbounded quantifier unless the pattern can
 * only start at position 0 (or is one quantified atom, like `split(/\s+/)`), no
 * quantifier over a group that itself repeats (nested) or holds an alternation, no
 * quantified backreference, and no bound so large that one attempt costs as much as the text.
 */

/** Largest repetition bound allowed on an unanchored pattern (one attempt scans at most this far per quantifier). */
export const MAX_BOUND = 16384;
/** A repeated group may hold a quantifier only when it repeats at most this often (`(?:\.\d+){1,3}`). */
export const MAX_NESTED_OUTER = 4;

/** What the parser saw. */
export interface RegexShape {
  unbounded: string[];
  nested: string[];
  quantifiedBackrefs: string[];
  /** A repeated group with `|` inside: `(a|aa)+` is exponential. */
  repeatedAlternation: string[];
  maxBound: number;
  /** Starts only at position 0: leading `^`, no top-level `|`, no `m` flag. */
  anchored: boolean;
  /** The whole pattern is one quantified atom. */
  singleAtom: boolean;
}

interface Atom {
  text: string;
  repeats: boolean;
  backref: boolean;
  alternates: boolean;
}

function readClass(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

function readQuantifier(src: string, i: number): { min: number; max: number; end: number } | undefined {
  const c = src[i];
  if (c === '*') return { min: 0, max: Infinity, end: i + 1 };
  if (c === '+') return { min: 1, max: Infinity, end: i + 1 };
  if (c === '?') return { min: 0, max: 1, end: i + 1 };
  const m = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24)) : null;
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  return { min, max, end: i + m[0].length };
}

/** Parses `re`'s source and reports its quantifier structure. */
export function regexShape(re: RegExp): RegexShape {
  const src = re.source;
  const shape: RegexShape = { unbounded: [], nested: [], quantifiedBackrefs: [], repeatedAlternation: [], maxBound: 0, anchored: false, singleAtom: false };
  const frames: Array<{ start: number; repeats: boolean; alternation: boolean }> = [{ start: 0, repeats: false, alternation: false }];
  let topGroups = 0;
  let topAlternation = false;
  let atoms = 0;
  let last: Atom | undefined;
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    const q = readQuantifier(src, i);
    if (q && last) {
      const end = src[q.end] === '?' ? q.end + 1 : q.end;
      const text = `${last.text}${src.slice(i, end)}`;
      if (q.max === Infinity) shape.unbounded.push(text);
      else shape.maxBound = Math.max(shape.maxBound, q.max);
      if (last.repeats && q.max > MAX_NESTED_OUTER) shape.nested.push(text);
      if (last.backref && q.max > 1) shape.quantifiedBackrefs.push(text);
      if (last.alternates && q.max > MAX_NESTED_OUTER) shape.repeatedAlternation.push(text);
      const frame = frames[frames.length - 1];
      if (frame && q.max > 1) frame.repeats = true;
      last = undefined;
      i = end;
      continue;
    }
    let end = i + 1;
    let backref = false;
    let repeats = false;
    if (c === '\\') {
      backref = /[1-9k]/.test(src[i + 1] ?? '');
      end = backref && src[i + 1] === 'k' ? src.indexOf('>', i) + 1 : i + 2;
    } else if (c === '[') end = readClass(src, i);
    else if (c === '(') {
      frames.push({ start: i, repeats: false, alternation: false });
      last = undefined;
      i++;
      continue;
    } else if (c === ')') {
      const frame = frames.pop();
      const parent = frames[frames.length - 1];
      repeats = frame?.repeats ?? false;
      if (parent && repeats) parent.repeats = true;
      last = { text: src.slice(frame?.start ?? 0, i + 1), repeats, backref: false, alternates: frame?.alternation ?? false };
      if (frames.length === 1) topGroups++;
      i++;
      continue;
    } else if (c === '|') {
      const frame = frames[frames.length - 1];
      if (frame) frame.alternation = true;
      if (frames.length === 1) topAlternation = true;
    }
    last = c === '|' || c === '^' || c === '$' ? undefined : { text: src.slice(i, end), repeats, backref, alternates: false };
    if (frames.length === 1 && c !== '|') atoms++;
    i = end;
  }
  shape.anchored = src.startsWith('^') && !topAlternation && !re.flags.includes('m');
  shape.singleAtom = atoms === 1 && topGroups === 0 && !topAlternation;
  return shape;
}

/** Why `re` is not linear on its input; empty when it is. */
export function linearityProblems(re: RegExp): string[] {
  const s = regexShape(re);
  const out: string[] = [];
  for (const n of s.nested) out.push(`nested quantifier ${n}`);
  for (const b of s.quantifiedBackrefs) out.push(`quantified backreference ${b}`);
  for (const a of s.repeatedAlternation) out.push(`repeated alternation ${a}`);
  if (!s.anchored && !s.singleAtom) for (const u of s.unbounded) out.push(`unbounded quantifier ${u} in an unanchored pattern`);
  if (!s.anchored && s.maxBound > MAX_BOUND) out.push(`bound ${s.maxBound} above ${MAX_BOUND}`);
  return out;
}
