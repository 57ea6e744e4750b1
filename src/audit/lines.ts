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

/** Splits chunks into lines, carrying a partial line between chunks (at most MAX_LINE bytes). */
class LineSplitter {
  private carry: Buffer | undefined;
  private overlong = false;
  private lineNo = 0;

  constructor(private readonly onLine: OnLine) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NL); nl !== -1; nl = chunk.indexOf(NL, start)) {
      this.emit(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  end(): void {
    if (this.carry) this.onLine(this.carry, this.lineNo + 1, this.overlong ? 'overlong' : 'torn');
  }

  private emit(piece: Buffer): void {
    this.lineNo += 1;
    const line = this.carry ? (this.overlong ? this.carry : Buffer.concat([this.carry, piece])) : piece;
    const long = this.overlong || line.length > MAX_LINE;
    this.onLine(long ? line.subarray(0, MAX_LINE) : line, this.lineNo, long ? 'overlong' : 'ok');
    this.carry = undefined;
    this.overlong = false;
  }

  private keep(rest: Buffer): void {
    if (this.overlong) return;
    this.carry = this.carry ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
    if (this.carry.length > MAX_LINE) {
      this.carry = this.carry.subarray(0, MAX_LINE);
      this.overlong = true;
    }
  }
}

/**
 * `-` and `/dev/stdin` name standard input, read as a stream: opening /dev/stdin fails
 * (ENXIO) when it is a socket, as it is under a parent process's pipe.
 */
export function isStdin(file: string): boolean {
  return file === '-' || file === '/dev/stdin';
}

/**
 * Calls `onLine` for every line of `source` (a path or a stream), and awaits
 * `afterChunk` between chunks (it may hold back reading while async checks run).
 */
export async function forEachLine(source: string | Readable, onLine: OnLine, afterChunk?: () => Promise<void>): Promise<void> {
  const stream = typeof source !== 'string' ? source : isStdin(source) ? process.stdin : createReadStream(source, { highWaterMark: 1 << 20 });
  const splitter = new LineSplitter(onLine);
  for await (const data of stream) {
    splitter.push(typeof data === 'string' ? Buffer.from(data) : (data as Buffer));
    if (afterChunk) await afterChunk();
  }
  splitter.end();
}
