import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runScan } from '../../../src/scan/run';
import { plant } from '../../helpers/fake-secrets';
import { dockerSave, ociLayout, tarOf } from '../../helpers/tar-builder';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-image-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const gh = plant('github-token', 11);
const vault = plant('vault-token', 12);
const npm = plant('npm-token', 13);
const pw = plant('generic-secret', 14);

/** Layer 1 bakes a .env and a key; layer 2 deletes the .env with a whiteout and empties /keys with an opaque dir. */
const spec = {
  layers: [
    [
      { name: 'app/', type: 'directory' as const },
      { name: 'app/.env', content: `${gh.text}\n` },
      { name: 'keys/deploy.txt', content: `line one\n${vault.text}\n` },
      { name: 'app/main.js', content: 'console.log(1)\n' },
    ],
    [
      { name: 'app/.wh..env', content: '' },
      { name: 'keys/.wh..wh..opq', content: '' },
      { name: 'app/ok.txt', content: 'nothing here\n' },
    ],
  ],
  env: ['PATH=/usr/bin', pw.text],
  history: [`RUN |1 NPM_TOKEN=${npm.secret} /bin/sh -c npm ci # buildkit`, '/bin/sh -c #(nop)  CMD ["node"]'],
};

function expectImageFindings(findings: Awaited<ReturnType<typeof runScan>>['findings']) {
  const byRule = (id: string) => findings.filter((f) => f.ruleId === id);
  expect(byRule('github-token')).toEqual([
    expect.objectContaining({ line: 1, image: expect.objectContaining({ layer: 1, path: 'app/.env', deletedInLayer: 2 }) }),
  ]);
  expect(byRule('vault-token')).toEqual([
    expect.objectContaining({ line: 2, image: expect.objectContaining({ layer: 1, path: 'keys/deploy.txt', deletedInLayer: 2 }) }),
  ]);
  expect(byRule('image-env-secret')).toEqual([expect.objectContaining({ image: { config: 'Env' } })]);
  expect(byRule('npm-token')).toEqual([expect.objectContaining({ image: { config: 'history[0]' } })]);
  expect(JSON.stringify(findings)).not.toContain(gh.secret);
}

describe('image archives', () => {
  it('docker save tar with manifest.json last: finds secrets deleted by whiteouts, in Env and in history', async () => {
    writeFileSync(join(dir, 'image.tar'), await dockerSave(spec));
    const report = await runScan({ targets: [join(dir, 'image.tar')] });
    expect(report.problems).toEqual([]);
    expectImageFindings(report.findings);
    expect(report.findings.every((f) => f.image?.layer === undefined || f.image.layerDigest?.startsWith('sha256:'))).toBe(true);
  });

  it('gzip-compressed docker save tar', async () => {
    writeFileSync(join(dir, 'image.tar.gz'), gzipSync(await dockerSave(spec)));
    const report = await runScan({ targets: [join(dir, 'image.tar.gz')] });
    expectImageFindings(report.findings);
  });

  it('OCI layout as a tar with gzip layers and index.json last', async () => {
    writeFileSync(join(dir, 'oci.tar'), await tarOf(await ociLayout(spec)));
    const report = await runScan({ targets: [join(dir, 'oci.tar')] });
    expect(report.problems).toEqual([]);
    expectImageFindings(report.findings);
  });

  it('OCI layout as a directory', async () => {
    for (const e of await ociLayout(spec)) {
      mkdirSync(dirname(join(dir, 'oci', e.name)), { recursive: true });
      writeFileSync(join(dir, 'oci', e.name), e.content ?? '');
    }
    const report = await runScan({ targets: [join(dir, 'oci')] });
    expectImageFindings(report.findings);
  });

  it('a secret that stays in the final image is not marked deleted', async () => {
    writeFileSync(join(dir, 'image.tar'), await dockerSave({ layers: [[{ name: 'etc/app.conf', content: gh.text }], [{ name: 'etc/other', content: 'x' }]] }));
    const [f] = (await runScan({ targets: [join(dir, 'image.tar')] })).findings;
    expect(f?.image).toEqual({ layer: 1, layerDigest: expect.stringMatching(/^sha256:/), path: 'etc/app.conf' });
  });

  it('a layer listed in the manifest but missing is a problem, and the other findings are kept', async () => {
    const full = await dockerSave(spec);
    const { extract } = await import('tar-stream');
    const kept: Array<{ name: string; content: Buffer }> = [];
    const ex = extract();
    ex.end(full);
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      if (!e.header.name.endsWith('layer.tar') || !kept.some((k) => k.name.endsWith('layer.tar'))) kept.push({ name: e.header.name, content: Buffer.concat(chunks) });
    }
    writeFileSync(join(dir, 'image.tar'), await tarOf(kept));
    const report = await runScan({ targets: [join(dir, 'image.tar')] });
    expect(report.problems).toEqual([expect.stringMatching(/layer 2 .* missing from the archive/)]);
    expect(report.findings.some((f) => f.ruleId === 'github-token')).toBe(true);
  });

  it('hostile paths (../x, absolute, symlinks, hard links) are labels only: nothing is written anywhere', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    const hostile = await tarOf([
      { name: '../escape.txt', content: gh.text },
      { name: '/tmp/abs-escape.txt', content: 'x' },
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'hard', type: 'link', linkname: '../escape.txt' },
      { name: 'link/through.txt', content: 'y' },
    ]);
    const archive = join(work, 'hostile.tar');
    writeFileSync(archive, Buffer.concat([hostile.subarray(0, hostile.length - 1024), Buffer.alloc(1024)]));
    const before = readdirSync(dir).sort();
    const report = await runScan({ targets: [archive] });
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(work)).toEqual(['hostile.tar']);
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'github-token', image: { path: '../escape.txt' } })]);
  });

  it.each([
    ['a corrupt gzip layer', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(70_000, 7)]), /unreadable layer/],
    ['a zstd layer', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(70_000, 7)]), /zstd-compressed layers are not supported/],
  ])('%s is a problem; the members after it are still read', async (_label, blob, pattern) => {
    const good = await tarOf([{ name: 'app/.env', content: gh.text }]);
    const manifest = [{ Config: 'c.json', Layers: ['bad/layer.tar', 'good/layer.tar'] }];
    const archive = await tarOf([
      { name: 'bad/layer.tar', content: blob },
      { name: 'good/layer.tar', content: good },
      { name: 'c.json', content: '{"rootfs":{"diff_ids":[]},"config":{"Env":[]}}' },
      { name: 'manifest.json', content: JSON.stringify(manifest) },
    ]);
    writeFileSync(join(dir, 'image.tar'), archive);
    const report = await runScan({ targets: [join(dir, 'image.tar')] });
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'github-token', image: expect.objectContaining({ layer: 2, path: 'app/.env' }) })]);
  });

  it('a truncated archive is reported as unreadable, keeping what was read', async () => {
    const full = await dockerSave(spec);
    writeFileSync(join(dir, 'cut.tar'), full.subarray(0, Math.floor(full.length / 2) + 100));
    const report = await runScan({ targets: [join(dir, 'cut.tar')] });
    expect(report.problems.length).toBeGreaterThan(0);
  });
});
