/**
 * Start-up and shutdown of `secrets-broker injector`: settings in, HTTPS server out.
 * The only place with a listener, timers and signals; everything else is in app.ts and src/.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics } from 'prom-client';
import { createAuditWriter } from '../src/audit/setup';
import type { AuditSink } from '../src/audit/writer';
import { checkpointKeyProblem } from '../src/config/audit';
import type { InjectorConfig } from '../src/config/injector';
import { ConfigError, listenFailure } from '../src/errors';
import type { LiteralDetector } from '../src/inject/literal';
import { createLogger, type Logger } from '../src/log';
import { createApp } from './app';
import { createMetrics, type InjectorMetrics } from './metrics';
import { CertReloader, loadKeyPair, TLS_OPTIONS } from './tls';

/**
 * Well inside the apiserver's webhook timeout (10 s by default, 30 s at most). Idle
 * keep-alive connections stay open longer than that so the apiserver can reuse them
 * without racing a server-side close.
 */
export const TIMEOUTS = { handshakeMs: 5000, headersMs: 5000, requestMs: 8000, keepAliveMs: 65000, checkIntervalMs: 1000, drainMs: 5000 } as const;

export interface StartOptions {
  logger?: Logger;
  audit?: AuditSink;
  detect?: LiteralDetector;
  /** Collect process metrics (CPU, memory); off in tests that start many servers. */
  processMetrics?: boolean;
  /** The text of GET /metrics, when not this process's registry alone (a worker asks the primary: worker.ts). */
  metricsText?: () => Promise<string>;
  /** When runInjector and runPrimary stop; by default the first SIGTERM or SIGINT (tests stop them themselves). */
  until?: Promise<void>;
}

export interface RunningInjector {
  server: Server;
  port: number;
  metrics: InjectorMetrics;
  close(): Promise<void>;
}

/**
 * Starts the HTTPS server; resolves once it listens. Throws ConfigError when the certificate
 * cannot be loaded (exit 2) and RuntimeFailure when the port cannot be bound (exit 3).
 */
export async function startInjector(config: InjectorConfig, opts: StartOptions = {}): Promise<RunningInjector> {
  const logger = opts.logger ?? createLogger({ name: 'injector', level: config.logLevel });
  const metrics = createMetrics();
  const audit =
    opts.audit ??
    (await createAuditWriter(config.audit, {
      source: 'injector',
      stdout: process.stdout,
      registry: metrics.registry,
      onError: (what, code) => logger.error({ what, code }, 'audit sink failed; records still go to stdout'),
    }).catch((err: unknown) => {
      throw checkpointKeyProblem(err);
    }));
  if (opts.processMetrics) collectDefaultMetrics({ register: metrics.registry });
  let listening = false;
  const { handler } = createApp({ config, audit, logger, detect: opts.detect, metrics, metricsText: opts.metricsText, ready: () => listening });
  const server = createServer(
    {
      ...TLS_OPTIONS,
      ...servingPair(config),
      handshakeTimeout: TIMEOUTS.handshakeMs,
      headersTimeout: TIMEOUTS.headersMs,
      requestTimeout: TIMEOUTS.requestMs,
      keepAliveTimeout: TIMEOUTS.keepAliveMs,
      connectionsCheckingInterval: TIMEOUTS.checkIntervalMs,
    },
    handler,
  );
  server.on('tlsClientError', (err) => logger.debug({ err: { message: err.message } }, 'TLS handshake failed'));
  const reloader = new CertReloader(config.tlsCertFile, config.tlsKeyFile, (pair) => server.setSecureContext({ ...TLS_OPTIONS, ...pair }));
  const timer = setInterval(() => {
    const result = reloader.check();
    if (result === 'unchanged') return;
    metrics.tlsReloads.inc({ result });
    if (result === 'reloaded') logger.info({}, 'serving certificate reloaded');
    else logger.warn({}, 'serving certificate changed but could not be loaded; keeping the previous one');
  }, config.tlsReloadSeconds * 1000);
  timer.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.bindAddress, () => resolve());
    });
  } catch (err) {
    clearInterval(timer);
    await audit.flush();
    throw listenFailure('injector', config.bindAddress, config.port, err);
  }
  listening = true;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, address: config.bindAddress, literalSecrets: config.literalSecrets, mode: config.sidecar.mode }, 'injector listening');
  const close = async (): Promise<void> => {
    listening = false;
    clearInterval(timer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then every connection goes.
      setTimeout(() => server.closeAllConnections(), TIMEOUTS.drainMs).unref();
    });
    await audit.flush();
  };
  return { server, port, metrics, close };
}

/** The serving certificate and key named by the settings; one that cannot be loaded is a settings problem (exit 2). */
export function servingPair(config: InjectorConfig): ReturnType<typeof loadKeyPair> {
  const problems = (['INJECTOR_TLS_CERT_FILE', 'INJECTOR_TLS_KEY_FILE'] as const)
    .map((setting, i) => ({ setting, file: i === 0 ? config.tlsCertFile : config.tlsKeyFile }))
    .flatMap(({ setting, file }) => {
      try {
        readFileSync(file);
        return [];
      } catch (err) {
        return [{ setting, message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }];
      }
    });
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return loadKeyPair(config.tlsCertFile, config.tlsKeyFile);
  } catch {
    throw new ConfigError([{ setting: 'INJECTOR_TLS_KEY_FILE', message: 'is not the PEM key of INJECTOR_TLS_CERT_FILE (or either is not PEM)' }]);
  }
}
