/** The depth guard in front of JSON.parse: brackets inside strings never count, whatever the escapes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonDepth, jsonShape, MAX_JSON_DEPTH, MAX_JSON_ITEMS, parseJsonBody } from '../../../src/inject/json';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The guard as first written, one byte at a time: the reference the indexOf version must agree with. */
function referenceDepth(buf: Uint8Array): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x22) i = referenceEndOfString(buf, i + 1);
    else if (b === 0x7b || b === 0x5b) max = Math.max(max, ++depth);
    else if (b === 0x7d || b === 0x5d) depth--;
  }
  return max;
}

function referenceEndOfString(buf: Uint8Array, i: number): number {
  for (; i < buf.length; i++) {
    if (buf[i] === 0x5c) i++;
    else if (buf[i] === 0x22) return i;
  }
  return i;
}

describe('jsonDepth', () => {
  it.each<[string, string, number]>([
    ['flat object', '{"a":1}', 1],
    ['nested arrays', '[[[]]]', 3],
    ['brackets inside a string', '{"a":"[[[{{{"}', 1],
    ['an escaped quote does not end the string', '{"a":"\\"[[["}', 1],
    ['an escaped backslash before the quote ends it', '{"a":"\\\\"}', 1],
    ['three backslashes: the quote is escaped, the string goes on', '{"a":"\\\\\\"]]","b":[[]]}', 3],
    ['four backslashes: the quote ends the string', '{"a":"\\\\\\\\","b":[[]]}', 3],
    ['an unterminated string swallows the rest', '{"a":"[[[[', 1],
    ['a quote as the last byte', '["', 1],
    ['a backslash as the last byte', '["\\', 1],
  ])('%s', (_label, text, depth) => {
    expect(jsonDepth(bytes(text))).toBe(depth);
    expect(referenceDepth(bytes(text))).toBe(depth);
  });

  it('agrees with the byte-by-byte reference on every string of up to 7 of the significant bytes', () => {
    const alphabet = ['"', '\\', '[', ']', '{', 'a'];
    let checked = 0;
    const walk = (prefix: string): void => {
      expect(jsonDepth(bytes(prefix), Infinity)).toBe(referenceDepth(bytes(prefix)));
      checked++;
      if (prefix.length < 7) for (const c of alphabet) walk(prefix + c);
    };
    walk('');
    expect(checked).toBe((6 ** 8 - 1) / 5);
  });

  // Short strings are read byte by byte, longer ones (and any with an escape) searched with
  // indexOf: every tail of the significant bytes after a run of plain bytes either side of that switch.
  it.each([0, 1, 29, 30, 31, 32, 33, 34, 64])('agrees with the reference when a string holds %i plain bytes before its end', (plain) => {
    const alphabet = ['"', '\\', '[', ']', '{', 'a'];
    let checked = 0;
    const walk = (tail: string): void => {
      const text = `["${'a'.repeat(plain)}${tail}`;
      expect(jsonDepth(bytes(text), Infinity)).toBe(referenceDepth(bytes(text)));
      checked++;
      if (tail.length < 5) for (const c of alphabet) walk(tail + c);
    };
    walk('');
    expect(checked).toBe((6 ** 6 - 1) / 5);
  });

  it('stops counting once past the limit', () => {
    expect(jsonDepth(bytes('['.repeat(10_000)))).toBe(MAX_JSON_DEPTH + 1);
  });
});

/** Values and keys counted on the parsed value: what the byte count must bound. */
function valuesAndKeys(v: unknown): number {
  if (Array.isArray(v)) return 1 + v.reduce((a: number, x) => a + valuesAndKeys(x), 0);
  if (typeof v === 'object' && v !== null) return 1 + Object.values(v).reduce((a: number, x) => a + 1 + valuesAndKeys(x), 0);
  return 1;
}

describe('jsonShape items (containers, commas and colons outside strings)', () => {
  it.each<[string, string, number]>([
    ['a scalar', '1', 0],
    ['an empty array', '[]', 1],
    ['three numbers', '[1,2,3]', 3],
    ['an object of two members', '{"a":1,"b":[]}', 5],
    ['separators inside strings do not count', '{"a":",:,:[{"}', 2],
    ['an escaped quote keeps the string open', '["\\",:,"]', 1],
  ])('%s', (_label, text, items) => {
    expect(jsonShape(bytes(text)).items).toBe(items);
  });

  it.each(['pod-create-small', 'pod-create-1000-env', 'pod-create-init-containers', 'pod-update-ephemeral'])('bounds the values and keys of %s, far inside the limit', (name) => {
    const text = readFileSync(join(__dirname, '..', '..', 'fixtures', 'admission', `${name}.json`), 'utf8');
    const { items } = jsonShape(bytes(text));
    expect(items + 1).toBeGreaterThanOrEqual(valuesAndKeys(JSON.parse(text)));
    expect(items * 10).toBeLessThan(MAX_JSON_ITEMS);
  });

  it('stops counting once past the limit', () => {
    expect(jsonShape(bytes('[' + '0,'.repeat(1000) + '0]'), MAX_JSON_DEPTH, 10).items).toBe(11);
  });
});

describe('parseJsonBody', () => {
  it.each<[string, string, boolean, RegExp | undefined]>([
    ['empty', '', false, /empty body/],
    ['malformed', '{"a":', false, /malformed JSON/],
    ['too deep', '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1), false, /nested deeper/],
    ['as deep as allowed', '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH), true, undefined],
    ['brackets in a value do not count', JSON.stringify({ a: '['.repeat(500) }), true, undefined],
    ['as many values and keys as allowed', `[${'0,'.repeat(MAX_JSON_ITEMS - 1)}0]`, true, undefined],
    ['one more than allowed', `[${'0,'.repeat(MAX_JSON_ITEMS)}0]`, false, new RegExp(`more than ${MAX_JSON_ITEMS} values and keys`)],
    ['separators in strings do not count', JSON.stringify([','.repeat(MAX_JSON_ITEMS * 2)]), true, undefined],
  ])('%s', (_label, text, ok, reason) => {
    const result = parseJsonBody(bytes(text));
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toMatch(reason!);
  });
});
