/** Guarded JSON parsing for request bodies (pure). */

/** Deeper than any real AdmissionReview of a pod (managedFields included), shallow enough to be harmless. */
export const MAX_JSON_DEPTH = 100;

/**
 * The most JSON items (containers, commas and colons outside strings: one per value and key)
 * a body may hold. The 1000-env fixture has about 5,200, and a pod at etcd's 1.5 MiB object
 * limit written as compactly as it (the apiserver sends compact JSON) about 100,000. Without
 * a bound, the 3 MiB body limit lets in a million empty arrays, whose parse alone is tens of
 * MiB of heap, more than the injector's heap cap (injector/node-flags.ts) allows.
 */
export const MAX_JSON_ITEMS = 100_000;

export interface JsonShape {
  depth: number;
  items: number;
}

const SEPARATOR = 1;
const OPENER = 2;
const CLOSER = 3;
const QUOTE = 4;
/** What each byte outside a string is to the guard: `,` `:` count, `{` `[` count and nest, `}` `]` un-nest, `"` starts a string. */
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[0x2c] = BYTE_CLASS[0x3a] = SEPARATOR;
BYTE_CLASS[0x7b] = BYTE_CLASS[0x5b] = OPENER;
BYTE_CLASS[0x7d] = BYTE_CLASS[0x5d] = CLOSER;
BYTE_CLASS[0x22] = QUOTE;

/**
 * The deepest nesting of objects and arrays in `buf` and its count of items (containers,
 * commas and colons), stopping early once either limit is passed; strings are skipped so
 * brackets and separators inside values do not count. Linear, no recursion. One table load
 * and one branch per byte that is none of these: most bytes outside strings are.
 */
export function jsonShape(buf: Uint8Array, maxDepth = MAX_JSON_DEPTH, maxItems = MAX_JSON_ITEMS): JsonShape {
  let depth = 0;
  let max = 0;
  let items = 0;
  for (let i = 0; i < buf.length; i++) {
    const kind = BYTE_CLASS[buf[i]!]!;
    if (kind === 0) continue;
    if (kind === QUOTE) {
      i = endOfString(buf, i + 1);
    } else if (kind === CLOSER) {
      depth--;
    } else {
      items++;
      if (kind === OPENER && ++depth > max) max = depth;
      if (max > maxDepth || items > maxItems) break;
    }
  }
  return { depth: max, items };
}

/** The deepest nesting of objects and arrays in `buf`, stopping early once `limit` is passed. */
export function jsonDepth(buf: Uint8Array, limit = MAX_JSON_DEPTH): number {
  return jsonShape(buf, limit, Infinity).depth;
}

/** Bytes looked at one by one before the search for a string's end falls back to indexOf. */
const SHORT_STRING = 32;

/**
 * Index of the closing quote of the string starting at `i` (or the end of the buffer): the
 * next quote preceded by an even run of backslashes. Most strings of an AdmissionReview are
 * short keys and values, for which a call to indexOf costs more than looking at their bytes,
 * so the first SHORT_STRING bytes are read in place; a longer string, or one with an escape,
 * is searched with indexOf (strings are most of a large pod's bytes).
 */
function endOfString(buf: Uint8Array, i: number): number {
  const near = Math.min(buf.length, i + SHORT_STRING);
  let j = i;
  for (; j < near; j++) {
    const b = buf[j];
    if (b === 0x22) return j;
    if (b === 0x5c) break;
  }
  for (let q = buf.indexOf(0x22, j); q >= 0; q = buf.indexOf(0x22, q + 1)) {
    let slashes = 0;
    while (q - slashes - 1 >= i && buf[q - slashes - 1] === 0x5c) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return buf.length;
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses a request body, refusing empty, too deeply nested, too many-valued and malformed input with a reason (never the input). */
export function parseJsonBody(buf: Uint8Array): JsonResult {
  if (buf.length === 0) return { ok: false, reason: 'empty body' };
  const shape = jsonShape(buf);
  if (shape.depth > MAX_JSON_DEPTH) return { ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (shape.items > MAX_JSON_ITEMS) return { ok: false, reason: `JSON with more than ${MAX_JSON_ITEMS} values and keys` };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('utf8')) };
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
}
