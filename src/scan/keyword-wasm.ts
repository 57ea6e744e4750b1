/**
 * The keyword automaton's byte loop (keywords.ts) as a WebAssembly function: for each
 * byte, its class, the next state from the table, and the position and state written
 * out when a keyword ends there. The same table, the same states, so the same hits as
 * the JavaScript loop, at about half its cost per byte (no typed-array checks per read;
 * the engine confines every access to the module's own memory).
 *
 * The module is encoded here, a few dozen bytes, rather than shipped as a .wasm file:
 * nothing more to copy into the package, the image or the bundles, and every byte is
 * named below. Pure but for the memory it owns.
 */

/** Bytes handed to one call; the hit list below it can then never overflow (at most one hit per byte). */
export const CHUNK = 1 << 16;
/** Memory layout: the byte classes (premultiplied by 4), the lanes' variables, the transition table. */
const CLASSES = 0;
const LANE_VARS = 256;
const DELTA = 512;

const I32 = 0x7f;
const op = {
  loop: 0x03, if: 0x04, end: 0x0b, br_if: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22, load: 0x28, load8u: 0x2d, store: 0x36,
  const: 0x41, ltU: 0x49, geU: 0x4f, add: 0x6a,
} as const;

/** Unsigned LEB128, as every count, index and offset in the format. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? b : b | 0x80);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'ascii')];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** A memory access: alignment (log2) and constant offset. */
const mem = (code: number, align: number, offset: number): number[] => [code, align, ...uleb(offset)];

/** Independent runs of the automaton interleaved in one loop, so the processor overlaps their table loads (each run's next state waits on its last). */
export const LANES = 2;

// Locals of `scan`: the parameters (the first accepting state, the end of lane 0), then
// for each lane its read address, state and hit address, loaded from and stored back to
// LANE_VARS (three i32 a lane).
const [FIRST, END] = [0, 1];
const at = (lane: number): { p: number; s: number; out: number } => ({ p: 2 + 3 * lane, s: 3 + 3 * lane, out: 4 + 3 * lane });
const laneVar = (lane: number, k: number): number => LANE_VARS + 12 * lane + 4 * k;

/** One step of a lane: the next state; an accepting one writes (address, state) and moves the hit address on. */
function step(lane: number): number[] {
  const { p, s, out } = at(lane);
  return [
    op.get, s,
    op.get, p, ...mem(op.load8u, 0, 0),
    ...mem(op.load8u, 0, CLASSES),
    op.add,
    ...mem(op.load, 2, DELTA),
    op.tee, s,
    op.get, FIRST,
    op.geU,
    op.if, op.void,
    op.get, out, op.get, p, ...mem(op.store, 2, 0),
    op.get, out, op.get, s, ...mem(op.store, 2, 4),
    op.get, out, op.const, 8, op.add, op.set, out,
    op.end,
    op.get, p, op.const, 1, op.add, op.set, p,
  ];
}

const lanes = Array.from({ length: LANES }, (_, j) => j);
const load = (lane: number): number[] =>
  [0, 1, 2].flatMap((k) => [op.const, ...uleb(laneVar(lane, k)), ...mem(op.load, 2, 0), op.set, 2 + 3 * lane + k]);
const save = (lane: number): number[] =>
  [0, 1, 2].flatMap((k) => [op.const, ...uleb(laneVar(lane, k)), op.get, 2 + 3 * lane + k, ...mem(op.store, 2, 0)]);

/** scan(first, end): every lane steps until lane 0's address reaches `end` (at least once); the lanes' variables go back to LANE_VARS. */
const BODY: number[] = [
  ...vec([[...uleb(3 * LANES), I32]]),
  ...lanes.flatMap(load),
  op.loop, op.void,
  ...lanes.flatMap(step),
  op.get, at(0).p, op.get, END, op.ltU, op.br_if, 0,
  op.end,
  ...lanes.flatMap(save),
  op.end,
];

/** The module: one function type, the memory imported as `m.mem`, `scan` exported. */
export function scanModuleBytes(): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32]]), ...vec([])]])),
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('scan'), 0x00, 0]])),
    ...section(10, vec([[...uleb(BODY.length), ...BODY]])),
  ]);
}

/** The few WebAssembly names used here (TypeScript declares them only in its DOM libraries). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
};

let compiled: object | undefined;

type ScanFn = (first: number, end: number) => void;

/**
 * One automaton's tables in a memory of its own. `classes`: a class for each byte value;
 * `delta`: the next state, `delta[s + c]`, states premultiplied by the width, as in
 * keywords.ts; `firstOutput`: the first accepting state (premultiplied); `depth`: the
 * longest keyword.
 *
 * A chunk is cut into LANES stretches, each lane but the first starting from the root
 * `depth - 1` bytes before its stretch: by its stretch it is in the very state a single
 * run would be (the automaton's state is set by the last `depth` bytes at most), so its
 * hits there are the single run's, and those before are dropped.
 */
