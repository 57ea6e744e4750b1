import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageTag, startSnapshotFor, type StartSnapshotFacts } from '../../../src/start/decide';
import { handledHere } from '../../../src/start/route';
import { imageStartSnapshot } from '../../../src/start/manifest';
import { IMAGE_START_SNAPSHOT } from '../../../src/sidecar-env';
import { packageVersion } from '../../../src/version';

describe('imageTag', () => {
  it.each<[string, string | undefined]>([
    ['secrets-broker:0.1.0', '0.1.0'],
    ['registry.example:5000/team/secrets-broker:0.1.0', '0.1.0'],
    ['registry.example:5000/team/secrets-broker', undefined],
    ['secrets-broker:0.1.0@sha256:' + 'a'.repeat(64), '0.1.0'],
    ['secrets-broker@sha256:' + 'a'.repeat(64), undefined],
    ['secrets-broker', undefined],
    ['', undefined],
  ])('%s -> %s', (image, tag) => expect(imageTag(image)).toBe(tag));
});

describe('startSnapshotFor: the snapshot only where the sidecar image holds one this node made', () => {
  const base: StartSnapshotFacts = { manifest: { node: 'v24.21.0', arch: 'x64' }, node: 'v24.21.0', arch: 'x64', sidecarImage: 'secrets-broker:0.1.0', version: '0.1.0' };
  it.each<[string, Partial<StartSnapshotFacts>, string | undefined]>([
    ['same node, same release', {}, IMAGE_START_SNAPSHOT],
    ['no manifest (the npm package, an image without the snapshot)', { manifest: undefined }, undefined],
    ['a manifest that is not an object', { manifest: 'v24.21.0' }, undefined],
    ['a manifest without the architecture', { manifest: { node: 'v24.21.0' } }, undefined],
    ['another node version made it', { node: 'v24.22.0' }, undefined],
    ['another architecture', { arch: 'arm64' }, undefined],
    ['a sidecar image of another release', { sidecarImage: 'secrets-broker:0.0.9' }, undefined],
    ['a sidecar image named by digest alone', { sidecarImage: 'secrets-broker@sha256:' + 'b'.repeat(64) }, undefined],
    ['a sidecar image without a tag', { sidecarImage: 'registry.example/secrets-broker' }, undefined],
  ])('%s', (_what, over, expected) => expect(startSnapshotFor({ ...base, ...over })).toBe(expected));
});

describe('imageStartSnapshot reads the manifest beside the snapshot', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sb-start-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const image = `secrets-broker:${packageVersion()}`;

  it.each<[string, string | undefined, string | undefined]>([
    ['made by this node', JSON.stringify({ node: process.version, arch: process.arch }), IMAGE_START_SNAPSHOT],
    ['made by another node', JSON.stringify({ node: 'v0.0.1', arch: process.arch }), undefined],
    ['not JSON', '{"node":', undefined],
    ['missing', undefined, undefined],
  ])('%s', (_what, text, expected) => {
    const file = join(dir, 'sidecar.json');
    if (text !== undefined) writeFileSync(file, text);
    expect(imageStartSnapshot(image, file)).toBe(expected);
  });
});

describe('handledHere: the command lines the snapshot runs itself', () => {
  it.each<[string[], boolean]>([
    [['sidecar'], true],
    [['sidecar', '--once'], true],
    [['sidecar', '--probe'], false],
    [['sidecar', '--help'], false],
    [['sidecar', '--once', '--probe'], false],
    [['sidecar', 'extra'], false],
    [['--version'], false],
    [['injector'], false],
    [[], false],
  ])('%j -> %s', (argv, expected) => expect(handledHere(argv)).toBe(expected));
});
