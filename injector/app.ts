/**
 * The injector's HTTP surface (express): POST /mutate, /healthz, /readyz, /metrics.
 * Two error channels: 4xx for malformed requests, HTTP 200 for every decision; an
 * unexpected exception is logged and answered 500. Bodies are never logged.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AuditSink } from '../src/audit/writer';
import type { InjectorConfig } from '../src/config/injector';
import { parseJsonBody } from '../src/inject/json';
import type { LiteralDetector } from '../src/inject/literal';
import { parseReview, ReviewError, reviewPod, type ReviewResult } from '../src/inject/review';
import type { Logger } from '../src/log';
import { createMetrics, type InjectorMetrics } from './metrics';

/** Far above a 1000-env-var pod (about 100 KiB), far below what could hurt the process. */
export const BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface AppDeps {
  config: InjectorConfig;
  audit: AuditSink;
  logger: Logger;
  detect?: LiteralDetector;
  metrics?: InjectorMetrics;
  /** False until the certificate is loaded and the server listens. */
  ready?: () => boolean;
}

export function createApp(deps: AppDeps): { app: express.Express; metrics: InjectorMetrics } {
  const metrics = deps.metrics ?? createMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    const ready = deps.ready ? deps.ready() : true;
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? 'ready' : 'not ready');
  });
  app.get('/metrics', (_req, res, next) => {
    metrics.registry.metrics().then((text) => res.type(metrics.registry.contentType).send(text), next);
  });
  app.post('/mutate', express.raw({ type: 'application/json', limit: BODY_LIMIT_BYTES }), (req, res) => mutate(req, res, deps, metrics));
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => errorHandler(err, res, deps.logger, metrics));
  return { app, metrics };
}

function mutate(req: Request, res: Response, deps: AppDeps, metrics: InjectorMetrics): void {
  const started = process.hrtime.bigint();
  const fail = (code: number, reason: string): void => {
    metrics.requests.inc({ code: String(code) });
    deps.logger.warn({ status: code, reason }, 'rejected malformed admission request');
    res.status(code).json({ error: reason });
  };
  if (!req.is('application/json')) return fail(400, 'Content-Type must be application/json');
  if (!Buffer.isBuffer(req.body)) return fail(400, 'empty body');
  const parsed = parseJsonBody(req.body);
  if (!parsed.ok) return fail(400, parsed.reason);
  let result: ReviewResult;
  try {
    result = reviewPod(parseReview(parsed.value), { config: deps.config, detect: deps.detect });
  } catch (err) {
    if (err instanceof ReviewError) return fail(400, err.message);
    throw err;
  }
  record(result, deps, metrics);
  metrics.requests.inc({ code: '200' });
  metrics.duration.observe({ outcome: result.outcome }, Number(process.hrtime.bigint() - started) / 1e9);
  res.status(200).json(result.body);
}

function record(result: ReviewResult, deps: AppDeps, metrics: InjectorMetrics): void {
  const { namespace, outcome, reason } = result;
  if (outcome === 'inject') metrics.injections.inc({ namespace });
  else if (outcome === 'deny') metrics.denials.inc({ namespace, reason });
  else metrics.skips.inc({ reason });
  if (result.literalFindings > 0) metrics.literalFindings.inc({ namespace }, result.literalFindings);
  if (result.audit) deps.audit.record(result.audit);
  const response = result.body.response as { uid: string };
  const level = outcome === 'deny' ? 'info' : 'debug';
  deps.logger[level]({ uid: response.uid, namespace, outcome, reason, literalFindings: result.literalFindings, audited: !!result.audit }, 'admission decision');
}

function errorHandler(err: unknown, res: Response, logger: Logger, metrics: InjectorMetrics): void {
  const status = httpStatusOf(err);
  metrics.requests.inc({ code: String(status) });
  if (status >= 500) {
    const e = err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : { type: typeof err };
    logger.error({ err: e }, 'unexpected error answering a request');
    res.status(500).json({ error: 'internal error' });
    return;
  }
  logger.warn({ status }, 'rejected request');
  res.status(status).json({ error: status === 413 ? `body larger than ${BODY_LIMIT_BYTES} bytes` : 'bad request' });
}

/** body-parser errors carry a 4xx status (413 too large, 400 aborted or bad encoding). */
function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
