/**
 * Blob kinds told from the first bytes (stream-util.ts `sniff`), read as bytes: the same
 * answers as decoding them and matching the magic and `^\s*[{[]`, at the edges too.
 */
import { sniff } from '../../../src/scan/stream-util';

/** The definition, on decoded text. */
function decoded(head: Buffer): string {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return /^\s*[{[]/.test(head.toString('latin1', 0, 64)) ? 'json' : 'data';
}

const tar = (magic: string, length = 512): Buffer => {
  const b = Buffer.alloc(length, 0x61);
  b.write(magic, 257, 'latin1');
  return b;
};

describe('sniff', () => {
  it.each([
    ['empty', Buffer.alloc(0), 'data'],
    ['gzip magic', Buffer.from([0x1f, 0x8b, 8, 0]), 'gzip'],
    ['one gzip byte', Buffer.from([0x1f]), 'data'],
    ['zstd magic', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1]), 'zstd'],
    ['ustar at 257', tar('ustar'), 'tar'],
    ['ustar cut short at 261 bytes', tar('ustar').subarray(0, 261), 'data'],
    ['ustar exactly 262 bytes', tar('ustar').subarray(0, 262), 'tar'],
    ['almost ustar', tar('ustaR'), 'data'],
    ['an object', Buffer.from('{"a": 1}'), 'json'],
    ['an array after spaces and line breaks', Buffer.from(' \t\r\n\v\f[1]'), 'json'],
    ['an object after a no-break space (latin1)', Buffer.from([0xa0, 0x7b]), 'json'],
    ['an object after a next-line control (not \\s)', Buffer.from([0x85, 0x7b]), 'data'],
    ['an object after 63 spaces', Buffer.from(`${' '.repeat(63)}{}`), 'json'],
    ['an object after 64 spaces', Buffer.from(`${' '.repeat(64)}{}`), 'data'],
    ['only spaces', Buffer.from(' '.repeat(10)), 'data'],
    ['text', Buffer.from('import os\n'), 'data'],
    ['NUL then an object', Buffer.from([0, 0x7b]), 'data'],
  ])('%s: %s', (_label, head, kind) => {
    expect(sniff(head)).toBe(kind);
    expect(sniff(head)).toBe(decoded(head));
  });
});
