/**
 * Many literals found in one pass: an Aho-Corasick automaton compiled to a table (one
 * lookup per character, no backtracking), over ASCII letters folded to lower case. A
 * literal that is case-sensitive is confirmed where it was found. Pure.
 */
import { fitsWasm, WasmKeywordPass } from './keyword-wasm';

/**
 * A literal to look for; `caseless` ones match in any ASCII case. `notAfter`: characters
 * that, right before it, make an occurrence not worth reporting (the caller checks it too;
 * for a short literal the automaton leaves such occurrences out itself, see guards()).
 */
export interface Keyword {
  readonly text: string;
  readonly caseless: boolean;
  readonly notAfter?: RegExp;
}

/** Longest literal that gets guards: each costs a state per guard and character, and a longer literal is seldom glued to a word. */
const GUARDED_LENGTH = 2;

/**
 * Guard literals: for a short keyword with `notAfter`, one more literal per character the
 * class holds, that character then the keyword (`is.` for `s.`). The automaton takes the
 * keyword out of every state a guard reaches (automaton()), so an occurrence glued to such
 * a character is never reported and costs nothing past the table step: `s.` inside
 * `this.x` is most of what the legacy Vault token's marker finds in code. Only for an
 * ASCII class that holds both cases of each letter it holds (the table folds case), so a
 * guard never drops an occurrence the class allows. Returns each guard with the keyword it drops.
 */
function guards(keywords: readonly Keyword[]): Array<{ guard: Keyword; drops: number }> {
  const out: Array<{ guard: Keyword; drops: number }> = [];
  keywords.forEach((k, id) => {
    const chars = k.notAfter && k.text.length <= GUARDED_LENGTH ? guardChars(k.notAfter) : [];
    for (const ch of chars) out.push({ guard: { text: ch + k.text, caseless: k.caseless }, drops: id });
  });
  return out;
}

/** The characters of `cls`, one per letter (lower case), when it is ASCII and holds both cases of its letters; none otherwise. */
function guardChars(cls: RegExp): string[] {
  const holds = (c: number): boolean => cls.test(String.fromCharCode(c));
  for (let c = 128; c < 256; c++) if (holds(c)) return [];
  const chars: string[] = [];
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (!holds(c)) continue;
    if (ch.toLowerCase() !== ch.toUpperCase() && holds(ch.toLowerCase().charCodeAt(0)) !== holds(ch.toUpperCase().charCodeAt(0))) return [];
    if (ch === ch.toLowerCase()) chars.push(ch);
  }
  return chars;
}

/** Character classes: 0 for every character no keyword holds, then one per folded character; one entry per UTF-16 unit, so no range check. */
function classTable(keywords: readonly Keyword[]): { classes: Uint8Array; width: number } {
  const classes = new Uint8Array(65536);
  let width = 1;
  for (const k of keywords) {
    for (const ch of k.text.toLowerCase()) {
      const c = ch.charCodeAt(0);
      if (c > 127) throw new RangeError('keywords are ASCII');
      if (classes[c] === 0) classes[c] = width++;
    }
  }
  for (let c = 65; c <= 90; c++) classes[c] = classes[c + 32] ?? 0;
  return { classes, width };
}

/** The trie of the folded keywords, flat: `children[s * width + c]` (0: none), and the keywords ending at each state. */
function trie(keywords: readonly Keyword[], classes: Uint8Array, width: number): { children: Int32Array; own: number[][] } {
  const size = 1 + keywords.reduce((n, k) => n + k.text.length, 0);
  const children = new Int32Array(size * width);
  const own: number[][] = [[]];
  keywords.forEach((k, id) => {
    let s = 0;
    for (const ch of k.text.toLowerCase()) {
      const at = s * width + (classes[ch.charCodeAt(0)] as number);
      if (children[at] === 0) {
        children[at] = own.length;
        own.push([]);
      }
      s = children[at] as number;
    }
    (own[s] as number[]).push(id);
  });
  return { children: children.subarray(0, own.length * width), own };
}

/**
 * The full transition table (failure links folded in) and every state's keywords, its own
 * and its suffixes'. A guard's state (`drops`: guard id to the keyword it drops) reports
 * neither the guard nor the keyword it drops, nor does any state whose suffix it is.
 */
function automaton(children: Int32Array, own: number[][], width: number, drops: ReadonlyMap<number, number>): { delta: Int32Array; outs: number[][] } {
  const delta = new Int32Array(children.length);
  const fail = new Int32Array(own.length);
  const outs = own.map((o) => [...o]);
  // Breadth first from the root's children: a state's failure link is set before its children need it.
  const queue: number[] = [];
  for (let c = 0; c < width; c++) {
    delta[c] = children[c] as number;
    if (delta[c] !== 0) queue.push(delta[c] as number);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q] as number;
    const f = fail[s] as number;
    (outs[s] as number[]).push(...(outs[f] as number[]));
    // Breadth first, so every state that has this one as a suffix reads the outputs after the drop.
    const guarded = (own[s] as number[]).filter((id) => drops.has(id));
    if (guarded.length > 0) {
      const gone = new Set(guarded.flatMap((id) => [id, drops.get(id) as number]));
      outs[s] = (outs[s] as number[]).filter((id) => !gone.has(id));
    }
    for (let c = 0; c < width; c++) {
      const t = children[s * width + c] as number;
      const viaFail = delta[f * width + c] as number;
      if (t !== 0) {
        fail[t] = viaFail;
        queue.push(t);
      }
      delta[s * width + c] = t || viaFail;
    }
  }
  return { delta, outs };
}

