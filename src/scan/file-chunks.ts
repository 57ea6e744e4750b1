/**
 * A regular file read directly: open, the first chunk, then the rest in chunks of at
 * most `CHUNK_BYTES`. The first chunk is read into one buffer kept from file to file, so
 * it is valid only until the next `openFile`; the rest are fresh buffers (the scanner
 * keeps a window across chunks).
 * Synchronous on purpose: on one core, a thread-pool round trip per read and a stream
 * per file cost more than the read itself, and a CLI scan has nothing else to serve.
 * Memory stays bounded by the chunk size, whatever the file's size.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Largest read: the scanner's window, so a window is usually one chunk. */
export const CHUNK_BYTES = 1 << 20;

/** An open file: its size when opened, and its first chunk (all of it when small; valid until the next `openFile`). */
export interface OpenFile {
  fd: number;
  size: number;
  head: Buffer;
  /** The head read came short: the file ends there. */
  ended: boolean;
}

/**
 * Up to `want` bytes: fewer at the end of the file, or once `enough` are in after a read
 * that came short (the size the file had when opened: its end is there, and a read that
 * returns nothing to say so is one system call per file more).
 */
function readChunk(fd: number, want: number, enough = want, buf: Buffer = Buffer.allocUnsafe(want)): Buffer {
  let got = 0;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, null);
    if (n === 0) break;
    got += n;
    if (got >= enough) break;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

/**
 * The buffer every first chunk is read into. A fresh buffer per file cost more than the
 * read: one of a few hundred kilobytes is a fresh memory mapping, each page faulted in,
 * then unmapped when collected (thousands of files in a dependency tree).
 */
let headBuffer: Buffer | undefined;

/** Opens `path` and reads its first chunk (valid until the next call); the caller closes `fd` (closeFile). */
export function openFile(path: string): OpenFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // One byte more than the size said, so a file that grew since is still read on
    // (the read then fills the buffer); one that came short at the size has ended.
    const want = Math.min(CHUNK_BYTES, size + 1);
    headBuffer ??= Buffer.allocUnsafeSlow(CHUNK_BYTES);
    const head = readChunk(fd, want, Math.min(want, size), headBuffer.subarray(0, want));
    return { fd, size, head, ended: head.length < want };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The file's chunks, from the head on, until a read returns nothing. */
export function* chunksOf(file: OpenFile): Generator<Buffer> {
  if (file.head.length === 0) return;
  yield file.head;
  if (file.ended) return;
  for (let b = readChunk(file.fd, CHUNK_BYTES); b.length > 0; b = readChunk(file.fd, CHUNK_BYTES)) yield b;
}

/** The whole file from the head on, or undefined when it is longer than `max` bytes (reading stops there). */
export function readWhole(file: OpenFile, max: number): Buffer | undefined {
  if (file.ended) return file.head.length <= max ? file.head : undefined;
  if (file.size > max) return undefined;
  const parts: Buffer[] = [];
  let size = 0;
  for (const b of chunksOf(file)) {
    if ((size += b.length) > max) return undefined;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

export const closeFile = (file: OpenFile): void => closeSync(file.fd);
