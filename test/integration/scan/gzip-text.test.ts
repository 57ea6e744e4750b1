/**
 * A gzip file in a directory that is not a tar: its inflated text is scanned, with the
 * lines and columns of the text, whether it is inflated at once or streamed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runScan, type ScanReport } from '../../../src/scan/run';
import { INFLATE_AT_ONCE } from '../../../src/scan/gzip-text';
import { OVERLAP_BYTES, WINDOW_BYTES } from '../../../src/scan/text-scanner';
import { plant } from '../../helpers/fake-secrets';

const gh = plant('github-token', 61);
const key = plant('private-key', 62);
const filler = '    "Documentation": "The name of the key pair to use for the token request."\n';

/** Lines of filler so that what follows starts at about byte `at` of the inflated text. */
const fillTo = (at: number): string => filler.repeat(Math.ceil(at / filler.length));
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

async function scanGz(content: Buffer, name = 'service-2.json.gz'): Promise<ScanReport> {
  const dir = mkdtempSync(join(tmpdir(), 'gz-text-'));
  try {
    writeFileSync(join(dir, name), content);
    return await runScan({ targets: [dir] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const located = (r: ScanReport): Array<[string, number | undefined, number | undefined]> => r.findings.map((f) => [f.ruleId, f.line, f.column]);

describe('gzip text in a directory', () => {
  it.each([
    ['at the start', 0],
    ['just before the first window cut', WINDOW_BYTES - 300],
    ['across the first window cut', WINDOW_BYTES - 20],
    ['inside the overlap', WINDOW_BYTES - OVERLAP_BYTES + 10],
    ['in the fourth window', 3 * WINDOW_BYTES + 4321],
  ])('finds a key and a token %s once, at their lines', async (_label, at) => {
    const text = `${fillTo(at)}${key.text}\n${filler.repeat(3)}  "x": "${gh.secret}"\n${filler.repeat(50)}`;
    const r = await scanGz(gzipSync(text));
    expect(r.problems).toEqual([]);
    expect(located(r)).toEqual([
      ['private-key', lineOf(text, key.text), 1],
      ['github-token', lineOf(text, gh.secret), 9],
    ]);
    expect(r.counts.bytes).toBe(text.length);
  });

  it('reads every member of a multi-member gzip, a member ending inside a token', async () => {
    const text = `${fillTo(WINDOW_BYTES - 10)}  "x": "${gh.secret}"\n${filler}`;
    const cut = text.indexOf(gh.secret) + 7;
    const r = await scanGz(Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]));
    expect(r.problems).toEqual([]);
    expect(located(r)).toEqual([['github-token', lineOf(text, gh.secret), 9]]);
    expect(r.counts.bytes).toBe(text.length);
  });

  it('streams a file that inflates past what is held at once, and finds secrets on both sides', async () => {
    const text = `  "x": "${gh.secret}"\n${fillTo(INFLATE_AT_ONCE + WINDOW_BYTES)}${key.text}\n`;
    const r = await scanGz(gzipSync(text));
    expect(r.problems).toEqual([]);
    expect(located(r)).toEqual([
      ['github-token', 1, 9],
      ['private-key', lineOf(text, key.text), 1],
    ]);
    expect(r.counts.bytes).toBe(text.length);
  });

  const whole = gzipSync(`${filler.repeat(2000)}  "x": "${gh.secret}"\n`);
  it.each([
    ['truncated', whole.subarray(0, whole.length - 9), 'Z_BUF_ERROR'],
    ['cut inside its header', whole.subarray(0, 6), 'Z_BUF_ERROR'],
    ['with a second member cut short', Buffer.concat([whole, whole.subarray(0, 20)]), 'Z_BUF_ERROR'],
    ['corrupt after the header', Buffer.concat([whole.subarray(0, 10), Buffer.alloc(5000, 7)]), 'Z_DATA_ERROR'],
    ['followed by bytes that are no gzip member', Buffer.concat([whole, Buffer.from('not a member')]), 'Z_DATA_ERROR'],
  ])('a gzip file %s is reported unreadable, as a problem naming the zlib error', async (_label, content, code) => {
    const r = await scanGz(content);
    expect(r.problems).toEqual([expect.stringMatching(new RegExp(`service-2\\.json\\.gz: cannot read \\(${code}\\)$`))]);
    expect(r.findings).toEqual([]);
  });

  it('treats inflated binary content as binary, counted and not searched', async () => {
    const r = await scanGz(gzipSync(Buffer.concat([Buffer.from([0x7f, 0x45, 0, 0]), Buffer.from(gh.text)])), 'blob.gz');
    expect(r.problems).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.counts).toMatchObject({ files: 1, binary: 1 });
  });
});
