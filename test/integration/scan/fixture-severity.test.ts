/** A directory scan reports a secret in a test fixture one severity lower, and the same secret elsewhere as is. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../../src/scan/run';
import { plant } from '../../helpers/fake-secrets';

describe('test fixtures in a directory scan', () => {
  let dir: string;
  beforeAll(() => {
    // The target itself sits under a directory named `test`: only the path below the target counts.
    dir = join(mkdtempSync(join(tmpdir(), 'fixture-sev-')), 'test', 'ctx');
    for (const sub of ['src', 'test', 'pkg/__tests__']) mkdirSync(join(dir, sub), { recursive: true });
    const gh = plant('github-token', 31).text;
    writeFileSync(join(dir, 'src/config.ts'), gh);
    writeFileSync(join(dir, 'test/config.ts'), gh);
    writeFileSync(join(dir, 'pkg/__tests__/auth.js'), gh);
    writeFileSync(join(dir, 'src/auth.test.ts'), gh);
  });
  afterAll(() => rmSync(join(dir, '../..'), { recursive: true, force: true }));

  it.each([
    ['src/config.ts', 'critical'],
    ['test/config.ts', 'high'],
    ['pkg/__tests__/auth.js', 'high'],
    ['src/auth.test.ts', 'high'],
  ])('%s is reported at %s', async (rel, severity) => {
    const report = await runScan({ targets: [dir] });
    expect(report.findings.filter((f) => f.file === join(dir, rel)).map((f) => [f.ruleId, f.severity])).toEqual([['github-token', severity]]);
  });
});

describe('a gzip file that is not a tar', () => {
  it.each([
    ['holding a secret: the inflated text is scanned', plant('github-token', 32).text, ['github-token']],
    ['holding data: no problem, no finding', '{"shapes":{"a":{"type":"string"}}}', []],
  ])('%s', async (_label, content, rules) => {
    const dir = mkdtempSync(join(tmpdir(), 'gz-text-'));
    try {
      writeFileSync(join(dir, 'service-2.json.gz'), gzipSync(Buffer.from(`{\n${content}\n}\n`)));
      const report = await runScan({ targets: [dir] });
      expect(report.problems).toEqual([]);
      expect(report.findings.map((f) => f.ruleId)).toEqual(rules);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
