import type { LocatedMatch } from './finding';
import type { RawMatch } from './match';
import { asBuffer } from './stream-util';

/** Bytes scanned at once; a file is read in windows of this size, so memory stays constant. */
export const WINDOW_BYTES = 1 << 20;
/** Each window re-reads this much of the previous one, so a match across a cut (a PEM key) is still whole. */
export const OVERLAP_BYTES = 64 << 10;
const BINARY_PROBE = 8000;
const EMPTY = Buffer.alloc(0);

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

/**
 * The windows of one stream: chunks are pushed in as they come, each full window is
 * analysed, and `end` analyses the rest. Synchronous, so a file read synchronously is
 * scanned without a promise per chunk (scanChunks); a stream drives the same steps
 * (scanStream).
 */
class Windows {
  readonly out: StreamScan = { matches: [], binary: false, bytes: 0, truncated: false };
  private buf: Buffer = EMPTY;
  private line = 1;
  /** Characters of the current line that earlier windows already consumed (a line longer than a window). */
  private carried = 0;
  private first = true;
  private pending: Buffer[] = [];
  private pendingLen = 0;

  constructor(private readonly analyse: Analyse) {}

  /** One chunk more, unless it takes the stream past `limit` bytes: then it is left out, `truncated` is set, and false says to stop reading. */
  accept(chunk: Buffer | Uint8Array, limit: number): boolean {
    if (this.out.bytes + chunk.length > limit) {
      this.out.truncated = true;
      return false;
    }
    this.push(chunk);
    return true;
  }

  private push(chunk: Buffer | Uint8Array): void {
    const out = this.out;
    out.bytes += chunk.length;
    if (out.binary) return;
    // Chunks are gathered and joined once a window, not copied on every arrival.
    this.pending.push(asBuffer(chunk));
    this.pendingLen += chunk.length;
    if (this.first && this.buf.length + this.pendingLen >= BINARY_PROBE) {
      this.gather();
      this.first = false;
      out.binary = isBinary(this.buf);
      if (out.binary) this.buf = EMPTY;
    }
    if (!out.binary && this.buf.length + this.pendingLen >= WINDOW_BYTES) {
      this.gather();
      this.flush(false);
    }
  }

  /** The stream ended: the last window is analysed. */
  end(): StreamScan {
    this.gather();
    if (this.first) this.out.binary = isBinary(this.buf);
    if (!this.out.binary && this.buf.length > 0) this.flush(true);
    return this.out;
  }

  private gather(): void {
    const { pending } = this;
    if (pending.length > 0) this.buf = this.buf.length === 0 && pending.length === 1 && pending[0] ? pending[0] : Buffer.concat([this.buf, ...pending]);
    this.pending = [];
    this.pendingLen = 0;
  }

  private flush(final: boolean): void {
    const { buf, analyse } = this;
    const lastNl = buf.lastIndexOf(10);
    const cut = final || lastNl < OVERLAP_BYTES ? buf.length : lastNl + 1;
    const text = buf.toString('latin1', 0, cut);
    const keep = final ? cut : keepUpTo(text, cut);
    const hits = (analyse.withBytes ? analyse.withBytes(text, buf.subarray(0, cut)) : analyse(text)).filter((m) => m.index < keep).sort((a, b) => a.index - b.index);
    let pos = 0;
    for (const m of hits) {
      this.line += countNewlines(text, pos, m.index);
      pos = m.index;
      const start = text.lastIndexOf('\n', m.index - 1) + 1;
      this.out.matches.push({ ...m, line: this.line, column: m.index - start + 1 + (start === 0 ? this.carried : 0) });
    }
    // The last window's line count is not needed once its matches are placed.
    if (final) return;
    this.line += countNewlines(text, pos, keep);
    const nl = text.lastIndexOf('\n', keep - 1);
    this.carried = nl === -1 || keep === 0 ? this.carried + keep : keep - (nl + 1);
    this.buf = buf.subarray(keep);
  }
}

/**
 * Scans a byte stream in windows with `analyse`, resolving line and column of each
 * match. Binary content (a NUL byte near the start) is drained and not analysed.
 * Text is read as latin1 so offsets equal byte offsets; the formats searched are ASCII.
 * An analyser with `withBytes` gets the window's bytes too (the latin1 encoding of its text).
 * Reading stops once more than `limit` bytes came (an archive member that inflates
 * without end), with `truncated` set so the caller reports it; the source is closed.
 */
export async function scanStream(
  source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer>,
  analyse: Analyse,
  limit = Infinity,
): Promise<StreamScan> {
  const w = new Windows(analyse);
  for await (const chunk of source) if (!w.accept(chunk, limit)) break;
  return w.end();
}

/** scanStream for chunks at hand (a file read synchronously, a buffer inflated at once): the same result, without a promise per chunk. */
export function scanChunks(source: Iterable<Buffer>, analyse: Analyse, limit = Infinity): StreamScan {
  const w = new Windows(analyse);
  for (const chunk of source) if (!w.accept(chunk, limit)) break;
  return w.end();
}
