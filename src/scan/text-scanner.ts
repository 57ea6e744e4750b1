import type { LocatedMatch } from './finding';
import type { RawMatch } from './match';
import { asBuffer, capped } from './stream-util';

/** Bytes scanned at once; a file is read in windows of this size, so memory stays constant. */
export const WINDOW_BYTES = 1 << 20;
/** Each window re-reads this much of the previous one, so a match across a cut (a PEM key) is still whole. */
export const OVERLAP_BYTES = 64 << 10;
const BINARY_PROBE = 8000;

/** Binary content: a NUL byte in the first BINARY_PROBE bytes. */
export const isBinary = (head: Buffer): boolean => head.subarray(0, BINARY_PROBE).includes(0);

/** The outcome of scanning one stream. */
export interface StreamScan {
  matches: LocatedMatch[];
  binary: boolean;
  bytes: number;
  /** The stream went past the byte limit; reading stopped there (the rest is neither read nor scanned). */
  truncated: boolean;
}

/**
 * The analysis of a window's text; `withBytes`, when present, is the same analysis given
 * the window's bytes as well (the latin1 encoding of the text), which the keyword pass
 * reads faster than the string.
 */
export type Analyse = ((text: string) => RawMatch[]) & { withBytes?: (text: string, bytes: Uint8Array) => RawMatch[] };

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Where a window's text stops counting (later matches wait for the next window); always at least OVERLAP_BYTES before `cut`. */
function keepUpTo(text: string, cut: number): number {
  const edge = cut - OVERLAP_BYTES;
  const nl = text.lastIndexOf('\n', edge);
  if (nl !== -1 && nl + 1 >= edge - OVERLAP_BYTES) return nl + 1;
  // A line longer than a window: cut it inside, OVERLAP_BYTES before the end, so a secret
  // across the cut is whole in the next window; at a separator when one is near, so no
  // token is split.
  for (let i = edge; i > edge - 4096 && i > 0; i--) if (!TOKEN_CHAR.test(text.charAt(i - 1))) return i;
  return edge;
}

const TOKEN_CHAR = /[A-Za-z0-9_+/=.-]/;

/** `source` cut at `limit` bytes; without a limit, as it is (no wrapper generator: one await less per chunk of every file). */
function limited<T extends Buffer | Uint8Array>(source: AsyncIterable<T> | Iterable<T>, limit: number, onCut: () => void): AsyncIterable<T> | Iterable<T> {
  return limit === Infinity ? source : capped(source, limit, onCut);
}

/**
 * Scans a byte stream in windows with `analyse`, resolving line and column of each
 * match. Binary content (a NUL byte near the start) is drained and not analysed.
 * Text is read as latin1 so offsets equal byte offsets; the formats searched are ASCII.
 * An analyser with `withBytes` gets the window's bytes too (the latin1 encoding of its text).
 * Reading stops once more than `limit` bytes came (an archive member that inflates
 * without end), with `truncated` set so the caller reports it.
 */
export async function scanStream(
  source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer>,
  analyse: Analyse,
  limit = Infinity,
): Promise<StreamScan> {
  const out: StreamScan = { matches: [], binary: false, bytes: 0, truncated: false };
  let buf: Buffer = Buffer.alloc(0);
  let line = 1;
  // Characters of the current line that earlier windows already consumed (a line longer than a window).
  let carried = 0;
  let first = true;
  const flush = (final: boolean): void => {
    const lastNl = buf.lastIndexOf(10);
    const cut = final || lastNl < OVERLAP_BYTES ? buf.length : lastNl + 1;
    const text = buf.toString('latin1', 0, cut);
    const keep = final ? cut : keepUpTo(text, cut);
    const hits = (analyse.withBytes ? analyse.withBytes(text, buf.subarray(0, cut)) : analyse(text)).filter((m) => m.index < keep).sort((a, b) => a.index - b.index);
    let pos = 0;
    for (const m of hits) {
      line += countNewlines(text, pos, m.index);
      pos = m.index;
      const start = text.lastIndexOf('\n', m.index - 1) + 1;
      out.matches.push({ ...m, line, column: m.index - start + 1 + (start === 0 ? carried : 0) });
    }
    // The last window's line count is not needed once its matches are placed.
    if (final) return;
    line += countNewlines(text, pos, keep);
    const nl = text.lastIndexOf('\n', keep - 1);
    carried = nl === -1 || keep === 0 ? carried + keep : keep - (nl + 1);
    buf = buf.subarray(keep);
  };
  let pending: Buffer[] = [];
  let pendingLen = 0;
  const gather = (): void => {
    if (pending.length > 0) buf = buf.length === 0 && pending.length === 1 && pending[0] ? pending[0] : Buffer.concat([buf, ...pending]);
    pending = [];
    pendingLen = 0;
  };
  const cut = (): void => void (out.truncated = true);
  for await (const chunk of limited(source, limit, cut)) {
    out.bytes += chunk.length;
    if (out.binary) continue;
    // Chunks are gathered and joined once a window, not copied on every arrival.
    pending.push(asBuffer(chunk));
    pendingLen += chunk.length;
    if (first && buf.length + pendingLen >= BINARY_PROBE) {
      gather();
      first = false;
      out.binary = isBinary(buf);
      if (out.binary) buf = Buffer.alloc(0);
    }
    if (!out.binary && buf.length + pendingLen >= WINDOW_BYTES) {
      gather();
      flush(false);
    }
  }
  gather();
  if (first) out.binary = isBinary(buf);
  if (!out.binary && buf.length > 0) flush(true);
  return out;
}
