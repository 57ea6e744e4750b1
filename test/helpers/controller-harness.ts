/** A Controller wired to a stub Vault with in-memory audit and logs, and a hand-driven clock. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import NodeCache from 'node-cache';
import { MemoryAuditSink } from '../../src/audit/writer';
import { AuditContext } from '../../src/sidecar/audit-context';
import { Controller } from '../../src/sidecar/controller';
import { SidecarMetrics } from '../../src/sidecar/metrics';
import { AuthSession } from '../../src/sidecar/session';
import type { PodSecretsSpec, SecretSpec } from '../../src/spec';
import { VaultClient } from '../../src/vault/client';
import type { WriteResult } from '../../src/render/write';
import { captureLogger } from './log-capture';

export interface CtlHarness {
  c: Controller;
  session: AuthSession;
  client: VaultClient;
  sink: MemoryAuditSink;
  metrics: SidecarMetrics;
  mount: string;
  tokenFile: string;
  logs: () => string;
  clock: { now: number };
}

export function makeController(
  vaultUrl: string,
  secrets: SecretSpec[],
  o: { hashDevice?: string; timeoutMs?: number; staleAfter?: number; write?: (m: string, f: string, c: string, mode: number) => Promise<WriteResult> } = {},
): CtlHarness {
  const mount = mkdtempSync(path.join(os.tmpdir(), 'sb-ctl-'));
  const tokenFile = path.join(mount, '..', `${path.basename(mount)}.token`);
  writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
  const spec: PodSecretsSpec = { version: 1, role: 'app', mountPath: mount, lifecycle: 'sidecar', rotateIntervalSeconds: 60, notify: { kind: 'none' }, secrets };
  const { logger: log, text: logs } = captureLogger('t');
  const clock = { now: Date.now() };
  const sink = new MemoryAuditSink();
  const metrics = new SidecarMetrics();
  const client = new VaultClient({ addr: vaultUrl, timeoutMs: o.timeoutMs ?? 2000 });
  const audit = new AuditContext(sink, { namespace: 'shop', name: 'web-1' }, o.hashDevice, client);
  const session = new AuthSession({ client, authPath: 'auth/kubernetes', role: 'app', readTokenFile: () => readFile(tokenFile, 'utf8'), audit, metrics });
  const c = new Controller({
    spec,
    session,
    source: { client, audit, metrics, mounts: new NodeCache({ checkperiod: 0, useClones: false }), now: () => clock.now, loginCount: () => session.logins },
    render: { mountPath: mount, ...(o.write && { write: o.write }) },
    audit,
    metrics,
    log,
    staleAfterSeconds: o.staleAfter ?? 30,
    rand: () => 0,
    now: () => clock.now,
    revokeLease: (id) => client.revokeLease(id),
  });
  return { c, session, client, sink, metrics, mount, tokenFile, logs, clock };
}
