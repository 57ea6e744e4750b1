/** A directory scan reports a secret in a test fixture one severity lower, and the same secret elsewhere as is. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
