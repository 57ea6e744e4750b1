/**
 * A file read whole up to a bound (src/scan/file-chunks.ts readWhole), as a small gzip
 * file is before it is inflated at once: whole at or under the bound, nothing over it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHUNK_BYTES, closeFile, openFile, readWhole } from '../../../src/scan/file-chunks';
import { inflateAtOnce, pieces } from '../../../src/scan/gzip-text';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'read-whole-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const content = (size: number): Buffer => Buffer.alloc(size, 'a pattern that does not divide a chunk: 0123456789');

describe('readWhole', () => {
  it.each([
    ['an empty file', 0, 10, true],
    ['a small file under the bound', 100, 100, true],
    ['a small file one byte over the bound', 101, 100, false],
    ['a file of one chunk exactly', CHUNK_BYTES, CHUNK_BYTES, true],
    ['a file of several chunks under the bound', 2.5 * CHUNK_BYTES, 3 * CHUNK_BYTES, true],
    ['a file of several chunks over the bound', 2.5 * CHUNK_BYTES, 2 * CHUNK_BYTES, false],
  ])('%s (%i bytes, bound %i): whole %s', (_label, size, max, whole) => {
    const path = join(dir, 'f');
    writeFileSync(path, content(size));
    const file = openFile(path);
    try {
      const got = readWhole(file, max);
      if (whole) expect(got?.equals(content(size))).toBe(true);
      else expect(got).toBeUndefined();
    } finally {
      closeFile(file);
    }
  });
});

describe('inflateAtOnce', () => {
  const text = Buffer.from('{"shapes": {"Key": {"type": "string"}}}\n'.repeat(2000));
  it.each([
    ['one member', gzipSync(text), text.length, text],
    ['two members', Buffer.concat([gzipSync(text.subarray(0, 777)), gzipSync(text.subarray(777))]), text.length, text],
    ['more than the cap: nothing, so the caller streams it', gzipSync(text), text.length - 1, undefined],
  ])('%s', (_label, packed, cap, expected) => {
    const got = inflateAtOnce(packed, cap);
    if (expected) expect(got?.equals(expected)).toBe(true);
    else expect(got).toBeUndefined();
  });

  // Counted work: zlib's join of its output pieces copies every inflated byte once more.
  it.each([
    ['a small model', 1],
    ['a model larger than zlib\'s usual piece', 150],
  ])('inflates %s into one buffer, without a join', (_label, times) => {
    const big = Buffer.concat(Array.from({ length: times }, () => text));
    const packed = gzipSync(big);
    const concat = jest.spyOn(Buffer, 'concat');
    try {
      const got = inflateAtOnce(packed);
      expect(got?.equals(big)).toBe(true);
      expect(concat).not.toHaveBeenCalled();
    } finally {
      concat.mockRestore();
    }
  });

  it('throws zlib\'s own error on a truncated stream', () => {
    expect(() => inflateAtOnce(gzipSync(text).subarray(0, 100))).toThrow(expect.objectContaining({ code: 'Z_BUF_ERROR' }));
  });

  it('hands the inflated bytes on in views that join to the whole', () => {
    const parts = [...pieces(text, 1000)];
    expect(parts.every((p) => p.length <= 1000)).toBe(true);
    expect(Buffer.concat(parts).equals(text)).toBe(true);
  });
});
