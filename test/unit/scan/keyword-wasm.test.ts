/**
 * The keyword pass in WebAssembly (keyword-wasm.ts) finds exactly what the JavaScript
 * byte loop finds: the same keyword set, real text, and the places where the WebAssembly
 * pass cuts its input (its 64 KiB chunks, the lanes inside a chunk).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK, LANES, WasmKeywordPass, fitsWasm, scanModuleBytes } from '../../../src/scan/keyword-wasm';
import { KeywordSet, type Keyword } from '../../../src/scan/keywords';
import { GENERIC_WORDS } from '../../../src/scan/match';
import { KNOWN_RULES } from '../../../src/scan/rules';
import { FAKE_KINDS, plant, rng } from '../../helpers/fake-secrets';

const repo = join(__dirname, '../../..');
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** The scanner's own keyword set: every rule's anchors and the generic rule's words. */
const SCANNER: Keyword[] = [
  ...KNOWN_RULES.flatMap((r) => r.anchors.map((a) => ({ text: a.marker, caseless: a.caseless === true, notAfter: a.notAfter }))),
  ...GENERIC_WORDS.map((text) => ({ text, caseless: true })),
];
const LONGEST = SCANNER.reduce((a, k) => (k.text.length > a.length ? k.text : a), '');
const SMALL: Keyword[] = [
  { text: 'ghp_', caseless: false }, { text: 'KEY', caseless: true }, { text: 's.', caseless: false }, { text: 'a', caseless: true },
];

/** Text made of keyword pieces, keyword-free letters and random bytes: hits everywhere, overlapping ones too, across every cut. */
function keywordSoup(n: number, seed: number): string {
  const next = rng(seed);
  const parts = [...SCANNER.map((k) => k.text), ...SCANNER.map((k) => k.text.slice(0, 1 + Math.floor(k.text.length / 2)).toUpperCase()), 'zq', ' ', '\n'];
  let s = '';
  while (s.length < n) s += next() < 0.1 ? String.fromCharCode(Math.floor(next() * 256)) : (parts[Math.floor(next() * parts.length)] as string);
  return s.slice(0, n);
}

const TEXTS: Array<[string, string]> = [
  ['every planted fake kind', FAKE_KINDS.map((k, i) => plant(k, 900 + i).text).join('\n')],
  ['a real source file (the rules)', readFileSync(join(repo, 'src/scan/rules.ts'), 'latin1')],
  ['a real document (the scanner docs), three chunks long', readFileSync(join(repo, 'docs/scanner.md'), 'latin1').repeat(3)],
  ['keyword pieces over several chunks', keywordSoup(3 * CHUNK + 12_345, 3)],
  ['keyword pieces, exactly one chunk', keywordSoup(CHUNK, 4)],
  ['keyword pieces, one byte past a chunk', keywordSoup(CHUNK + 1, 5)],
  ['non-ASCII bytes next to keywords', 'cl\u00e9=\u00e9key\u00ff:_auth\u00e9 PASS\u00e0word s.\u00c0 ghp_\u00e9 \u00c1KIA'.repeat(50)],
  ['case-insensitive keywords in mixed case', 'PaSsWoRd ToKeN aPi_KeY SECRET cReDeNtIaL AuTh pWd '.repeat(40)],
  ['case-sensitive anchors in the wrong case', 'GHP_ akia Sk_Live_ XOXB- hvs. '.repeat(40)],
  ['a keyword on every byte', 'keykeykey'.repeat(20_000)],
  ['shorter than a lane warm-up', 'token'],
  ['one byte', 'k'],
  ['empty', ''],
];

const wasmScanner = new KeywordSet(SCANNER);
const jsScanner = new KeywordSet(SCANNER, { wasm: false });
const { WebAssembly } = globalThis as unknown as { WebAssembly: { validate: (bytes: Uint8Array) => boolean } };

