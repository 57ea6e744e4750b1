/**
 * File and archive member names from the scanned content reach the terminal escaped,
 * in the text report and in the problem lines on stderr; JSON keeps them exact. A file
 * of 130,000 keys is reported in full.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { isPlaceholder } from '../../../src/scan/values';
import { plant, rng, randomOf } from '../../helpers/fake-secrets';

async function scan(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough): string => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  const code = await runCli(['scan', ...argv], { env: {}, stdout, stderr });
  return { code, out: text(stdout), err: text(stderr) };
}

const gh = plant('github-token', 31);
const EVIL = 'evil\x1b[2J\x1b[31m\u202ename\n  1:1      critical forged';
// eslint-disable-next-line no-control-regex -- the test looks for raw control characters
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-names-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hostile names', () => {
  it('a file name with escape sequences and a newline prints escaped, on one line', async () => {
    writeFileSync(join(dir, `${EVIL}.txt`), `${gh.text}\n`);
    const r = await scan(dir);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(CONTROL);
    expect(r.out).toContain('evil\\x1b[2J\\x1b[31m\\u202ename\\n  1:1      critical forged.txt');
    expect(r.out.split('\n').filter((l) => /^ {2}\d+:\d+ /.test(l))).toHaveLength(1);
    const json = await scan('--format', 'json', dir);
    expect(JSON.parse(json.out).findings[0].file).toBe(join(dir, `${EVIL}.txt`));
  });

  it('a problem line naming a hostile archive prints escaped', async () => {
    writeFileSync(join(dir, `${EVIL}.tar.gz`), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]));
    const r = await scan(dir);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(CONTROL);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain('evil\\x1b[2J');
  });
});

describe('a file of many keys', () => {
  it('reports all 130,000 keys', async () => {
    const next = rng(5);
    const lines: string[] = [];
    while (lines.length < 130_000) {
      // Random keys can spell TODO or XXXX, which the rule takes for a placeholder.
      const key = `${'AK' + 'IA'}${randomOf(next, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
      if (!isPlaceholder(key)) lines.push(`k = ${key}`);
    }
    writeFileSync(join(dir, 'keys.txt'), `${lines.join('\n')}\n`);
    const r = await scan(join(dir, 'keys.txt'));
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('130000 findings (critical 130000) in 1 files (3.3 MB)');
  }, 60_000);
});
