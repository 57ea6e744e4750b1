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

/** A compiled prefilter for one rule list and one list of extra (caseless) key words. */
export class Prefilter {
  private readonly set: KeywordSet;
  /** For each keyword: the rule it anchors (rules.length for an extra word) and the anchor. */
  private readonly owners: Array<{ group: number; anchor: Anchor }>;

  constructor(private readonly rules: readonly Rule[], extra: readonly string[]) {
    const owners: Array<{ group: number; anchor: Anchor }> = [];
    rules.forEach((r, group) => r.anchors.forEach((anchor) => owners.push({ group, anchor })));
    for (const marker of extra) owners.push({ group: rules.length, anchor: { marker, caseless: true } });
    this.owners = owners;
    this.set = new KeywordSet(owners.map((o): Keyword => ({ text: o.anchor.marker, caseless: o.anchor.caseless === true })));
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
      const o = this.owners[found[h] as number] as { group: number; anchor: Anchor };
      const list = (lists[o.group] ??= []);
      const start = startFor(o.anchor, text, found[h + 1] as number);
      const last = list[list.length - 1];
      if (start < 0 || last === start) continue;
      if (last !== undefined && last > start) unsorted.add(list);
      list.push(start);
    }
    for (const list of unsorted) settle(list);
    return { byRule: lists.slice(0, this.rules.length), extra: lists[this.rules.length] ?? [] };
  }
}
