/**
 * GET /healthz, /readyz and /metrics on node's own request objects, as POST /mutate is:
 * the kubelet probes and Prometheus scrapes them all the time, and answering them here
 * means express (about 10 MiB of RSS once loaded) is loaded only for any other request
 * (app.ts). Same answers as the express routes they replace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../src/log';
import { sendInternalError } from './mutate';

export type ProbePath = '/healthz' | '/readyz' | '/metrics';

/** The probe a GET asks for: the path before any query, any case, with or without a trailing slash (as express matched it). */
export function probePath(req: IncomingMessage): ProbePath | undefined {
  if (req.method !== 'GET' || req.url === undefined) return undefined;
  const q = req.url.indexOf('?');
  const path = (q < 0 ? req.url : req.url.slice(0, q)).toLowerCase().replace(/(.)\/$/, '$1');
  return path === '/healthz' || path === '/readyz' || path === '/metrics' ? path : undefined;
}

export interface ProbeDeps {
  logger: Logger;
  ready?: () => boolean;
  metricsText: () => Promise<string>;
  metricsContentType: string;
}

function sendText(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function handleProbe(path: ProbePath, res: ServerResponse, deps: ProbeDeps): void {
  if (path === '/healthz') return sendText(res, 200, 'text/plain; charset=utf-8', 'ok');
  if (path === '/readyz') {
    const ready = deps.ready ? deps.ready() : true;
    return sendText(res, ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? 'ready' : 'not ready');
  }
  deps.metricsText().then(
    (text) => sendText(res, 200, deps.metricsContentType, text),
    (err: unknown) => sendInternalError(res, err, deps.logger),
  );
}
