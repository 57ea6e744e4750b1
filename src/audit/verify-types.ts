/** What the chain verifier reports. */
import type { ChainHead } from './chain';
import type { CheckpointVerifier } from './checkpoint';

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
  /** Called with every break as it is found (the summary keeps the first 100 only). */
  onBreak?: (f: Finding) => void;
}

/** With a key: what follows the last signed checkpoint of the last stream (it could be cut unseen). */
export interface UnsignedTail {
  records: number;
  bytes: number;
  /** The last checkpoint: the seq it signs and when it was signed; absent when none verified. */
  signedSeq?: number;
  signedTs?: string;
}

export interface VerifySummary {
  records: number;
  /** The components' own log lines (`kubectl logs` mixes them in), passed over: they are not part of the chain. */
  logLines: number;
  checkpoints: number;
  streams: number;
  head: ChainHead;
  breaks: Finding[];
  warnings: Finding[];
  /** Only with a key. */
  tail?: UnsignedTail;
}

export interface Loc {
  file: string;
  fileIndex: number;
  line: number;
  seq?: number;
}
