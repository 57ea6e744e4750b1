/**
 * The chain verifier: fed one line at a time (files in rotation order, oldest first),
 * it keeps only the current head, so memory stays constant. Findings name the file,
 * line and seq of the first bad record; `breaks` make `audit verify` exit 1.
 */
import * as crypto from 'node:crypto';
import { GENESIS, type ChainHead } from './chain';
import type { CheckpointVerifier } from './checkpoint';
import { forEachLine, type LineState } from './lines';
import type { CheckpointRef } from './record';

/** Where a finding points. */
export interface Finding {
  file: string;
  line: number;
  seq?: number;
  message: string;
  /** For ordering: files are numbered in the order given. */
  fileIndex: number;
}

export interface VerifyOptions {
  /** Checks checkpoint signatures and that no checkpoint is missing. */
  key?: CheckpointVerifier;
  /** Accept a first file that starts after seq 1 (older rotated files deleted). */
  allowPartial?: boolean;
}

export interface VerifySummary {
  records: number;
  checkpoints: number;
  streams: number;
  head: ChainHead;
  breaks: Finding[];
  warnings: Finding[];
}

interface Loc {
  file: string;
  fileIndex: number;
  line: number;
  seq?: number;
}

interface Parsed {
  seq: number;
  prev: string;
  event?: unknown;
  checkpoint?: CheckpointRef;
}

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_FINDINGS = 100;

/** One-shot hashing where the runtime has it (Node >= 20.12): much faster per line. */
const oneShot = (crypto as { hash?: (alg: string, data: Buffer) => string }).hash;
const sha256 = (b: Buffer): string => (oneShot ? oneShot('sha256', b) : crypto.createHash('sha256').update(b).digest('hex'));

/**
 * Fast path: reads seq, prev and event from the fixed-order prefix the writer emits,
 * without parsing the whole line. Any doubt (checkpoint, odd shape, a broken link)
 * falls back to a full JSON.parse.
 */
function quickParse(line: Buffer): Parsed | undefined {
  if (line[line.length - 1] !== 0x7d) return undefined;
  const s = line.toString('latin1', 0, 200);
  if (!s.startsWith('{"ts":"')) return undefined;
  const i = s.indexOf(',"seq":');
  const j = s.indexOf(',"prev":"', i);
  const k = s.indexOf('"event":"', j);
  if (i < 0 || j < 0 || k < 0 || s[j + 73] !== '"') return undefined;
  const seq = Number(s.slice(i + 7, j));
  const prev = s.slice(j + 9, j + 73);
  const event = s.slice(k + 9, s.indexOf('"', k + 9));
  if (!Number.isSafeInteger(seq) || seq < 1 || !HEX64.test(prev) || event === 'audit.checkpoint') return undefined;
  return { seq, prev, event };
}

