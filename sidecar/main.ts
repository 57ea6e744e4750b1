/**
 * `secrets-broker sidecar [--once]`: builds the real dependencies from the environment
 * and runs the agent (or one pass). Resolves to the exit code; never calls process.exit.
 */
import { closeSync, promises as fs, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import NodeCache from 'node-cache';
import { createAuditWriter } from '../src/audit/setup';
import type { AuditSink } from '../src/audit/writer';
import { AUDIT_ENV, checkpointKeyProblem, parseAuditEnv } from '../src/config/audit';
import { parseSidecarConfig, type SidecarConfig } from '../src/config/sidecar';
import { EXIT, type ExitCode } from '../src/cli/exit';
import { ConfigError, listenFailure } from '../src/errors';
import { createLogger, type Logger } from '../src/log';
import { SIDECAR_ENV } from '../src/sidecar-env';
import { AuditContext } from '../src/sidecar/audit-context';
import { Controller } from '../src/sidecar/controller';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { createNotifier } from '../src/sidecar/notify';
import { AuthSession } from '../src/sidecar/session';
import { VaultClient } from '../src/vault/client';
import type { Transport } from '../src/vault/transport';
import { Agent } from './agent';
import { runOnce } from './once';

export interface RunOptions {
  env: Record<string, string | undefined>;
  once: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Install SIGTERM/SIGINT handlers (the real process); tests call shutdown themselves. */
  signals?: boolean;
  procRoot?: string;
  /** Called with the running agent (tests). */
  onAgent?: (agent: Agent) => void;
  /** Replaces the HTTP layer under the Vault client (tests; the start-up snapshot's build-time run, src/start/warm-run.ts). */
  transport?: Transport;
}

/**
 * Resolves to the exit code: 0, or for `--once` 1 naming each secret it could not render.
 * Throws ConfigError on bad settings (exit 2) and RuntimeFailure when the health port cannot be bound (exit 3).
 */
export async function runSidecar(o: RunOptions): Promise<ExitCode> {
  const cfg = parseSidecarConfig(o.env);
  const log = createLogger({ name: 'secrets-broker-sidecar', level: cfg.logLevel, destination: o.stderr });
  const metrics = new SidecarMetrics();
  const sink = await auditSink(o, cfg, metrics, log);
  const client = new VaultClient({ addr: cfg.vaultAddr, ca: cfg.vaultCa, namespace: cfg.vaultNamespace, timeoutMs: cfg.requestTimeoutMs, transport: o.transport });
  const audit = new AuditContext(sink, cfg.pod, cfg.auditHashDevice, client);
  const session = new AuthSession({ client, authPath: cfg.authPath, role: cfg.spec.role, readTokenFile: () => fs.readFile(cfg.tokenFile, 'utf8'), audit, metrics });
  const controller = new Controller({
    spec: cfg.spec,
    session,
    source: { client, audit, metrics, mounts: new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false }), now: Date.now, loginCount: () => session.logins },
    render: { mountPath: cfg.spec.mountPath },
    audit,
    metrics,
    log,
    staleAfterSeconds: cfg.staleAfterSeconds,
    rand: Math.random,
    now: Date.now,
    revokeLease: (id) => client.revokeLease(id),
  });
  const close = async (): Promise<void> => {
    client.close();
    await audit.flush();
    log.flush();
  };
  if (o.once) {
    const result = await runOnce(controller, log);
    for (const f of result.failed) o.stderr.write(`secrets-broker: sidecar --once: ${f}\n`);
    await close();
    return result.ok ? EXIT.OK : EXIT.FOUND;
  }
  return runAgent(cfg, o, { controller, metrics, log, close });
}

async function runAgent(cfg: SidecarConfig, o: RunOptions, p: { controller: Controller; metrics: SidecarMetrics; log: Logger; close: () => Promise<void> }): Promise<ExitCode> {
  const notifier = createNotifier(cfg.spec.notify, {
    procRoot: o.procRoot,
    selfPid: process.pid,
    selfUid: process.getuid?.(),
    kill: (pid, sig) => process.kill(pid, sig),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  const agent = new Agent({
    controller: p.controller,
    metrics: p.metrics,
    notifier,
    log: p.log,
    health: { port: cfg.healthPort, host: cfg.healthBind },
    shutdown: { revoke: cfg.revokeOnShutdown, timeoutMs: cfg.shutdownTimeoutMs, close: p.close },
  });
  try {
    await agent.start();
  } catch (err) {
    await p.close();
    throw listenFailure('sidecar health server', cfg.healthBind, cfg.healthPort, err);
  }
  p.log.info({ secrets: cfg.spec.secrets.length, health: `${cfg.healthBind}:${agent.healthPort ?? cfg.healthPort}` }, 'sidecar started');
  if (o.signals) {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void agent.shutdown(sig));
  }
  o.onAgent?.(agent);
  await agent.done;
  return EXIT.OK;
}

/**
 * The shared audit writer (src/audit/setup.ts): records always go to stdout; the optional
 * file (SIDECAR_AUDIT_FILE, rotated, chain continued, signed checkpoints when a key is
 * mounted) must be writable at start (exit 2 otherwise). If it fails later, secrets keep
 * flowing, stdout keeps the trail, and every file failure is counted (audit_errors) and
 * logged once.
 */
async function auditSink(o: RunOptions, cfg: SidecarConfig, metrics: SidecarMetrics, log: Logger): Promise<AuditSink> {
  const settings = parseAuditEnv({ ...o.env, [AUDIT_ENV.file]: cfg.auditFile ?? o.env[AUDIT_ENV.file] });
  if (settings.file) {
    try {
      closeSync(openSync(settings.file, 'a', 0o640));
    } catch (err) {
      const setting = cfg.auditFile ? SIDECAR_ENV.auditFile : AUDIT_ENV.file;
      throw new ConfigError([{ setting, message: `cannot open the file for appending (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
    }
  }
  let logged = false;
  return createAuditWriter(settings, {
    source: 'sidecar',
    stdout: o.stdout as Writable,
    stream: `sidecar/${cfg.pod.namespace}/${cfg.pod.name}`,
    onError: (what, code) => {
      metrics.inc('audit_errors', 'failure');
      metrics.error('audit');
      if (!logged) log.error({ what, code }, 'audit file unwritable; records continue on stdout');
      logged = true;
    },
  }).catch((err: unknown) => {
    throw checkpointKeyProblem(err);
  });
}