export class WasmKeywordPass {
  private readonly heap: Uint8Array;
  private readonly words: Int32Array;
  private readonly scanFn: ScanFn;
  private readonly input: number;
  private readonly output: number;
  /** Bytes of hits a lane may write in one call: one hit per byte it reads. */
  private readonly laneBytes: number;
  private readonly first: number;
  private readonly warm: number;

  constructor(classes: Uint8Array, delta: Int32Array, firstOutput: number, depth: number) {
    this.warm = Math.max(0, depth - 1);
    this.input = align(DELTA + delta.length * 4);
    this.output = this.input + CHUNK;
    this.laneBytes = align((Math.ceil(CHUNK / LANES) + this.warm + 1) * 8);
    const memory = new WebAssembly.Memory({ initial: Math.ceil((this.output + LANES * this.laneBytes) / 65536) });
    compiled ??= new WebAssembly.Module(scanModuleBytes());
    const instance = new WebAssembly.Instance(compiled, { m: { mem: memory } });
    this.scanFn = instance.exports.scan as ScanFn;
    this.heap = new Uint8Array(memory.buffer);
    this.words = new Int32Array(memory.buffer);
    for (let b = 0; b < 256; b++) this.heap[CLASSES + b] = (classes[b] as number) * 4;
    for (let i = 0; i < delta.length; i++) this.words[DELTA / 4 + i] = (delta[i] as number) * 4;
    this.first = firstOutput * 4;
  }

  /** Bytes the lanes have read, warm-ups included: at most the input plus `(LANES - 1) * (depth - 1)` a chunk (the tests bound it). */
  steps = 0;

  /**
   * Every position of `bytes` where the automaton enters an accepting state, in order, as
   * `count` pairs (position, state premultiplied as in keywords.ts) at the start of `hits`,
   * an array kept for the next call (read it before).
   */
  run(bytes: Uint8Array): { hits: Int32Array; count: number } {
    let s = 0;
    const found = { hits: this.found, count: 0 };
    for (let from = 0; from < bytes.length; from += CHUNK) {
      const n = Math.min(CHUNK, bytes.length - from);
      this.heap.set(bytes.subarray(from, from + n), this.input);
      s = this.chunk(n, s, from, found);
    }
    this.found = found.hits;
    return found;
  }

  /** Hit pairs kept between calls (a window has a few thousand). */
  private found = new Int32Array(1024);

  /**
   * One chunk of `n` bytes at `input` (offset `from` in the whole), from state `s`; its
   * hits appended to `found`; returns the state after it. Indexed loops and no closures:
   * this runs for every 64 KiB of every file, and small code is optimized sooner and at
   * less cost.
   */
  private chunk(n: number, s: number, from: number, found: { hits: Int32Array; count: number }): number {
    const { words, input, warm } = this;
    // Each lane reads `m` bytes; too short a chunk for lanes of at least `warm + 1` bytes runs in lane 0 alone.
    const m = Math.ceil((n + (LANES - 1) * warm) / LANES);
    const alone = m <= warm;
    for (let j = 0; j < LANES; j++) {
      words[laneVar(j, 0) / 4] = input + laneStart(j, alone, m, n, warm);
      words[laneVar(j, 1) / 4] = j === 0 ? s : 0;
      words[laneVar(j, 2) / 4] = this.output + j * this.laneBytes;
    }
    this.scanFn(this.first, input + (alone ? n : m));
    this.steps += LANES * (alone ? n : m);
    for (let j = 0; j < LANES; j++) {
      // Lane j's hits count from where lane j - 1 stopped; with one lane, the others' are all dropped.
      const valid = input + (j === 0 ? 0 : alone ? n : laneStart(j - 1, alone, m, n, warm) + m);
      this.collect((this.output + j * this.laneBytes) / 4, (words[laneVar(j, 2) / 4] as number) / 4, valid, from, found);
    }
    return words[laneVar(alone ? 0 : LANES - 1, 1) / 4] as number;
  }

  /** A lane's hit pairs in `words[begin..end)`, those at or after address `valid`, appended to `found` as positions in the whole (offset `from`). */
  private collect(begin: number, end: number, valid: number, from: number, found: { hits: Int32Array; count: number }): void {
    const { words, input } = this;
    if (found.hits.length < found.count * 2 + (end - begin)) found.hits = grown(found.hits, found.count * 2 + (end - begin));
    const { hits } = found;
    let c = found.count * 2;
    for (let o = begin; o < end; o += 2) {
      const at = words[o] as number;
      if (at < valid) continue;
      hits[c++] = from + at - input;
      hits[c++] = (words[o + 1] as number) >> 2;
    }
    found.count = c / 2;
  }
}

/** Where lane `j` starts reading in a chunk of `n` bytes, lanes of `m` bytes each (all at 0 when `alone`). */
const laneStart = (j: number, alone: boolean, m: number, n: number, warm: number): number => (alone ? 0 : Math.min(j * (m - warm), n - m));

/** `a` copied into an array of at least `n` elements. */
function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

const align = (n: number): number => (n + 15) & ~15;

/** Can a set of `width` classes use the pass? A class times 4 is stored in a byte. */
export const fitsWasm = (width: number): boolean => width * 4 <= 256 && typeof WebAssembly === 'object';
