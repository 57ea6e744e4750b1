/**
 * The keyword pass read from a window's bytes finds exactly what it finds in the decoded
 * string, and the file scanner hands each analyser the bytes of the very text it scans.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeywordSet } from '../../../src/scan/keywords';
import { analyserFor } from '../../../src/scan/layer';
import { matchText, type RawMatch } from '../../../src/scan/match';
import { Prefilter } from '../../../src/scan/prefilter';
import { KNOWN_RULES } from '../../../src/scan/rules';
import { OVERLAP_BYTES, WINDOW_BYTES, scanStream, type Analyse } from '../../../src/scan/text-scanner';
import { FAKE_KINDS, plant, rng } from '../../helpers/fake-secrets';

const repo = join(__dirname, '../../..');
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const planted = FAKE_KINDS.map((k, i) => plant(k, 500 + i).text).join('\n');
const randomBytes = (n: number, seed: number): Buffer => {
  const next = rng(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
};

const TEXTS: Array<[string, string]> = [
  ['every planted fake kind', planted],
  ['a real source file (the rules)', readFileSync(join(repo, 'src/scan/rules.ts'), 'latin1')],
  ['a real document (the scanner docs)', readFileSync(join(repo, 'docs/scanner.md'), 'latin1')],
  ['latin1 letters next to keywords', 'cl\u00e9=\u00e9key\u00ff:_auth\u00e9 PASS\u00e0word s.\u00c0 ghp_\u00e9'],
  ['random bytes as latin1', randomBytes(20_000, 7).toString('latin1')],
  ['empty', ''],
];

describe('KeywordSet.scanBytes', () => {
  const set = new Prefilter(KNOWN_RULES, ['pass', 'pwd', 'secret', 'token', 'key']);
  const keywords = new KeywordSet([
    { text: 'ghp_', caseless: false }, { text: 'KEY', caseless: true }, { text: 's.', caseless: false }, { text: 'AKIA', caseless: false },
  ]);
  it.each(TEXTS)('%s: the same hits as the string scan', (_label, text) => {
    expect(keywords.scanBytes(latin1(text), text)).toEqual(keywords.scan(text));
    expect(set.candidates(text, latin1(text))).toEqual(set.candidates(text));
  });

  it('refuses bytes that are not the encoding of the text', () => {
    expect(() => keywords.scanBytes(latin1('key'), 'keys')).toThrow(RangeError);
  });
});

describe('the file scanner reads windows as bytes', () => {
  const gh = plant('github-token', 71);
  const key = plant('private-key', 72);
  const filler = 'const token = lookup(config.secretName); // key rotation\n';
  const text = [
    filler.repeat(Math.ceil((WINDOW_BYTES - 30) / filler.length)),
    `  x = "${gh.secret}"\n`,
    filler.repeat(Math.ceil(OVERLAP_BYTES / filler.length)),
    `${key.text}\n`,
    filler.repeat(Math.ceil(WINDOW_BYTES / filler.length)),
  ].join('');

  it.each([
    ['one chunk', text.length],
    ['file-sized chunks', 1 << 20],
    ['small odd chunks', 7777],
  ])('in %s, gives each analyser call the bytes of its text, and finds what the string scan finds', async (_label, size) => {
    const buf = latin1(text);
    const chunks = Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size));
    const plain = analyserFor('src/app.ts');
    let calls = 0;
    const checked: Analyse = Object.assign((t: string): RawMatch[] => plain(t), {
      withBytes: (t: string, bytes: Uint8Array): RawMatch[] => {
        calls++;
        expect(Buffer.from(bytes).toString('latin1')).toBe(t);
        return plain.withBytes ? plain.withBytes(t, bytes) : [];
      },
    });
    const viaBytes = await scanStream(chunks, checked);
    const viaString = await scanStream(chunks, (t: string) => matchText(t, 'code'));
    expect(calls).toBeGreaterThan(1);
    expect(viaBytes.matches.map((m) => [m.ruleId, m.line, m.column])).toEqual(viaString.matches.map((m) => [m.ruleId, m.line, m.column]));
    expect(viaBytes.matches.map((m) => m.ruleId)).toEqual(['github-token', 'private-key']);
  });
});
