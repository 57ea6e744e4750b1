/**
 * A gzip file that is small enough is inflated at once, synchronously, instead of through
 * a zlib stream: for the thousands of small compressed JSON models in an installed Python
 * tree, the stream's thread-pool round trip and 16 KB chunks cost more than inflating.
 * What is held is bounded: at most SMALL_GZIP bytes read, INFLATE_AT_ONCE bytes inflated;
 * a file past either is streamed as before. Pure but for zlib.
 */
import { gunzipSync } from 'node:zlib';
import { CHUNK_BYTES } from './file-chunks';

/** Largest compressed file read whole to be inflated at once. */
export const SMALL_GZIP = 4 << 20;
/** Most inflated bytes held at once; a file that inflates to more is streamed. */
export const INFLATE_AT_ONCE = 16 << 20;
/** Size of the views the inflated bytes are handed on in: a file's read chunk, so windows form as they do for a text file (and most texts are one view, never copied). */
const PIECE = CHUNK_BYTES;

/**
 * Every member of `packed` inflated, or undefined when that is more than `cap` bytes
 * (inflating stops there). A truncated or corrupt stream throws zlib's error, with the
 * same code the stream reports.
 */
export function inflateAtOnce(packed: Buffer, cap = INFLATE_AT_ONCE): Buffer | undefined {
  try {
    // Output in one buffer of the size the trailer gives, not zlib's 16 KiB pieces joined at the end.
    return gunzipSync(packed, { maxOutputLength: cap, chunkSize: outputSize(packed, cap) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw err;
  }
}

/**
 * The output buffer for `packed`: the inflated size its trailer gives (the last member's,
 * which zlib checks), plus one byte, so that the whole output fits without a second
 * buffer and a join; at least zlib's least (64), at most `cap` + 1. A file of several
 * members outgrows it and is joined as before.
 */
function outputSize(packed: Buffer, cap: number): number {
  const inflated = packed.length >= 18 ? packed.readUInt32LE(packed.length - 4) : 0;
  return Math.max(64, Math.min(inflated, cap) + 1);
}

/** `buf` as views of at most `size` bytes, without copying. */
export function* pieces(buf: Buffer, size = PIECE): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
