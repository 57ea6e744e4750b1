/**
 * Files read directly (src/scan/file-chunks.ts): chunks stay bounded whatever the file's
 * size, a secret across a chunk edge is found once, and a binary file is told by its
 * first bytes and counted at its size without being read on.
 */
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNK_BYTES, chunksOf, closeFile, openFile, sizeOf } from '../../../src/scan/file-chunks';
import { runScan } from '../../../src/scan/run';
import { plant } from '../../helpers/fake-secrets';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'file-read-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const gh = plant('github-token', 77);

describe('reading files in chunks', () => {
  it.each([0, 1, 100, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3.5 * CHUNK_BYTES])('a %i-byte file comes back whole, in chunks of at most CHUNK_BYTES', (size) => {
    const path = join(dir, 'f');
    const content = Buffer.alloc(size, 'a');
    writeFileSync(path, content);
    const file = openFile(path);
    try {
      const chunks = [...chunksOf(file)];
      expect(chunks.every((c) => c.length > 0 && c.length <= CHUNK_BYTES)).toBe(true);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
      expect(sizeOf(file)).toBe(size);
    } finally {
      closeFile(file);
    }
  });

  // Counted system calls: no stat; a file that fits its first chunk is read until a read returns nothing, once more than its data.
  it.each([
    [0, 1],
    [100, 2],
    [CHUNK_BYTES - 1, 2],
    [CHUNK_BYTES, 2],
    [CHUNK_BYTES + 1, 4],
  ])('a %i-byte file takes %i read calls and no stat', (size, reads) => {
    const path = join(dir, 'f');
    writeFileSync(path, Buffer.alloc(size, 'b'));
    const stat = jest.spyOn(fs, 'fstatSync');
    const spy = jest.spyOn(fs, 'readSync');
    const file = openFile(path);
    try {
      expect(Buffer.concat([...chunksOf(file)]).length).toBe(size);
      expect(spy).toHaveBeenCalledTimes(reads);
      expect(stat).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      stat.mockRestore();
      closeFile(file);
    }
  });

  it.each([
    ['ends at the edge', CHUNK_BYTES - gh.secret.length],
    ['crosses the edge', CHUNK_BYTES - 10],
    ['starts after it', CHUNK_BYTES + 5],
  ])('a token that %s of the first chunk is found once, at its column', async (_label, at) => {
    writeFileSync(join(dir, 'big.txt'), `${'x'.repeat(at - 1)} ${gh.secret} ${'y'.repeat(CHUNK_BYTES)}`);
    const report = await runScan({ targets: [dir] });
    expect(report.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['github-token', 1, at + 1]]);
  });

  it.each([
    ['a NUL in the first bytes', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(` ${gh.secret}\n`)]), 1],
    ['a NUL only after the probe', Buffer.concat([Buffer.from(`${'z'.repeat(9000)}\n${gh.secret}\n`), Buffer.from([0])]), 0],
  ])('%s: binary is %i, and the size is counted either way', async (_label, content, binary) => {
    writeFileSync(join(dir, 'blob'), content);
    const report = await runScan({ targets: [dir] });
    expect(report.counts).toMatchObject({ files: 1, binary, bytes: content.length });
    expect(report.findings.map((f) => f.ruleId)).toEqual(binary ? [] : ['github-token']);
  });

  it('an unreadable path is a problem, not a crash', async () => {
    const report = await runScan({ targets: [join(dir, 'missing')] });
    expect(report.problems).toHaveLength(1);
  });
});
