/**
 * The optional audit file: synchronous appends with size-based rotation
 * (`audit.log` -> `audit.log.1` -> ... -> `audit.log.<keep>`), so the chain runs on
 * unbroken from the newest line of `audit.log.1` into the first line of `audit.log`.
 *
 * Failure policy (docs/threat-model.md T31): a failed open or write never throws to the caller
 * (the sidecar keeps serving; stdout still gets every record). Lines are kept in a
 * bounded backlog and written, in order, once the file works again (retried at most
 * every `retryMs`); when the backlog is full the oldest lines are dropped and counted
 * through `onLoss`. A dropped line leaves a gap that `audit verify` reports.
 */
import * as nodeFs from 'node:fs';
import { lineHash, type ChainHead } from './chain';

/** The few fs calls the sink makes; replaceable in tests to inject faults. */
export type SinkFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'closeSync' | 'renameSync' | 'fstatSync' | 'existsSync' | 'readSync' | 'unlinkSync'>;

export interface FileSinkOptions {
  path: string;
  /** Rotate before a line would take the file past this size. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept besides the live one. Default 5. */
  keep?: number;
  /** Lines held while the file fails. Default 10000. */
  backlogLines?: number;
  /** Minimum time between attempts after a failure. Default 5000 ms. */
  retryMs?: number;
  fs?: SinkFs;
  /** Called with the error code on every failed open, write or rotation. */
  onError?: (code: string) => void;
  /** Called with the number of lines dropped from a full backlog. */
  onLoss?: (count: number) => void;
}

const TAIL_BYTES = 256 * 1024;

/** Appends chained lines to a file with rotation and a defined failure policy. */
export class RotatingFileSink {
  private fd: number | undefined;
  private size = 0;
  private backlog: string[] = [];
  private retryAt = 0;
  private readonly fs: SinkFs;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly backlogLines: number;
  private readonly retryMs: number;
  /** The live file ends in a torn line: rotate it away before writing. */
  private rotateFirst = false;
  /** Lines dropped since start (also reported through onLoss). */
  lost = 0;

  constructor(private readonly opts: FileSinkOptions) {
    this.fs = opts.fs ?? nodeFs;
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.keep = Math.max(1, opts.keep ?? 5);
    this.backlogLines = Math.max(1, opts.backlogLines ?? 10_000);
    this.retryMs = opts.retryMs ?? 5000;
  }

  /** True while lines wait in the backlog because the file failed. */
  get degraded(): boolean {
    return this.backlog.length > 0;
  }

  /** Appends one line (without newline). Never throws. */
  write(line: string, nowMs: number): void {
    this.backlog.push(line);
    if (this.backlog.length === 1 || nowMs >= this.retryAt) this.drain(nowMs);
    if (this.backlog.length > this.backlogLines) {
      const dropped = this.backlog.length - this.backlogLines;
      this.backlog.splice(0, dropped);
      this.lost += dropped;
      this.opts.onLoss?.(dropped);
    }
  }

  /**
   * The head to continue from when the file (or, just after a rotation, `.1`) already
   * holds records: the seq and hash of its last complete line. A file that ends in a torn
   * line (crash mid-write) is rotated before the first new line, so the torn line stays
   * the last line of its file: the only place `audit verify` accepts one.
   */
  resumeHead(): ChainHead | undefined {
    for (const p of [this.opts.path, `${this.opts.path}.1`]) {
      try {
        if (!this.fs.existsSync(p)) continue;
        const head = this.lastHead(p, p === this.opts.path);
        if (head) return head;
      } catch (err) {
        this.opts.onError?.(codeOf(err));
      }
    }
    return undefined;
  }

  /** Closes the file; the backlog, if any, stays counted as not written. */
  close(): void {
    if (this.fd !== undefined) this.fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private drain(nowMs: number): void {
    try {
      while (this.backlog.length > 0) {
        const data = `${this.backlog[0]}\n`;
        const bytes = Buffer.byteLength(data);
        if (this.rotateFirst) this.rotate();
        this.rotateFirst = false;
        if (this.fd !== undefined && this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
        if (this.fd === undefined) this.open();
        this.fs.writeSync(this.fd!, data);
        this.size += bytes;
        this.backlog.shift();
      }
    } catch (err) {
      this.opts.onError?.(codeOf(err));
      this.retryAt = nowMs + this.retryMs;
      this.safeClose();
    }
  }

  private open(): void {
    this.fd = this.fs.openSync(this.opts.path, 'a', 0o640);
    this.size = this.fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.safeClose();
    const p = this.opts.path;
    const oldest = `${p}.${this.keep}`;
    if (this.fs.existsSync(oldest)) this.fs.unlinkSync(oldest);
    for (let i = this.keep - 1; i >= 1; i--) {
      if (this.fs.existsSync(`${p}.${i}`)) this.fs.renameSync(`${p}.${i}`, `${p}.${i + 1}`);
    }
    this.fs.renameSync(p, `${p}.1`);
  }

  private safeClose(): void {
    try {
      this.close();
    } catch {
      this.fd = undefined;
    }
  }

  private lastHead(path: string, live: boolean): ChainHead | undefined {
    const fd = this.fs.openSync(path, 'r');
    try {
      const size = this.fs.fstatSync(fd).size;
      const start = Math.max(0, size - TAIL_BYTES);
      const buf = Buffer.alloc(size - start);
      this.fs.readSync(fd, buf, 0, buf.length, start);
      if (live && buf.length > 0 && buf[buf.length - 1] !== 0x0a) this.rotateFirst = true;
      const text = buf.toString('utf8');
      const end = text.lastIndexOf('\n');
      const line = text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
      const seq = (JSON.parse(line) as { seq?: unknown }).seq;
      return typeof seq === 'number' ? { seq, hash: lineHash(line) } : undefined;
    } catch {
      return undefined;
    } finally {
      this.fs.closeSync(fd);
    }
  }
}

function codeOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
