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

/** An open file: its first chunk (all of it when small; valid until the next `openFile`), and whether the file ended there. */
export interface OpenFile {
  fd: number;
  head: Buffer;
  /** The file ends with the head: a read returned nothing before the head was full. */
  ended: boolean;
}

/** Up to `want` bytes, fewer only at the end of the file (a read that returns nothing), into `buf`. */
function readChunk(fd: number, want: number, buf: Buffer = Buffer.allocUnsafe(want)): Buffer {
  let got = 0;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, null);
    if (n === 0) break;
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

/**
 * The buffer every first chunk is read into. A fresh buffer per file cost more than the
 * read: one of a few hundred kilobytes is a fresh memory mapping, each page faulted in,
 * then unmapped when collected (thousands of files in a dependency tree).
 */
let headBuffer: Buffer | undefined;

/**
 * Opens `path` and reads its first chunk (valid until the next call); the caller closes
 * `fd` (closeFile). No `fstat`: a file that fits its first chunk is read until a read
 * returns nothing, which costs less than the stat (its object, its dates), measured over
 * the files of an installed Python tree: 96 against 118 ms.
 */
export function openFile(path: string): OpenFile {
  const fd = openSync(path, 'r');
  try {
    headBuffer ??= Buffer.allocUnsafeSlow(CHUNK_BYTES);
    const head = readChunk(fd, CHUNK_BYTES, headBuffer);
    return { fd, head, ended: head.length < CHUNK_BYTES };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The file's size: the head's when it ended there, the file system's otherwise (asked only then: a large binary file, a large gzip file). */
export const sizeOf = (file: OpenFile): number => (file.ended ? file.head.length : fstatSync(file.fd).size);

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
  if (sizeOf(file) > max) return undefined;
  const parts: Buffer[] = [];
  let size = 0;
  for (const b of chunksOf(file)) {
    if ((size += b.length) > max) return undefined;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

export const closeFile = (file: OpenFile): void => closeSync(file.fd);