function parse(line: Buffer): Parsed | undefined {
  try {
    const r = JSON.parse(line.toString('utf8')) as Partial<Parsed> | null;
    if (!r || typeof r !== 'object' || !Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return undefined;
    return typeof r.prev === 'string' && HEX64.test(r.prev) ? (r as Parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies one or more files of one chain, line by line. */
export class ChainVerifier {
  private head: ChainHead | undefined;
  private prevLoc: Loc | undefined;
  private prevPrev = '';
  private garbage: (Loc & { hash: string; torn: boolean }) | undefined;
  private covered = 0;
  private sawCheckpoint = false;
  private every = 0;
  private pending: Promise<void>[] = [];
  private readonly result: VerifySummary = { records: 0, checkpoints: 0, streams: 0, head: { seq: 0, hash: GENESIS }, breaks: [], warnings: [] };

  constructor(private readonly opts: VerifyOptions = {}) {}

  /** Feeds one line of file number `fileIndex`. */
  line(buf: Buffer, file: string, fileIndex: number, lineNo: number, state: LineState): void {
    const loc: Loc = { file, fileIndex, line: lineNo };
    const hash = sha256(buf);
    const rec = state === 'overlong' ? undefined : this.read(buf);
    if (!rec) {
      if (this.garbage) this.flag('breaks', this.garbage, 'not a valid audit record (edited or corrupted)');
      this.garbage = { ...loc, hash, torn: state === 'torn' };
      return;
    }
    loc.seq = rec.seq;
    this.result.records += 1;
    this.link(rec, loc);
    if (rec.event === 'audit.checkpoint') this.checkpoint(rec, loc);
    else this.gapCheck(rec.seq, loc);
    this.head = { seq: rec.seq, hash };
    this.prevLoc = loc;
    this.prevPrev = rec.prev;
  }

  /** The quick prefix read when the record links on cleanly; a full parse otherwise. */
  private read(buf: Buffer): Parsed | undefined {
    const q = quickParse(buf);
    const h = this.head;
    if (q && !this.garbage && h && q.seq === h.seq + 1 && q.prev === h.hash) return q;
    return parse(buf);
  }

  /** Waits for signature checks started so far. */
  async settle(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
  }

  /** Call after the last line of the last file. */
  async end(): Promise<VerifySummary> {
    await this.settle();
    if (this.garbage) {
      const what = this.garbage.torn ? 'torn last line (an incomplete write, e.g. a crash)' : 'the last line is not a complete record (torn write)';
      this.flag('warnings', this.garbage, `${what}; the records before it verify`);
    }
    this.endStream();
    const byPos = (a: Finding, b: Finding): number => a.fileIndex - b.fileIndex || a.line - b.line;
    this.result.breaks.sort(byPos);
    this.result.warnings.sort(byPos);
    this.result.head = this.head ?? this.result.head;
    return this.result;
  }

  private link(rec: Parsed, loc: Loc): void {
    const garbage = this.garbage;
    this.garbage = undefined;
    const exp = this.head;
    if (rec.seq === 1 && rec.prev === GENESIS) {
      if (garbage) this.flag('warnings', garbage, 'not a record (a torn write, e.g. after a crash); a new stream starts after it');
      else if (exp) this.flag('warnings', loc, 'a new stream starts here (seq 1): a restart without the audit file, or concatenated logs');
      return this.newStream();
    }
    if (!exp) return this.firstRecord(rec, loc);
    if (rec.seq === exp.seq + 1 && rec.prev === exp.hash) {
      if (garbage) this.flag('warnings', garbage, 'not a record (a torn write, e.g. after a crash); the chain continues past it');
      return;
    }
    if (garbage) return this.flag('breaks', garbage, 'not a valid audit record (edited or corrupted)');
    if (rec.seq === exp.seq + 1) return this.hashMismatch(rec, loc);
    if (rec.seq > exp.seq + 1) {
      return this.flag('breaks', loc, `seq jumps from ${exp.seq} to ${rec.seq}: record(s) removed or reordered before this line`);
    }
    this.flag('breaks', loc, `seq ${rec.seq} after seq ${exp.seq}: record reordered, duplicated or inserted`);
  }

  private firstRecord(rec: Parsed, loc: Loc): void {
    if (rec.seq === 1) return this.flag('breaks', loc, 'seq 1 must have prev = 64 zeros');
    this.result.streams += 1;
    this.covered = rec.seq - 1;
    if (this.opts.allowPartial) return;
    this.flag('breaks', loc, `first record is seq ${rec.seq}, not 1: records removed from the start (pass --allow-partial when older rotated files were deleted)`);
  }

  /**
   * The seq runs on but the hash does not: the previous record was edited, or this one
   * was written by hand. A copied `prev` (the same as the previous record's) marks the
   * hand-made one; otherwise the previous record is named.
   */
  private hashMismatch(rec: Parsed, loc: Loc): void {
    const prev = this.prevLoc ?? loc;
    if (rec.prev === this.prevPrev) {
      return this.flag('breaks', loc, `prev is not the hash of seq ${rec.seq - 1} at ${prev.file}:${prev.line}: record inserted or appended by hand`);
    }
    this.flag('breaks', prev, `record edited: its hash is not the prev of seq ${rec.seq} at ${loc.file}:${loc.line}`);
  }

  private newStream(): void {
    if (this.head) this.endStream();
    this.result.streams += 1;
    this.covered = 0;
    this.sawCheckpoint = false;
    this.every = 0;
  }

  private checkpoint(rec: Parsed, loc: Loc): void {
    this.result.checkpoints += 1;
    const cp = rec.checkpoint;
    if (!cp || cp.seq !== rec.seq - 1 || cp.hash !== rec.prev) {
      return this.flag('breaks', loc, 'checkpoint does not sign the record before it (forged or moved)');
    }
    if (!this.opts.key) return;
    const key = this.opts.key;
    if (cp.seq - this.covered > cp.every) this.flag('breaks', loc, `${cp.seq - this.covered} records since the previous checkpoint, more than its interval ${cp.every} (checkpoints removed?)`);
    this.covered = rec.seq;
    this.sawCheckpoint = true;
    this.every = cp.every;
    if (cp.kid !== key.kid) return this.flag('breaks', loc, `checkpoint signed by key ${cp.kid}, not by the given key ${key.kid}`);
    this.pending.push(
      key.check(cp).then((ok) => {
        if (!ok) this.flag('breaks', loc, 'checkpoint signature does not verify (forged checkpoint or edited fields)');
      }),
    );
  }

  private gapCheck(seq: number, loc: Loc): void {
    if (this.opts.key && this.sawCheckpoint && seq - this.covered === this.every + 1) {
      this.flag('breaks', loc, `no checkpoint within ${this.every} records after seq ${this.covered} (checkpoints removed?)`);
    }
  }

  private endStream(): void {
    if (!this.opts.key || !this.head || !this.prevLoc) return;
    const tail = this.head.seq - this.covered;
    if (!this.sawCheckpoint) return this.flag('breaks', this.prevLoc, 'no signed checkpoint in this stream: it cannot be checked against the key');
    if (tail > 0 && tail <= this.every) this.flag('warnings', this.prevLoc, `${tail} record(s) after the last checkpoint are not signed (no clean shutdown, or appended)`);
  }

  private flag(kind: 'breaks' | 'warnings', loc: Loc, message: string): void {
    const list = this.result[kind];
    if (list.length < MAX_FINDINGS) list.push({ ...loc, message });
  }
}

/** Streams `files` (rotation order, oldest first) through one verifier. */
export async function verifyFiles(files: readonly string[], opts: VerifyOptions = {}): Promise<VerifySummary> {
  const v = new ChainVerifier(opts);
  for (const [i, file] of files.entries()) {
    await forEachLine(file, (line, no, state) => v.line(line, file, i, no, state), () => v.settle());
  }
  return v.end();
}
