/** docs/threat-model.md: numbered rows, each naming test files that exist; every T<n> cited in the repository is a row. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { plain, readRepoFile, REPO, table } from '../../helpers/markdown';
import { repoFiles } from '../../helpers/repo-files';

const HEADER = ['#', 'input or fault', 'safe behaviour', 'test file'];
const DOC = readRepoFile('docs/threat-model.md');

/** Every table of the document has the same header; collect all their rows. */
function allRows(): string[][] {
  return DOC.split(/\n(?=\| # \|)/).slice(1).flatMap((part) => table(part, HEADER));
}

const rows = allRows();
const ids = rows.map(([id]) => id ?? '');

describe('docs/threat-model.md', () => {
  it('numbers its rows T1, T2, ... without gaps or repeats', () => {
    expect(ids.length).toBeGreaterThan(40);
    expect(ids).toEqual(ids.map((_id, i) => `T${i + 1}`));
  });

  it.each(rows.map(([id, , , tests]) => [id, plain(tests ?? '')] as const))('%s: every test file it names exists', (_id, cell) => {
    const files = [...cell.matchAll(/test\/[\w./-]+\.test\.ts/g)].map((m) => m[0]);
    // A row either names its tests or says plainly that it has none yet.
    if (files.length === 0) expect(cell).toBe('none');
    expect(files.filter((f) => !existsSync(join(REPO, f)))).toEqual([]);
  });

  it('every T<n> cited in code, tests, the chart and the docs is a row', () => {
    const known = new Set(ids);
    const cited = repoFiles(['src', 'injector', 'sidecar', 'test', 'helm', 'docs', 'README.md'])
      .filter((f) => f !== 'docs/threat-model.md')
      .flatMap((f) => [...readRepoFile(f).matchAll(/\bT(\d{1,3})\b/g)].map((m) => ({ file: f, id: `T${m[1]}` })));
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((c) => !known.has(c.id))).toEqual([]);
  });
});
