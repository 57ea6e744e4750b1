/**
 * Serving certificate loading and hot reload. The files are stat'ed periodically (a
 * Kubernetes Secret volume swaps a symlink, which fs.watch misses); when either
 * changes, both are read, checked by building a secure context, and handed to the
 * server. A half-written pair (key updated, cert not yet) is kept out and retried.
 */
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks a pair; throws when they do not form a usable context. Never logs their content. */
export function loadKeyPair(certFile: string, keyFile: string): KeyPair {
  const pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  createSecureContext(pair);
  return pair;
}

/** TLS 1.2 or later, the server's cipher preference. */
export const TLS_OPTIONS: SecureContextOptions = { minVersion: 'TLSv1.2' };

function fingerprint(file: string): string {
  const s = statSync(file);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

export class CertReloader {
  private last: string;

  constructor(
    private readonly certFile: string,
    private readonly keyFile: string,
    private readonly apply: (pair: KeyPair) => void,
  ) {
    this.last = this.stamp();
  }

  private stamp(): string {
    return `${fingerprint(this.certFile)}|${fingerprint(this.keyFile)}`;
  }

  /** One check: 'unchanged', 'reloaded', or 'failed' (the old certificate stays in use). */
  check(): 'unchanged' | 'reloaded' | 'failed' {
    try {
      const now = this.stamp();
      if (now === this.last) return 'unchanged';
      this.apply(loadKeyPair(this.certFile, this.keyFile));
      this.last = now;
      return 'reloaded';
    } catch {
      return 'failed';
    }
  }
}
