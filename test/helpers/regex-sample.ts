/**
 * A string that a regular expression matches, drawn from the pattern itself: a small
 * parser for the subset secret-scanning rules use (RE2 and JavaScript): literals and
 * escapes, classes and POSIX classes, groups (capturing, non-capturing, named, flag
 * groups), alternation, bounded and open quantifiers, and zero-width assertions (which
 * emit nothing). The first branch of an alternation is taken, the middle count of a
 * bounded repeat, a fixed length for open ones; class characters are drawn at random.
 */

type Node =
  | { t: 'chars'; set: string }
  | { t: 'lit'; s: string }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[]; group: number }
  | { t: 'rep'; node: Node; min: number; max: number };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const DIGIT = '0123456789';
const WORD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
const POSIX: Record<string, string> = { alnum: WORD.slice(0, 62), alpha: WORD.slice(0, 52), digit: DIGIT, upper: WORD.slice(0, 26), lower: WORD.slice(26, 52), xdigit: '0123456789abcdefABCDEF' };
const CLASS_ESCAPES: Record<string, string> = { d: DIGIT, w: WORD, s: ' ', D: 'abc', W: '-', S: WORD.slice(0, 62) };
const CONTROL: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
/** Open repeats (`+`, `*`, `{n,}`) get at least this many. */
export const OPEN_REPEAT = 16;

class Parser {
  i = 0;
  groups = 0;
  constructor(private readonly src: string) {}

