import type { Writable } from 'node:stream';
import { chainLine, EMPTY_HEAD, type ChainHead } from './chain';
import type { AuditEntry, AuditSource } from './record';

/** Anything that accepts audit entries: the injector and the sidecar depend on this, not on sinks. */
export interface AuditSink {
  record(entry: AuditEntry): void;
  /** Resolves once everything recorded so far has been handed to the streams. */
  flush(): Promise<void>;
}

export interface AuditWriterOptions {
  source: AuditSource;
  /** Usually process.stdout: collected by the cluster's logging. */
  stdout: Writable;
  now?: () => Date;
}

/**
 * Writes chained JSON Lines. One writer per stream: `seq` and `prev` continue across
 * every record it writes. File sinks with rotation and signed checkpoints attach here.
 */
export class AuditWriter implements AuditSink {
  private head: ChainHead = EMPTY_HEAD;
  private readonly now: () => Date;

  constructor(private readonly opts: AuditWriterOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  record(entry: AuditEntry): void {
    const { line, head } = chainLine(this.head, this.opts.source, entry, this.now());
    this.head = head;
    this.opts.stdout.write(`${line}\n`);
  }

  /** The current chain head, for checkpoints. */
  get chainHead(): ChainHead {
    return this.head;
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.opts.stdout.writableLength === 0) resolve();
      else this.opts.stdout.once('drain', () => resolve());
    });
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
