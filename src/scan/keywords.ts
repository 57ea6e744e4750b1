/**
 * Many literals found in one pass: an Aho-Corasick automaton compiled to a table (one
 * lookup per character, no backtracking), over ASCII letters folded to lower case. A
 * literal that is case-sensitive is confirmed where it was found. Pure.
 */
import { fitsWasm, WasmKeywordPass } from './keyword-wasm';

/** A literal to look for; `caseless` ones match in any ASCII case. */
export interface Keyword {
  readonly text: string;
  readonly caseless: boolean;
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

/** The full transition table (failure links folded in) and every state's keywords, its own and its suffixes'. */
function automaton(children: Int32Array, own: number[][], width: number): { delta: Int32Array; outs: number[][] } {
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
    const { classes, width } = classTable(keywords);
    const { children, own } = trie(keywords, classes, width);
    const { delta, outs } = automaton(children, own, width);
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
    this.depth = Math.max(0, ...keywords.map((k) => k.text.length));
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
