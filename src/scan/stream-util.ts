import type { Readable } from 'node:stream';

/** The first bytes of a stream, and the whole stream again (head included) to read on. */
export interface Peeked {
  head: Buffer;
  all: AsyncIterable<Buffer>;
}

/** A Buffer view of a chunk, without copying. */
export function asBuffer(chunk: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Reads at least `n` bytes (or to the end) without losing them. */
export async function peek(source: AsyncIterable<Buffer | Uint8Array>, n: number): Promise<Peeked> {
  const it = source[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    const b = asBuffer(r.value);
    held.push(b);
    size += b.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    let ended = done;
    try {
      yield* held;
      if (done) return;
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield asBuffer(r.value);
      ended = true;
    } finally {
      // A reader that stops early closes the source too, not only this generator.
      if (!ended) await it.return?.();
    }
  }
  return { head: held.length === 1 && held[0] ? held[0] : Buffer.concat(held), all: all() };
}

/** What the first bytes say a blob is. */
export type BlobKind = 'gzip' | 'zstd' | 'tar' | 'json' | 'data';

const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];
/** Bytes that `\s` matches in latin1 text: tab to carriage return, space, no-break space. */
const isSpace = (b: number): boolean => (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0xa0;

/**
 * Sniffs gzip, zstd, tar (ustar magic) and JSON (`{` or `[` after spaces, within the
 * first 64 bytes) from a blob's first bytes. Read as bytes, not decoded: every file of a
 * directory scan is sniffed.
 */
export function sniff(head: Buffer): BlobKind {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 262 && USTAR.every((b, i) => head[257 + i] === b)) return 'tar';
  for (let i = 0; i < Math.min(64, head.length); i++) {
    const b = head[i] as number;
    if (b === 0x7b || b === 0x5b) return 'json';
    if (!isSpace(b)) return 'data';
  }
  return 'data';
}

/** Reads a stream to the end and drops the bytes. */
export async function drain(stream: Readable | AsyncIterable<unknown>): Promise<void> {
  const it = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  while ((await it.next()).done !== true) {
    // discard
  }
}

/** Reads a stream fully into memory, failing once it exceeds `limit` bytes. */
export async function readAll(source: AsyncIterable<Buffer>, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const b of source) {
    size += b.length;
    if (size > limit) return undefined;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** A tar member or image blob path made canonical: no leading `./` or `/`, no empty or `.` segments. */
export function cleanPath(name: string): string {
  return name.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

/** `source` behind an iterator whose early return leaves it open, so the caller can drain what a reader left unread. */
export function borrowed<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]: (): AsyncIterator<T> => ({
      next: async () => it.next(),
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  };
}
