/** Fixtures live in the repository with their sources and licences, and load as fresh copies (docs/threat-model.md T43). */
import { readdirSync } from 'node:fs';
import { ADMISSION_DIR, ADMISSION_FIXTURES, admissionReview, corpusFiles, corpusPods, FIXTURES_DIR, sarifSchema } from '../../helpers/fixtures';
import { plain, readRepoFile, table } from '../../helpers/markdown';

describe('the fixture loader', () => {
  it('knows every AdmissionReview fixture of the directory, and only those', () => {
    const files = readdirSync(ADMISSION_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect([...ADMISSION_FIXTURES].sort()).toEqual(files.sort());
  });

  it.each(ADMISSION_FIXTURES)('%s is an AdmissionReview with a uid', (name) => {
    const review = admissionReview(name);
    expect(review.kind).toBe('AdmissionReview');
    expect(review.request.uid).toEqual(expect.any(String));
  });

  it.each<[string, () => Record<string, unknown>]>([
    ['an AdmissionReview', () => admissionReview('pod-create-small') as unknown as Record<string, unknown>],
    ['a corpus pod', () => corpusPods()[0]!.pod as unknown as Record<string, unknown>],
    ['the SARIF schema', () => sarifSchema()],
  ])('hands out %s as a fresh copy every time: a mutation never reaches the next caller', (_what, load) => {
    const first = load();
    const pristine = JSON.stringify(first);
    first.mutated = true;
    delete first.kind;
    expect(JSON.stringify(load())).toBe(pristine);
    expect(load()).not.toBe(load());
  });

  it('loads the 31 pods of the corpus, each a v1 Pod with a spec', () => {
    const pods = corpusPods();
    expect(pods).toHaveLength(31);
    for (const { pod } of pods) expect(pod).toMatchObject({ apiVersion: 'v1', kind: 'Pod', spec: { containers: expect.any(Array) } });
  });
});

describe('fixture sources and licences', () => {
  const rows = table(readRepoFile('test/fixtures/pods/README.md'), ['file', 'upstream project', 'where it came from (repository, file, commit)', 'licence']);

  it('test/fixtures/pods/README.md has one row per corpus file, and no other', () => {
    expect(rows.map(([file]) => plain(file ?? '')).sort()).toEqual(corpusFiles());
  });

  it.each(rows.map((r) => [plain(r[0] ?? ''), r[2] ?? '', r[3] ?? ''] as const))('%s: names its repository, file and commit, and a licence', (_file, where, licence) => {
    expect(where).toMatch(/^`github\.com\/[\w.-]+\/[\w.-]+`, `[^`]+` at `[0-9a-f]{40}`$/);
    expect(['Apache-2.0', 'CC-BY-4.0']).toContain(licence);
  });

  it('test/fixtures/README.md describes every entry of test/fixtures', () => {
    const readme = readRepoFile('test/fixtures/README.md');
    const entries = readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((e) => e.name !== 'README.md').map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    expect(entries.filter((e) => !readme.includes(`\`${e}\``))).toEqual([]);
  });
});
