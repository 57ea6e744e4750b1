/**
 * A gzip file that is small enough is inflated at once, synchronously, instead of through
 * a zlib stream: for the thousands of small compressed JSON models in an installed Python
 * tree, the stream's thread-pool round trip and 16 KB chunks cost more than inflating.
 * What is held is bounded: at most SMALL_GZIP bytes read, INFLATE_AT_ONCE bytes inflated;
 * a file past either is streamed as before. A file of one member is inflated from its
 * deflate data, without the CRC-32 (oneMember). Pure but for zlib.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';
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
    const options = { maxOutputLength: cap, chunkSize: outputSize(packed, cap) };
    return oneMember(packed, options) ?? gunzipSync(packed, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw err;
  }
}

/**
 * The text of a gzip file of one member, inflated from its deflate data without the
 * CRC-32 of the inflated bytes, which a scan has no use for (zlib's check is a few
 * percent of a scan of an installed Python tree). Undefined, so that zlib's own gunzip
 * reads it, when it is anything else: a header this does not read, several members,
 * bytes after the member, a size that is not the trailer's, or deflate data that is
 * broken; then gunzip's answer and errors are the file's.
 */
function oneMember(packed: Buffer, options: { maxOutputLength: number; chunkSize: number }): Buffer | undefined {
  const start = deflateStart(packed);
  if (start < 0) return undefined;
  const end = packed.length - 8;
  try {
    const { buffer, engine } = inflateRawSync(packed.subarray(start, end), { ...options, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return engine.bytesWritten === end - start && buffer.length % 2 ** 32 === packed.readUInt32LE(end + 4) ? buffer : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
    return undefined;
  }
}

/** Header flags (RFC 1952): extra field, name, comment, header CRC; the three high bits are reserved. */
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const FRESERVED = 0xe0;

/** Where the deflate data of `packed` starts, after its gzip header (RFC 1952), or -1: no deflate member, reserved flags, or no room for data and trailer. */
export function deflateStart(packed: Buffer): number {
  const flags = packed[3] as number;
  if (packed.length < 18 || packed[0] !== 0x1f || packed[1] !== 0x8b || packed[2] !== 8 || flags & FRESERVED) return -1;
  let at = 10;
  if (flags & FEXTRA) at = at + 2 > packed.length ? packed.length : at + 2 + packed.readUInt16LE(at);
  if (flags & FNAME) at = pastString(packed, at);
  if (flags & FCOMMENT) at = pastString(packed, at);
  if (flags & FHCRC) at += 2;
  return at + 8 < packed.length ? at : -1;
}

/** Past the zero-terminated string at `at` (the end of `packed` when it has no end). */
function pastString(packed: Buffer, at: number): number {
  const nul = at < packed.length ? packed.indexOf(0, at) : -1;
  return nul === -1 ? packed.length : nul + 1;
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
