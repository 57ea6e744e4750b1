/** What the injector's HTTP handler is built from (app.ts, mutate.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditSink } from '../src/audit/writer';
import type { InjectorConfig } from '../src/config/injector';
import type { LiteralDetector } from '../src/inject/literal';
import type { Logger } from '../src/log';
import type { InjectorMetrics } from './metrics';

export interface AppDeps {
  config: InjectorConfig;
  audit: AuditSink;
  logger: Logger;
  detect?: LiteralDetector;
  metrics?: InjectorMetrics;
  /** False until the certificate is loaded and the server listens. */
  ready?: () => boolean;
  /** The text of GET /metrics; by default this process's registry (workers.ts merges every worker's). */
  metricsText?: () => Promise<string>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
