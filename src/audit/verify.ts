/**
 * The chain verifier: fed one line at a time (files in rotation order, oldest first),
 * it keeps only the current head, so memory stays constant. Findings name the file,
 * line and seq of the first bad record; `breaks` make `audit verify` exit 1. A line that
 * is not a valid record is a break unless it is the last line of its file (a torn write).
 */
import { GENESIS, sha256Hex, type ChainHead } from './chain';
import { forEachLine, type LineState } from './lines';
import type { AuditRecord } from './record';
import { fullParse, isLogLine, quickParse, type Parsed } from './verify-parse';
import type { Finding, Loc, UnsignedTail, VerifyOptions, VerifySummary } from './verify-types';

export type { Finding, UnsignedTail, VerifyOptions, VerifySummary } from './verify-types';

const MAX_FINDINGS = 100;

/** Pure: what is wrong when `rec` does not link on to `exp` and the next record does not link past it. */
function mismatch(rec: Parsed, loc: Loc, exp: ChainHead, prev: Loc): Finding {
  // The seq runs on but the hash does not: the previous record was edited.
  if (rec.seq === exp.seq + 1) return { ...prev, message: `record edited: its hash is not the prev of seq ${rec.seq} at ${loc.file}:${loc.line}` };
  if (rec.seq > exp.seq + 1) return { ...loc, message: `seq jumps from ${exp.seq} to ${rec.seq}: record(s) removed or reordered before this line` };
  return { ...loc, message: `seq ${rec.seq} after seq ${exp.seq}: record reordered, duplicated or inserted` };
}

/** Verifies one or more files of one chain, line by line. */
export class ChainVerifier {
  private head: ChainHead | undefined;
  private prevLoc: Loc | undefined;
  private prevPrev = '';
  /** A line that is not a record, held until we know whether it ends its file. */
  private garbage: (Loc & { torn: boolean; atEnd: boolean }) | undefined;
  private covered = 0;
  private sawCheckpoint = false;
  private every = 0;
  private tail: UnsignedTail = { records: 0, bytes: 0 };
  private justSigned = false;
  /**
   * A record that did not link on: it was inserted, or the record before it was edited
   * (or records removed). The next record decides: if it links on past the doubtful one
   * to the head before it, the doubtful one was put there; otherwise `finding` stands.
   */
  private doubt: { loc: Loc; before: ChainHead; finding: Finding } | undefined;
  private pending: Promise<void>[] = [];
  private readonly result: VerifySummary = { records: 0, logLines: 0, checkpoints: 0, streams: 0, head: { seq: 0, hash: GENESIS }, breaks: [], warnings: [] };

  /** Lines that were not well-formed records (torn, garbage, or a record of the wrong shape). */
  badLines = 0;

  constructor(private readonly opts: VerifyOptions = {}) {}

  /**
   * Feeds one line of file number `fileIndex`; returns the record when the line is a
   * well-formed record. `full: false` lets a line that links on cleanly skip the full
   * parse (its record is then not returned): for lines the caller will not use.
   */
  line(buf: Buffer, file: string, fileIndex: number, lineNo: number, state: LineState, full = true): AuditRecord | undefined {
    const loc: Loc = { file, fileIndex, line: lineNo };
    if (this.garbage && !this.garbage.atEnd) this.midFileGarbage();
    if (state !== 'torn' && isLogLine(buf)) {
      this.result.logLines += 1;
      return undefined;
    }
    const bytes = buf.length + (state === 'torn' ? 0 : 1);
    const rec = state === 'overlong' ? undefined : this.read(buf, full);
    if (!rec || rec.problem) this.badLines += 1;
    if (!rec) return this.notRecord(loc, state, bytes);
    loc.seq = rec.seq;
    this.result.records += 1;
    this.link(rec, loc);
    this.content(rec, loc, bytes);
    this.head = { seq: rec.seq, hash: sha256Hex(buf) };
    this.prevLoc = loc;
    this.prevPrev = rec.prev;
    return rec.record;
  }

  /** What the record says beyond its link: its shape, a checkpoint, the unsigned run. */
  private content(rec: Parsed, loc: Loc, bytes: number): void {
    if (rec.problem) this.flag('breaks', loc, `not a valid audit record: ${rec.problem}`);
    if (rec.event === 'audit.checkpoint' && !rec.problem) this.checkpoint(rec, loc);
    else this.gapCheck(rec.seq, loc);
    if (this.justSigned) this.justSigned = false;
    else this.tail.bytes += bytes;
  }

  private notRecord(loc: Loc, state: LineState, bytes: number): undefined {
    this.tail.bytes += bytes;
    this.settleDoubt();
    if (this.garbage) this.tornEnd(this.garbage);
    this.garbage = { ...loc, torn: state === 'torn', atEnd: false };
    return undefined;
  }

  /** Lines read so far that carried chain fields (records, well-formed or not). */
  get records(): number {
    return this.result.records;
  }

  /** True while the last record did not link on and the next line will tell why. */
  get inDoubt(): boolean {
    return this.doubt !== undefined;
  }

  /** Call after the last line of each file: a pending non-record line was its last. */
  endFile(): void {
    if (this.garbage) this.garbage.atEnd = true;
  }

