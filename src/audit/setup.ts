/** Builds the one audit writer a process uses, from parsed settings. */
import type { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import type { AuditSettings } from '../config/audit';
import type { AuditSource } from './record';
import { AuditWriter } from './writer';

export interface AuditSetupDeps {
  source: AuditSource;
  stdout: Writable;
  registry?: Registry;
  /** Stream name for checkpoints, e.g. `sidecar/<namespace>/<pod>`. */
  stream?: string;
  onError?: (what: 'file' | 'checkpoint', code: string) => void;
}

/** The writer: stdout always, the file and signed checkpoints when configured. Throws BrokerError on a bad key. */
export async function createAuditWriter(s: AuditSettings, deps: AuditSetupDeps): Promise<AuditWriter> {
  // jose loads only when checkpoints are configured: it would double the sidecar's start-up.
  const signer = s.checkpointKeyFile ? await (await import('./checkpoint')).loadSigner(s.checkpointKeyFile) : undefined;
  return new AuditWriter({
    source: deps.source,
    stdout: deps.stdout,
    registry: deps.registry,
    onError: deps.onError,
    ...(s.file && { file: { path: s.file, maxBytes: s.maxBytes, keep: s.keep } }),
    ...(signer && { checkpoint: { signer, every: s.checkpointEvery, stream: deps.stream ?? deps.source } }),
  });
}
