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
    // Output in 256 KiB pieces, not zlib's 16 KiB: most models inflate to one piece, handed back without a join.
    return gunzipSync(packed, { maxOutputLength: cap, chunkSize: 256 << 10 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw err;
  }
}

/** `buf` as views of at most `size` bytes, without copying. */
export function* pieces(buf: Buffer, size = PIECE): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