  alt(): Node {
    const group = this.groups;
    const options = [this.seq()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.seq());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options, group };
  }

  seq(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') items.push(this.quantified(this.atom()));
    return { t: 'seq', items };
  }

  quantified(node: Node): Node {
    const rest = this.src.slice(this.i);
    const m = /^(?:\{(\d+)(,(\d*))?\}|([*+?]))\??/.exec(rest);
    if (!m) return node;
    this.i += m[0].length;
    if (m[4] === '*') return { t: 'rep', node, min: 0, max: Infinity };
    if (m[4] === '+') return { t: 'rep', node, min: 1, max: Infinity };
    if (m[4] === '?') return { t: 'rep', node, min: 0, max: 1 };
    const min = Number(m[1]);
    return { t: 'rep', node, min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
  }

  atom(): Node {
    const c = this.src[this.i++] ?? '';
    if (c === '(') return this.group();
    if (c === '[') return this.cls();
    if (c === '.') return { t: 'chars', set: WORD.slice(0, 62) };
    if (c === '^' || c === '$') return { t: 'lit', s: '' };
    if (c === '\\') return this.escape();
    return { t: 'lit', s: c };
  }

  group(): Node {
    const rest = this.src.slice(this.i);
    const zeroWidth = /^\?<?[=!]/.exec(rest);
    const flags = /^\?[a-zA-Z-]*\)/.exec(rest);
    if (flags) {
      this.i += flags[0].length;
      return { t: 'lit', s: '' };
    }
    const head = /^\?(?:P?<[A-Za-z_]\w*>|[a-zA-Z-]*:|<?[=!])/.exec(rest);
    if (head) this.i += head[0].length;
    else this.groups++;
    const inner = this.alt();
    this.i++; // ')'
    return zeroWidth ? { t: 'lit', s: '' } : inner;
  }

  escape(): Node {
    const c = this.src[this.i++] ?? '';
    if (c in CLASS_ESCAPES) return { t: 'chars', set: CLASS_ESCAPES[c] ?? '' };
    if ('bBAzZ'.includes(c)) return { t: 'lit', s: '' };
    if (c in CONTROL) return { t: 'lit', s: CONTROL[c] ?? '' };
    if (c === 'x') {
      const hex = this.src.slice(this.i, this.i + 2);
      this.i += 2;
      return { t: 'lit', s: String.fromCharCode(parseInt(hex, 16)) };
    }
    return { t: 'lit', s: c };
  }

  cls(): Node {
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    let set = '';
    let first = true;
    while (this.i < this.src.length && (first || this.src[this.i] !== ']')) {
      first = false;
      const posix = /^\[:(\w+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        this.i += posix[0].length;
        set += POSIX[posix[1] ?? ''] ?? '';
        continue;
      }
      const from = this.classChar();
      if (from.length === 1 && this.src[this.i] === '-' && this.src[this.i + 1] !== ']') {
        this.i++;
        const to = this.classChar();
        for (let k = from.charCodeAt(0); k <= to.charCodeAt(0); k++) set += String.fromCharCode(k);
      } else set += from;
    }
    this.i++; // ']'
    if (!negated) return { t: 'chars', set };
    return { t: 'chars', set: [...WORD.slice(0, 62)].filter((ch) => !set.includes(ch)).join('') || [...PRINTABLE].filter((ch) => !set.includes(ch)).join('') };
  }

  /** One class member: a character, or an escape (a class escape gives its whole set). */
  classChar(): string {
    const c = this.src[this.i++] ?? '';
    if (c !== '\\') return c;
    const e = this.src[this.i++] ?? '';
    if (e in CLASS_ESCAPES) return e === 's' ? ' \t' : CLASS_ESCAPES[e] ?? '';
    if (e in CONTROL) return CONTROL[e] ?? '';
    if (e === 'x') {
      const hex = this.src.slice(this.i, this.i + 2);
      this.i += 2;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return e;
  }
}

/** Parses `source`; throws on what the subset does not know (backreferences). */
export function parseRegex(source: string): Node {
  if (/\\[1-9kpP]/.test(source)) throw new SyntaxError('backreferences and Unicode classes are not in the subset');
  const p = new Parser(source);
  const node = p.alt();
  if (p.i < source.length) throw new SyntaxError(`unbalanced at ${p.i}`);
  return node;
}

/** Literal runs of a node, in order (class members and repeats break a run). */
export function literalRuns(node: Node): string[] {
  const runs: string[] = [];
  let cur = '';
  const walk = (n: Node): void => {
    if (n.t === 'lit') cur += n.s;
    else if (n.t === 'seq') n.items.forEach(walk);
    else if (n.t === 'rep' && n.min === n.max) for (let k = 0; k < n.min; k++) walk(n.node);
    else {
      if (cur) runs.push(cur);
      cur = '';
      if (n.t === 'alt') n.options.forEach((o) => literalRuns(o).forEach((r) => runs.push(r)));
    }
  };
  walk(node);
  if (cur) runs.push(cur);
  return runs;
}

/** The sub-pattern of capture group `group` (1-based), or the whole pattern for 0 or a pattern without it. */
export function groupSource(source: string, group: number): string {
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '[') i = classEnd(source, i);
    else if (source[i] === '(' && (source[i + 1] !== '?' || /^\(\?P?<[A-Za-z_]/.test(source.slice(i))) && ++n === group) {
      return source.slice(i + 1, closing(source, i));
    }
  }
  return source;
}

/** Where the class opened at `open` closes (its `]`). */
function classEnd(source: string, open: number): number {
  let i = open + 1;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i;
}

function closing(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '[') i = classEnd(source, i);
    else if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) return i;
  }
  return source.length;
}

/** A character of `set`, drawn from its letters and digits when it has any (tokens are mostly those). */
function pick(set: string, next: () => number): string {
  const alnum = set.replace(/[^A-Za-z0-9]/g, '');
  const from = alnum.length > 0 ? alnum : set;
  return from.charAt(Math.floor(next() * from.length));
}

/** A string `source` matches, with class characters drawn from `next` (a seeded generator). */
export function sampleOf(source: string, next: () => number): string {
  const gen = (n: Node): string => {
    switch (n.t) {
      case 'lit': return n.s;
      case 'chars': return pick(n.set, next);
      case 'seq': return n.items.map(gen).join('');
      case 'alt': return gen(n.options[0] as Node);
      case 'rep': {
        const count = n.max === Infinity ? Math.max(n.min, n.min === 0 ? 0 : OPEN_REPEAT) : Math.floor((n.min + n.max) / 2);
        return Array.from({ length: count }, () => gen(n.node)).join('');
      }
    }
  };
  return gen(parseRegex(source));
}
