/**
 * A file read whole up to a bound (src/scan/file-chunks.ts readWhole), as a small gzip
 * file is before it is inflated at once: whole at or under the bound, nothing over it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib, { deflateRawSync, gzipSync } from 'node:zlib';
import { CHUNK_BYTES, closeFile, openFile, readWhole } from '../../../src/scan/file-chunks';
import { deflateStart, inflateAtOnce, pieces } from '../../../src/scan/gzip-text';

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

  // A member built by hand (RFC 1952): each optional header field, and a trailer whose CRC-32 is `crc`.
  const member = (flags: number, fields: Buffer, crc: number): Buffer => {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(text.length, 4);
    return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]), fields, deflateRawSync(text), trailer]);
  };
  const gz = gzipSync(text);
  const crc = gz.readUInt32LE(gz.length - 8);
  it.each([
    ['no optional field', 0, Buffer.alloc(0)],
    ['a name', 8, Buffer.from('service-2.json\0')],
    ['an extra field, a name and a comment', 4 | 8 | 16, Buffer.concat([Buffer.from([3, 0, 1, 2, 3]), Buffer.from('n\0c\0')])],
    ['a header CRC', 2, Buffer.from([0, 0])],
  ])('one member with %s: inflated from its deflate data, without zlib\'s gunzip', (_label, flags, fields) => {
    const packed = member(flags, fields, crc);
    expect(deflateStart(packed)).toBe(10 + fields.length);
    const gunzip = jest.spyOn(zlib, 'gunzipSync');
    try {
      expect(inflateAtOnce(packed)?.equals(text)).toBe(true);
      expect(gunzip).not.toHaveBeenCalled();
    } finally {
      gunzip.mockRestore();
    }
  });

  it('reads a member whose trailer CRC-32 is wrong: the scan has no use for the check', () => {
    expect(() => zlib.gunzipSync(member(0, Buffer.alloc(0), crc + 1))).toThrow(expect.objectContaining({ code: 'Z_DATA_ERROR' }));
    expect(inflateAtOnce(member(0, Buffer.alloc(0), crc + 1))?.equals(text)).toBe(true);
  });

  it.each([
    ['reserved flags', Buffer.from([0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 3, ...Array<number>(20).fill(0)])],
    ['no deflate method', Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3, ...Array<number>(20).fill(0)])],
    ['a name that never ends', Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, ...Array<number>(20).fill(65)])],
    ['too short for data and trailer', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8])],
  ])('a header with %s is left to zlib\'s gunzip (no deflate start)', (_label, packed) => {
    expect(deflateStart(packed)).toBe(-1);
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
