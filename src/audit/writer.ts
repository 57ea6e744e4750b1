import type { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import { chainLine, EMPTY_HEAD, type ChainHead } from './chain';
import type { CheckpointSigner } from './checkpoint';
import { RotatingFileSink, type FileSinkOptions } from './file-sink';
import { auditMetrics, type AuditMetrics } from './metrics';
import type { AuditEntry, AuditSource } from './record';
import { scrubEntry } from './scrub';

/** Anything that accepts audit entries: the injector and the sidecar depend on this, not on sinks. */
export interface AuditSink {
  record(entry: AuditEntry): void;
  /** Resolves once everything recorded so far has been handed to the streams. */
  flush(): Promise<void>;
}

/** Signed checkpoints: a `audit.checkpoint` record after every `every` records and at every flush. */
export interface CheckpointOptions {
  signer: CheckpointSigner;
  /** Default 1000. */
  every?: number;
  /** Stream name in the signed payload; default the source. */
  stream?: string;
}

export interface AuditWriterOptions {
  source: AuditSource;
  /** Usually process.stdout: collected by the cluster's logging. */
  stdout: Writable;
  now?: () => Date;
  /** Also append to this file, with rotation (see file-sink.ts for the failure policy). */
  file?: FileSinkOptions;
  checkpoint?: CheckpointOptions;
  /** Where the loss and error counters go (the sidecar's /metrics registry). */
  registry?: Registry;
  /** Told about file-sink and signing failures (by error code only), e.g. to log them. */
  onError?: (what: 'file' | 'checkpoint', code: string) => void;
}

/**
 * Writes chained JSON Lines. One writer per stream: `seq` and `prev` continue across
 * every record it writes, across file rotations, and across restarts when the audit
 * file already holds records. stdout always gets every record.
 */
export class AuditWriter implements AuditSink {
  private head: ChainHead = EMPTY_HEAD;
  private readonly now: () => Date;
  private readonly file: RotatingFileSink | undefined;
  private readonly metrics: AuditMetrics | undefined;
  private readonly every: number;
  private sinceCheckpoint = 0;
  private signing: Promise<void> | undefined;
  private readonly queue: AuditEntry[] = [];

  constructor(private readonly opts: AuditWriterOptions) {
    this.now = opts.now ?? (() => new Date());
    this.every = Math.max(1, opts.checkpoint?.every ?? 1000);
    this.metrics = opts.registry ? auditMetrics(opts.registry) : undefined;
    if (opts.file) {
      const fileOpts = opts.file;
      this.file = new RotatingFileSink({
        ...fileOpts,
        onError: (code) => {
          this.metrics?.sinkErrors.inc({ sink: 'file', code });
          this.opts.onError?.('file', code);
          fileOpts.onError?.(code);
        },
        onLoss: (n) => {
          this.metrics?.lost.inc({ sink: 'file' }, n);
          fileOpts.onLoss?.(n);
        },
      });
      this.head = this.file.resumeHead() ?? EMPTY_HEAD;
      // A resumed chain may end in records the last run never signed: sign on the first new record.
      if (this.head.seq > 0) this.sinceCheckpoint = this.every - 1;
    }
  }

  record(entry: AuditEntry): void {
    if (this.signing) this.queue.push(entry);
    else this.write(entry);
  }

  /** The current chain head, for checkpoints. */
  get chainHead(): ChainHead {
    return this.head;
  }

  /** Lines the file sink dropped (0 without a file). */
  get lostToFile(): number {
    return this.file?.lost ?? 0;
  }

  /** Signs a final checkpoint when records are unsigned, then waits for stdout to drain. */
  async flush(): Promise<void> {
    await this.settled();
    if (this.opts.checkpoint && this.sinceCheckpoint > 0) {
      this.startCheckpoint();
      await this.settled();
    }
    await new Promise<void>((resolve) => {
      if (this.opts.stdout.writableLength === 0) resolve();
      else this.opts.stdout.once('drain', () => resolve());
    });
  }

  private async settled(): Promise<void> {
    for (let p = this.signing; p; p = this.signing) await p;
  }

  /** flush(), then close the audit file. */
  async close(): Promise<void> {
    await this.flush();
    this.file?.close();
  }

  private write(entry: AuditEntry): void {
    const now = this.now();
    const { line, head } = chainLine(this.head, this.opts.source, scrubEntry(entry), now);
    this.head = head;
    this.opts.stdout.write(`${line}\n`);
    this.file?.write(line, now.getTime());
    this.metrics?.records.inc({ event: entry.event });
    if (entry.event === 'audit.checkpoint' || !this.opts.checkpoint) return;
    this.sinceCheckpoint += 1;
    if (this.sinceCheckpoint >= this.every) this.startCheckpoint();
  }

  /** Records arriving while the signature is computed wait in order, so the checkpoint directly follows the head it signs. */
  private startCheckpoint(): void {
    const cp = this.opts.checkpoint!;
    this.sinceCheckpoint = 0;
    this.signing = cp.signer
      .sign(cp.stream ?? this.opts.source, this.head, this.every, this.now().toISOString())
      .then(
        (checkpoint) => {
          this.signing = undefined;
          this.metrics?.checkpoints.inc({ outcome: 'success' });
          this.write({ event: 'audit.checkpoint', outcome: 'success', checkpoint });
        },
        (err: unknown) => {
          this.signing = undefined;
          this.metrics?.checkpoints.inc({ outcome: 'failure' });
          this.opts.onError?.('checkpoint', (err as { code?: string }).code ?? 'SIGN_FAILED');
        },
      )
      .then(() => this.drainQueue());
  }

  private drainQueue(): void {
    while (!this.signing && this.queue.length > 0) this.write(this.queue.shift()!);
  }
}

/** Collects entries in memory; for tests of code that emits audit records. */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