/**
 * A compiled keyword set. States are renumbered so that those where a keyword ends come
 * last, and stored premultiplied by the table width: the scan loop is one table lookup
 * and one comparison per character.
 */
export class KeywordSet {
  private readonly classes: Uint8Array;
  /** Next state (premultiplied) for state `s` (premultiplied) and class `k`: `delta[s + k]`. */
  private readonly delta: Int32Array;
  /** First (premultiplied) state where a keyword ends. */
  private readonly firstOutput: number;
  /** Keywords ending in output state `s`: `outs[(s - firstOutput) / width]`. */
  private readonly outs: number[][];
  private readonly width: number;
  /** The byte loop in WebAssembly (keyword-wasm.ts), built on first use; null when off or the set does not fit it. */
  private wasm: WasmKeywordPass | null | undefined;
  /** The longest keyword. */
  private readonly depth: number;

  /** `options.wasm: false` keeps the byte pass in JavaScript (the tests compare the two). */
  constructor(readonly keywords: readonly Keyword[], options: { wasm?: boolean } = {}) {
    const guarded = guards(keywords);
    const all = [...keywords, ...guarded.map((g) => g.guard)];
    const drops = new Map(guarded.map((g, i) => [keywords.length + i, g.drops]));
    const { classes, width } = classTable(all);
    const { children, own } = trie(all, classes, width);
    const { delta, outs } = automaton(children, own, width, drops);
    const order = [...outs.keys()].filter((s) => outs[s]?.length === 0);
    this.firstOutput = order.length * width;
    order.push(...[...outs.keys()].filter((s) => outs[s]?.length !== 0));
    const renumbered = new Int32Array(order.length);
    order.forEach((s, i) => (renumbered[s] = i));
    this.delta = new Int32Array(delta.length);
    order.forEach((s, i) => {
      for (let c = 0; c < width; c++) this.delta[i * width + c] = (renumbered[delta[s * width + c] ?? 0] ?? 0) * width;
    });
    this.outs = order.slice(this.firstOutput / width).map((s) => outs[s] ?? []);
    this.classes = classes;
    this.width = width;
    this.depth = Math.max(0, ...all.map((k) => k.text.length));
    if (options.wasm === false || !fitsWasm(width)) this.wasm = null;
  }

  /**
   * Every occurrence in `text`, overlapping ones included, in order of where they end:
   * pairs of keyword index and start, flat. One table lookup per character.
   */
  scan(text: string): number[] {
    const { classes, delta, firstOutput } = this;
    const found: number[] = [];
    const n = text.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      // In bounds by construction: a class is below the width, a state below the table size.
      s = delta[s + (classes[text.charCodeAt(i)] as number)] as number;
      if (s >= firstOutput) this.confirm(text, i, (s - firstOutput) / this.width, found);
    }
    return found;
  }

  /**
   * The same as `scan(text)`, read from `bytes`, the latin1 encoding of `text` (one byte
   * a character, as the file scanner decodes a window): a typed-array read costs less
   * than `charCodeAt`, and the hot loop is most of a scan. `text` confirms the
   * case-sensitive keywords. The loop runs in WebAssembly when it can (keyword-wasm.ts):
   * the same table, so the same hits.
   */
  scanBytes(bytes: Uint8Array, text: string): number[] {
    if (bytes.length !== text.length) throw new RangeError('bytes must be the latin1 encoding of text');
    const found: number[] = [];
    if (this.wasm === undefined) this.wasm = new WasmKeywordPass(this.classes, this.delta, this.firstOutput, this.depth);
    if (this.wasm) {
      const { hits, count } = this.wasm.run(bytes);
      for (let h = 0; h < 2 * count; h += 2) this.confirm(text, hits[h] as number, ((hits[h + 1] as number) - this.firstOutput) / this.width, found);
      return found;
    }
    const { classes, delta, firstOutput } = this;
    const n = bytes.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      // A byte indexes the first 256 classes; in bounds as in scan().
      s = delta[s + (classes[bytes[i] as number] as number)] as number;
      if (s >= firstOutput) this.confirm(text, i, (s - firstOutput) / this.width, found);
    }
    return found;
  }

  /** The keywords of output state `o` that end at `i`: caseless ones as they are, the others checked case for case. */
  private confirm(text: string, i: number, o: number, found: number[]): void {
    const ids = this.outs[o] as number[];
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j] as number;
      const k = this.keywords[id] as Keyword;
      const start = i + 1 - k.text.length;
      if (k.caseless || text.startsWith(k.text, start)) found.push(id, start);
    }
  }
}