describe('the WebAssembly keyword pass', () => {
  it('is a valid module, and fits the scanner\'s keyword set', () => {
    expect(WebAssembly.validate(scanModuleBytes())).toBe(true);
    expect(fitsWasm(new Set(SCANNER.flatMap((k) => [...k.text.toLowerCase()])).size + 1)).toBe(true);
  });

  describe.each([
    ['the scanner keywords', SCANNER],
    ['a small set with a one-letter keyword', SMALL],
  ])('with %s', (_label, keywords) => {
    const wasm = new KeywordSet(keywords);
    const js = new KeywordSet(keywords, { wasm: false });
    it.each(TEXTS)('%s: the same hits as the JavaScript loop and the string scan', (_t, text) => {
      const found = wasm.scanBytes(latin1(text), text);
      expect(found).toEqual(js.scanBytes(latin1(text), text));
      expect(found).toEqual(js.scan(text));
    });
  });

  // The longest keyword repeated with a one-byte gap, at every phase: whatever the places
  // where the pass cuts its input (chunk ends, lane cuts), some occurrence straddles each
  // of them at each possible offset.
  it.each(Array.from({ length: LONGEST.length + 1 }, (_, phase) => [phase]))('finds the longest keyword across every cut, phase %i', (phase) => {
    const text = ('x'.repeat(phase) + `${LONGEST}x`.repeat(Math.ceil((2 * CHUNK + 100) / (LONGEST.length + 1)))).slice(0, 2 * CHUNK + 100);
    const found = wasmScanner.scanBytes(latin1(text), text);
    expect(found).toEqual(jsScanner.scanBytes(latin1(text), text));
    const longest = found.filter((id, i) => i % 2 === 0 && SCANNER[id]?.text === LONGEST).length;
    expect(longest).toBe(text.split(LONGEST).length - 1);
  });

  // Counted work, for the linear-time rule: the lanes read each byte once, plus a warm-up of
  // the longest keyword less one byte a lane a chunk (a chunk too short for lanes is read
  // by every lane, but it is at most that short).
  it.each([0, 1, 100, CHUNK - 1, CHUNK, 5 * CHUNK + 17, 40 * CHUNK])('reads %i bytes in linear steps', (n) => {
    const pass = new WasmKeywordPass(...tablesOf(wasmScanner));
    pass.run(latin1(keywordSoup(n, 11)));
    const chunks = Math.ceil(n / CHUNK);
    expect(pass.steps).toBeGreaterThanOrEqual(n);
    expect(pass.steps).toBeLessThanOrEqual(n + chunks * LANES * LONGEST.length);
  });

  it('a set too wide for the pass is scanned in JavaScript, with the same hits', () => {
    // 68 characters that ASCII folding keeps apart: punctuation, digits, and `[` to `~`.
    const chars = [...Array.from({ length: 32 }, (_, i) => 33 + i), ...Array.from({ length: 36 }, (_, i) => 91 + i)];
    const wide: Keyword[] = chars.map((c) => ({ text: `${String.fromCharCode(c)}q`, caseless: false }));
    const set = new KeywordSet(wide);
    const text = wide.map((k) => k.text).join(' ').repeat(100);
    const found = set.scanBytes(latin1(text), text);
    expect((set as unknown as { wasm: unknown }).wasm).toBeNull();
    expect(found).toEqual(set.scan(text));
    expect(found.length).toBe(2 * wide.length * 100);
  });

  it('reports each accepting position once, in order, including runs with a hit on every byte', () => {
    const set = new KeywordSet([{ text: 'a', caseless: true }]);
    const text = 'a'.repeat(CHUNK * 2 + 7);
    const { hits, count } = new WasmKeywordPass(...tablesOf(set)).run(latin1(text));
    const positions = Array.from({ length: count }, (_, h) => hits[2 * h]);
    expect(positions).toEqual(Array.from({ length: text.length }, (_, i) => i));
  });
});

/** The tables a KeywordSet hands its WebAssembly pass (read through its private fields, as keywords.ts builds them). */
function tablesOf(set: KeywordSet): [Uint8Array, Int32Array, number, number] {
  const s = set as unknown as { classes: Uint8Array; delta: Int32Array; firstOutput: number; depth: number };
  return [s.classes, s.delta, s.firstOutput, s.depth];
}
