/**
 * The repository stands alone (docs/threat-model.md T43): nothing in it reads or cites a path
 * of one development machine, and code comments cite only documents the repository has.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readRepoFile, REPO } from '../../helpers/markdown';
import { repoFiles } from '../../helpers/repo-files';

const ROOTS = ['src', 'injector', 'sidecar', 'test', 'bench', 'scripts', 'helm', 'deploy', 'docs', '.ci', 'README.md', 'Dockerfile', 'docker-compose.yml', 'package.json', 'jest.config.js', 'eslint.config.js', 'tsconfig.json', 'tsconfig.build.json'];
const SELF = relative(REPO, __filename);
// The corpus pods are upstream manifests: their paths are inside containers (`/home/argocd`), not on a machine.
const UPSTREAM_DATA = /^test\/fixtures\/pods\/.*\.json$/;
const files = repoFiles(ROOTS).filter((f) => f !== SELF && !UPSTREAM_DATA.test(f));
const CODE = files.filter((f) => !f.endsWith('.md'));

/** Paths that exist only on one machine: its shared work area, a user's home, a sibling checkout. */
const MACHINE_PATHS: ReadonlyArray<readonly [string, RegExp]> = [
  ['the work area of the development machine', /(^|[\s'"`(=:])\/work\//],
  ['a sibling directory outside the checkout', /\.\.\/shared\b/],
  ['a user home directory', /(^|[\s'"`(=:])\/home\/[a-z]/],
];

/** Lines that name a path inside an image being made, not on any machine. */
const INSIDE_IMAGE: ReadonlyArray<readonly [string, RegExp]> = [
  // the base image's `node` user, as the official node image has it
  ['scripts/image/base.sh', /^echo "node:x:1000:1000::\/home\/node:\/bin\/bash" >>"\$root\/etc\/passwd"$/],
];

function hits(pattern: RegExp, among: readonly string[]): string[] {
  const inside = (f: string, line: string): boolean => INSIDE_IMAGE.some(([file, re]) => file === f && re.test(line));
  return among.flatMap((f) => readRepoFile(f).split('\n').flatMap((line, i) => (pattern.test(line) && !inside(f, line) ? [`${f}:${i + 1}`] : [])));
}

describe('the repository stands alone', () => {
  it('walks the repository', () => {
    expect(files).toEqual(expect.arrayContaining(['test/helpers/fixtures.ts', 'README.md', '.ci/run']));
  });

  it.each(MACHINE_PATHS)('no file names %s', (_what, pattern) => {
    expect(hits(pattern, files)).toEqual([]);
  });

  it('no file cites the design notes kept outside the repository', () => {
    expect(hits(/\bthreats\.md\b/, files)).toEqual([]);
  });

  it('code cites the contract and the threat model by their path in the repository', () => {
    expect(hits(/(?<!docs\/)\b(contract|threat-model)\.md\b/, CODE)).toEqual([]);
  });

  it('every docs/*.md that code cites exists', () => {
    const cited = CODE.flatMap((f) => [...readRepoFile(f).matchAll(/\bdocs\/[\w-]+\.md\b/g)].map((m) => m[0]));
    expect(cited.length).toBeGreaterThan(5);
    expect([...new Set(cited)].filter((d) => !existsSync(join(REPO, d)))).toEqual([]);
  });
});