  /** The quick prefix read when allowed and the record links on cleanly; a full parse otherwise. */
  private read(buf: Buffer, full: boolean): Parsed | undefined {
    const q = full ? undefined : quickParse(buf);
    const h = this.head;
    if (q && !this.garbage && h && q.seq === h.seq + 1 && q.prev === h.hash) return q;
    return fullParse(buf);
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
    this.settleDoubt();
    if (this.garbage) {
      if (this.garbage.atEnd) this.tornEnd(this.garbage);
      else this.midFileGarbage();
    }
    this.endStream();
    const byPos = (a: Finding, b: Finding): number => a.fileIndex - b.fileIndex || a.line - b.line;
    this.result.breaks.sort(byPos);
    this.result.warnings.sort(byPos);
    this.result.head = this.head ?? this.result.head;
    if (this.opts.key) this.result.tail = { ...this.tail, records: this.head ? this.head.seq - this.covered : 0 };
    return this.result;
  }

  /** Only a file's last line may be torn: any other line that is not a record was put there. */
  private midFileGarbage(): void {
    this.flag('breaks', this.garbage!, 'not a valid audit record (edited, inserted or corrupted; only the last line of a file may be a torn write)');
    this.garbage = undefined;
  }

  private tornEnd(g: Loc & { torn: boolean }): void {
    const what = g.torn ? 'torn last line (an incomplete write, e.g. a crash)' : 'the last line of the file is not a complete record (torn write)';
    this.flag('warnings', g, `${what}; it is not counted as a record`);
    this.garbage = undefined;
  }

  private settleDoubt(): void {
    if (this.doubt) this.flag('breaks', this.doubt.finding, this.doubt.finding.message);
    this.doubt = undefined;
  }

  /** The head `rec` should link to: the doubtful record's predecessor when `rec` links on past it. */
  private expected(rec: Parsed): ChainHead | undefined {
    const d = this.doubt;
    if (!d) return this.head;
    this.doubt = undefined;
    if (rec.seq !== d.before.seq + 1 || rec.prev !== d.before.hash) {
      this.flag('breaks', d.finding, d.finding.message);
      return this.head;
    }
    this.flag('breaks', d.loc, 'record inserted, duplicated or moved: the next record links on past it');
    return d.before;
  }

  private link(rec: Parsed, loc: Loc): void {
    const garbage = this.garbage;
    this.garbage = undefined;
    const exp = this.expected(rec);
    if (rec.seq === 1 && rec.prev === GENESIS) return this.newStream(loc, garbage, exp !== undefined);
    if (!exp) return this.firstRecord(rec, loc);
    if (rec.seq === exp.seq + 1 && rec.prev === exp.hash) {
      if (garbage) this.tornEnd(garbage);
      return;
    }
    if (garbage) return this.flag('breaks', garbage, 'not a valid audit record (edited or corrupted)');
    if (rec.seq === exp.seq + 1 && rec.prev === this.prevPrev) {
      const prev = this.prevLoc ?? loc;
      return this.flag('breaks', loc, `prev is not the hash of seq ${rec.seq - 1} at ${prev.file}:${prev.line}: record inserted or appended by hand`);
    }
    this.doubt = { loc, before: exp, finding: mismatch(rec, loc, exp, this.prevLoc ?? loc) };
  }

  private firstRecord(rec: Parsed, loc: Loc): void {
    if (rec.seq === 1) return this.flag('breaks', loc, 'seq 1 must have prev = 64 zeros');
    this.result.streams += 1;
    this.covered = rec.seq - 1;
    if (this.opts.allowPartial) return;
    this.flag('breaks', loc, `first record is seq ${rec.seq}, not 1: records removed from the start (pass --allow-partial when older rotated files were deleted)`);
  }

  private newStream(loc: Loc, garbage: Loc & { torn: boolean } | undefined, after: boolean): void {
    if (garbage) this.tornEnd(garbage);
    if (after) this.flag('warnings', loc, 'a new stream starts here (seq 1): a restart without the audit file, or concatenated logs');
    if (this.head) this.endStream();
    this.result.streams += 1;
    this.covered = 0;
    this.sawCheckpoint = false;
    this.every = 0;
    this.tail = { records: 0, bytes: 0 };
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
    this.tail = { records: 0, bytes: 0, signedSeq: cp.seq, signedTs: cp.ts };
    this.justSigned = true;
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
    if (tail > 0 && tail <= this.every) {
      const at = `seq ${this.tail.signedSeq ?? '-'}, signed ${this.tail.signedTs ?? '-'}`;
      this.flag('warnings', this.prevLoc, `${tail} record(s), ${this.tail.bytes} bytes after the last signed checkpoint (${at}) are not signed: they could be cut off unseen (no clean shutdown, or appended)`);
    }
  }

  private flag(kind: 'breaks' | 'warnings', loc: Loc, message: string): void {
    const list = this.result[kind];
    if (kind === 'breaks') this.opts.onBreak?.({ ...loc, message });
    if (list.length < MAX_FINDINGS) list.push({ ...loc, message });
  }
}

/** Streams `files` (rotation order, oldest first) through one verifier. */
export async function verifyFiles(files: readonly string[], opts: VerifyOptions = {}): Promise<VerifySummary> {
  const v = new ChainVerifier(opts);
  for (const [i, file] of files.entries()) {
    await forEachLine(file, (line, no, state) => v.line(line, file, i, no, state), () => v.settle());
    v.endFile();
  }
  return v.end();
}
