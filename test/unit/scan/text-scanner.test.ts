import { fingerprint, redact } from '../../../src/scan/finding';
import { parseIgnore } from '../../../src/scan/ignore';
import { matchText } from '../../../src/scan/match';
import { OVERLAP_BYTES, WINDOW_BYTES, scanStream } from '../../../src/scan/text-scanner';
import { plant } from '../../helpers/fake-secrets';

function* chunks(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const key = plant('private-key', 41);
const gh = plant('github-token', 42);

describe('scanStream', () => {
  it.each([
    ['just before a window cut', WINDOW_BYTES - 200],
    ['across a window cut', WINDOW_BYTES - 20],
    ['inside the overlap', WINDOW_BYTES - OVERLAP_BYTES + 10],
    ['in a later window', 3 * WINDOW_BYTES + 123],
  ])('finds a multi-line key %s exactly once, at the right line', async (_label, at) => {
    const fillerLine = 'const value = compute(1, 2, 3); // filler\n';
    const before = fillerLine.repeat(Math.ceil(at / fillerLine.length));
    const text = `${before}${key.text}\n${fillerLine.repeat(1000)}${gh.text}\n`;
    for (const size of [65536, 1 << 20, 7777]) {
      const r = await scanStream(chunks(Buffer.from(text, 'latin1'), size), matchText);
      expect(r.matches.map((m) => [m.ruleId, m.line, m.column])).toEqual([
        ['private-key', before.split('\n').length, 1],
        ['github-token', before.split('\n').length + key.text.split('\n').length + 1000, 13],
      ]);
      expect(r.bytes).toBe(text.length);
    }
  });

  it('drains binary content without analysing it', async () => {
    const r = await scanStream(chunks(Buffer.concat([Buffer.from([0x7f, 0x45, 0, 0]), Buffer.from(gh.text)]), 3), matchText);
    expect(r).toEqual({ matches: [], binary: true, bytes: 4 + gh.text.length, truncated: false });
  });

  it('handles a single line longer than a window', async () => {
    const text = 'x'.repeat(3 * WINDOW_BYTES) + ' ' + gh.text;
    const r = await scanStream(chunks(Buffer.from(text), 1 << 16), matchText);
    expect(r.matches.map((m) => m.ruleId)).toEqual(['github-token']);
  });

  it.each([
    ['across the first window cut', WINDOW_BYTES - 20],
    ['across the kept edge of a window', WINDOW_BYTES - OVERLAP_BYTES - 10],
    ['across a later window cut', 2 * WINDOW_BYTES - OVERLAP_BYTES + 5],
    ['in the third window', 2 * WINDOW_BYTES + 12345],
  ])('finds a token %s of one line with no newline, once, at its true column', async (_label, at) => {
    const text = 'x'.repeat(at) + ' ' + gh.secret + ' ' + 'y'.repeat(3 * WINDOW_BYTES - at);
    for (const size of [1 << 16, 7777]) {
      const r = await scanStream(chunks(Buffer.from(text, 'latin1'), size), matchText);
      expect(r.matches.map((m) => [m.ruleId, m.line, m.column])).toEqual([['github-token', 1, at + 2]]);
    }
  });

  it('keeps counting columns on the line after a long one', async () => {
    const text = `${'x'.repeat(2 * WINDOW_BYTES)}\n   ${gh.secret}\n`;
    const r = await scanStream(chunks(Buffer.from(text, 'latin1'), 1 << 16), matchText);
    expect(r.matches.map((m) => [m.line, m.column])).toEqual([[2, 4]]);
  });
});

describe('redaction and fingerprints', () => {
  it.each([
    [gh.secret, /^ghp_…\(40\)$/],
    ['short12', /^s…\(7\)$/],
    ['abc', /^…\(3\)$/],
  ])('redacts %#', (secret, pattern) => expect(redact(secret)).toMatch(pattern));

  it('fingerprints are stable, rule-bound and hide the secret', () => {
    expect(fingerprint('github-token', gh.secret)).toBe(fingerprint('github-token', gh.secret));
    expect(fingerprint('github-token', gh.secret)).not.toBe(fingerprint('generic-secret', gh.secret));
    expect(fingerprint('github-token', gh.secret)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('parseIgnore', () => {
  it.each([
    ['0123456789abcdef:github-token  # rotated', 1, 0],
    ['test/fixtures/**:*  # generated fakes', 1, 0],
    ['# only a comment\n\n', 0, 0],
    ['0123456789abcdef:github-token', 0, 1],
    ['0123456789abcdef:github-token  #   ', 0, 1],
    ['a:b:c d', 0, 1],
  ])('%j gives %i entries and %i problems', (text, entries, problems) => {
    const r = parseIgnore(text, '.secrets-broker-ignore', '/x', ['github-token']);
    expect([r.entries.length, r.problems.length]).toEqual([entries, problems]);
  });
});
