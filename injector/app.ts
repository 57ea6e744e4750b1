/**
 * The injector's HTTP surface: POST /mutate (mutate.ts) and GET /healthz, /readyz and
 * /metrics (probes.ts) on node's request objects, every other request on express, which
 * is loaded at the first such request (never, in a cluster that only probes, scrapes and
 * sends admissions: about 10 MiB of RSS saved). Two error channels: 4xx
 * for malformed requests, HTTP 200 for every decision; an unexpected exception is logged
 * and answered 500. Bodies are never logged.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from '../src/log';
import type { AppDeps, Handler } from './deps';
import { createMetrics, type InjectorMetrics } from './metrics';
import { BODY_LIMIT_BYTES, handleMutate, isMutatePath, sendInternalError } from './mutate';
import { handleProbe, probePath } from './probes';

export { BODY_LIMIT_BYTES };
export type { AppDeps, Handler };

export function createApp(deps: AppDeps): { handler: Handler; metrics: InjectorMetrics } {
  const metrics = deps.metrics ?? createMetrics();
  const metricsText = deps.metricsText ?? (() => metrics.registry.metrics());
  const probes = { logger: deps.logger, ready: deps.ready, metricsText, metricsContentType: metrics.registry.contentType };
  let app: Express | undefined;
  const handler: Handler = (req, res) => {
    if (req.method === 'POST' && isMutatePath(req.url)) return handleMutate(req, res, deps, metrics);
    const probe = probePath(req);
    if (probe) return handleProbe(probe, res, probes);
    app ??= expressApp(deps, metrics, metricsText);
    app(req, res);
  };
  return { handler, metrics };
}

/** Every other request: the same routes, for HEAD and odd paths, with express's own 404 and 400s. */
function expressApp(deps: AppDeps, metrics: InjectorMetrics, metricsText: () => Promise<string>): Express {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at the first request that needs it
  const express = require('express') as typeof import('express');
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
    metricsText().then((text) => res.type(metrics.registry.contentType).send(text), next);
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => errorHandler(err, res, deps.logger));
  return app;
}

function errorHandler(err: unknown, res: Response, logger: Logger): void {
  const status = httpStatusOf(err);
  if (status < 500) {
    logger.warn({ status }, 'rejected request');
    res.status(status).json({ error: 'bad request' });
    return;
  }
  sendInternalError(res, err, logger);
}

/** express's own errors carry a 4xx status (a path that cannot be decoded: 400). */
function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
