/**
 * One pass over a text finds where any rule may match: every rule's anchors and the
 * generic rule's key words go into one keyword automaton (keywords.ts), so a rule's
 * pattern is only tried, anchored, at its own candidate starts, and most text reaches
 * no pattern at all. Pure.
 */
import { KeywordSet, type Keyword } from './keywords';
import type { Anchor, Rule } from './rule';

/** Candidate starts, ascending and distinct: one list per rule (in the order given), and one for `extra` keywords. */
export interface Candidates {
  byRule: number[][];
  extra: number[];
}

/** Where the match of `anchor` found at `at` would start, or -1: `back` characters of its class right before it. */
export function startFor(anchor: Anchor, text: string, at: number): number {
  const back = anchor.back;
  if (!back) return at;
  let run = 0;
  while (run < back.max + 1 && at - run > 0 && back.chars.test(text.charAt(at - run - 1))) run++;
  return run >= back.min && run <= back.max ? at - run : -1;
}

/** `list` sorted with repeats removed, in place (anchors of different lengths can report a later start first). */
function settle(list: number[]): void {
  list.sort((a, b) => a - b);
  let n = 0;
  for (const x of list) if (n === 0 || list[n - 1] !== x) list[n++] = x;
  list.length = n;
}

const NO_CANDIDATES: Candidates = Object.freeze({ byRule: Object.freeze([]) as unknown as number[][], extra: Object.freeze([]) as unknown as number[] });

/** The rule a keyword anchors (rules.length for an extra word), its anchor, and the anchor's `notAfter` as a table of the character codes it holds (below 256). */
interface Owner {
  group: number;
  anchor: Anchor;
  notAfter: Uint8Array | undefined;
}

const codeTables = new WeakMap<RegExp, Uint8Array>();

/**
 * `chars` as a table over the codes 0 to 255: 1 where the class holds the character. One
 * table per class, built once: the provider rules' 83 anchors share two classes.
 */
export function codeTable(chars: RegExp): Uint8Array {
  let table = codeTables.get(chars);
  if (!table) {
    table = new Uint8Array(256);
    for (let c = 0; c < 256; c++) table[c] = chars.test(String.fromCharCode(c)) ? 1 : 0;
    codeTables.set(chars, table);
  }
  return table;
}

/** Is there a character before `start` that `notAfter` refuses? Codes past 255 are never in the table (the classes used are ASCII). */
const refusedBefore = (notAfter: Uint8Array, text: string, start: number): boolean => start > 0 && notAfter[text.charCodeAt(start - 1)] === 1;

/** Where the match of `o`'s keyword found at `at` would start, or -1: none there, or one that its pattern's lookbehind refuses. */
function candidateStart(o: Owner, text: string, at: number): number {
  const start = startFor(o.anchor, text, at);
  return start >= 0 && o.notAfter && refusedBefore(o.notAfter, text, start) ? -1 : start;
}

/** A compiled prefilter for one rule list and one list of extra (caseless) key words. */
export class Prefilter {
  private readonly set: KeywordSet;
  /** For each keyword, what it anchors. */
  private readonly owners: Owner[];

  constructor(private readonly rules: readonly Rule[], extra: readonly string[]) {
    const owners: Owner[] = [];
    rules.forEach((r, group) => r.anchors.forEach((anchor) => owners.push({ group, anchor, notAfter: anchor.notAfter && codeTable(anchor.notAfter) })));
    for (const marker of extra) owners.push({ group: rules.length, anchor: { marker, caseless: true }, notAfter: undefined });
    this.owners = owners;
    this.set = new KeywordSet(owners.map((o): Keyword => ({ text: o.anchor.marker, caseless: o.anchor.caseless === true, notAfter: o.anchor.notAfter })));
  }

  /**
   * The candidate starts of every rule in `text`. Lists exist only for rules with a
   * candidate (`byRule[i]` is undefined otherwise): most short texts, such as the env
   * values of a pod, hit no anchor, and cost no allocation per rule. `bytes`, when given,
   * is the latin1 encoding of `text` (a file window), read instead of the string.
   */
  candidates(text: string, bytes?: Uint8Array): Candidates {
    const found = bytes ? this.set.scanBytes(bytes, text) : this.set.scan(text);
    if (found.length === 0) return NO_CANDIDATES;
    const lists: number[][] = [];
    const unsorted = new Set<number[]>();
    for (let h = 0; h < found.length; h += 2) {
      const o = this.owners[found[h] as number] as Owner;
      const start = candidateStart(o, text, found[h + 1] as number);
      if (start < 0) continue;
      const list = (lists[o.group] ??= []);
      const last = list[list.length - 1];
      if (last === start) continue;
      if (last !== undefined && last > start) unsorted.add(list);
      list.push(start);
    }
    for (const list of unsorted) settle(list);
    return { byRule: lists.slice(0, this.rules.length), extra: lists[this.rules.length] ?? [] };
  }
}
