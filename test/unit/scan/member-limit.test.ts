/**
 * Decompression bombs: a member that inflates far past its stored size is read only up
 * to the member limit, reported as a problem, and what came before it is still reported.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ImageScan } from '../../../src/scan/image';
import { scanLayer } from '../../../src/scan/layer';
import { plant } from '../../helpers/fake-secrets';
import { tarOf } from '../../helpers/tar-builder';

const LIMIT = 1 << 20;
const gh = plant('github-token', 21);
const npm = plant('npm-token', 22);

/** `buf` as a stream of 64 KB chunks. */
function once(buf: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 1 << 16) parts.push(buf.subarray(i, i + (1 << 16)));
  return Readable.from(parts, { objectMode: false });
}

/** A gzip layer: a planted secret, then `size` bytes of `key` (which packs to a few KB), then another secret. */
async function bombLayer(size: number): Promise<Buffer> {
  return gzipSync(
    await tarOf([
      { name: 'app/.env', content: `${gh.text}\n` },
      { name: 'app/bomb.txt', content: 'key'.repeat(size / 3) },
      { name: 'app/after.txt', content: `${npm.text}\n` },
    ]),
    { level: 9 },
  );
}

describe('a member past the size limit', () => {
  it.each([4, 8, 16].map((m) => [m]))('a layer with a %i MiB member: bounded reading, a problem, the earlier secret kept', async (mib) => {
    const layer = await scanLayer(once(await bombLayer(mib << 20)), true, LIMIT);
    expect(layer.counts.bytes).toBeLessThanOrEqual(LIMIT + (1 << 16) + 100);
    expect(layer.problems).toEqual([`app/bomb.txt: larger than ${LIMIT} bytes uncompressed; it and the rest of the layer were not scanned`]);
    expect(layer.matches.map((m) => [m.path, m.match.ruleId])).toEqual([['app/.env', 'github-token']]);
  });

  it('a layer under the limit is scanned whole, with no problem', async () => {
    const layer = await scanLayer(once(await bombLayer(3 << 10)), true, LIMIT);
    expect(layer.problems).toEqual([]);
    expect(layer.matches.map((m) => m.match.ruleId)).toEqual(['github-token', 'npm-token']);
  });

  it.each([2, 4, 8].map((m) => [m]))('a loose %i MiB member of an archive stops the archive with a problem', async (mib) => {
    const image = new ImageScan('image.tar', LIMIT);
    await image.add({ name: 'blobs/sha256/aa', size: 10, stream: once(Buffer.from(`${gh.text}\n${'key'.repeat((mib << 20) / 3)}`)) });
    expect(image.stopped).toBe(true);
    const result = await image.finish();
    expect(result.counts.bytes).toBeLessThanOrEqual(LIMIT + (1 << 16));
    expect(result.problems).toEqual([`image.tar: blobs/sha256/aa: larger than ${LIMIT} bytes uncompressed; it and the rest of the archive were not scanned`]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['github-token']);
  });

  it('a layer member cut at the limit lets the archive read on (the rest of the blob is drained as stored)', async () => {
    const image = new ImageScan('image.tar', LIMIT);
    await image.add({ name: 'layer.tar.gz', size: 0, stream: once(await bombLayer(4 << 20)) });
    expect(image.stopped).toBe(false);
    await image.add({ name: 'notes.txt', size: 0, stream: once(Buffer.from(`${npm.text}\n`)) });
    const result = await image.finish();
    expect(result.problems).toHaveLength(1);
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['github-token', 'npm-token']);
  });
});
