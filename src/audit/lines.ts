/**
 * Streams a file's lines as raw bytes with constant memory (the hash covers exact bytes,
 * so no decoding or CR stripping happens here). No whole-file reads.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** `torn`: the file's last line has no newline. `overlong`: cut at MAX_LINE bytes. */
export type LineState = 'ok' | 'torn' | 'overlong';

/** A line handler: `line` is only valid during the call. */
export type OnLine = (line: Buffer, lineNo: number, state: LineState) => void;

/** Longer lines are reported as overlong (their first MAX_LINE bytes) instead of buffered. */
export const MAX_LINE = 1 << 20;

const NL = 0x0a;

/**
 * Calls `onLine` for every line of `source` (a path or a stream), and awaits
 * `afterChunk` between chunks (it may hold back reading while async checks run).
 */
export async function forEachLine(source: string | Readable, onLine: OnLine, afterChunk?: () => Promise<void>): Promise<void> {
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  let carry: Buffer | undefined;
  let overlong = false;
  let lineNo = 0;
  for await (const data of stream) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    let start = 0;
    let nl = chunk.indexOf(NL, start);
    while (nl !== -1) {
      lineNo += 1;
      if (carry) {
        const line = overlong ? carry : Buffer.concat([carry, chunk.subarray(start, nl)]);
        onLine(line.length > MAX_LINE ? line.subarray(0, MAX_LINE) : line, lineNo, overlong || line.length > MAX_LINE ? 'overlong' : 'ok');
        carry = undefined;
        overlong = false;
      } else {
        const line = chunk.subarray(start, nl);
        onLine(line.length > MAX_LINE ? line.subarray(0, MAX_LINE) : line, lineNo, line.length > MAX_LINE ? 'overlong' : 'ok');
      }
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length && !overlong) {
      const rest = chunk.subarray(start);
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      if (carry.length > MAX_LINE) {
        carry = carry.subarray(0, MAX_LINE);
        overlong = true;
      }
    }
    if (afterChunk) await afterChunk();
  }
  if (carry) onLine(carry, lineNo + 1, overlong ? 'overlong' : 'torn');
}
