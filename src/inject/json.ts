/** Guarded JSON parsing for request bodies (pure). */

/** Deeper than any real AdmissionReview of a pod (managedFields included), shallow enough to be harmless. */
export const MAX_JSON_DEPTH = 100;

/**
 * The deepest nesting of objects and arrays in `buf`, stopping early once `limit` is
 * passed; strings are skipped so brackets inside values do not count. Linear, no recursion.
 */
export function jsonDepth(buf: Uint8Array, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x22) i = endOfString(buf, i + 1);
    else if (b === 0x7b || b === 0x5b) {
      depth++;
      max = Math.max(max, depth);
      if (max > limit) return max;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return max;
}

/**
 * Index of the closing quote of the string starting at `i` (or the end of the buffer): the
 * next quote preceded by an even run of backslashes. Found with indexOf, not byte by byte:
 * strings are most of an AdmissionReview, and this loop was a tenth of a large pod's time.
 */
function endOfString(buf: Uint8Array, i: number): number {
  for (let q = buf.indexOf(0x22, i); q >= 0; q = buf.indexOf(0x22, q + 1)) {
    let slashes = 0;
    while (q - slashes - 1 >= i && buf[q - slashes - 1] === 0x5c) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return buf.length;
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses a request body, refusing empty, too deeply nested and malformed input with a reason (never the input). */
export function parseJsonBody(buf: Uint8Array): JsonResult {
  if (buf.length === 0) return { ok: false, reason: 'empty body' };
  if (jsonDepth(buf) > MAX_JSON_DEPTH) return { ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('utf8')) };
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
}
