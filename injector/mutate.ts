/**
 * POST /mutate on node's own request and response objects. The profile put express's
 * request set-up, routing, body-parser and res.json at a quarter of the time of a small
 * pod's admission, so this one route bypasses them; every other route stays on express
 * (app.ts). Outcomes are the same as before: 4xx for malformed requests, HTTP 200 for
 * every decision, a logged 500 for an unexpected exception. Bodies are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody } from '../src/inject/json';
import { parseReview, ReviewError, reviewPod, type ReviewResult } from '../src/inject/review';
import type { Logger } from '../src/log';
import type { AppDeps } from './deps';
import { isJsonContentType, readBody } from './body';
import type { InjectorMetrics } from './metrics';

/** Far above a 1000-env-var pod (about 150 KiB), far below what could hurt the process. */
export const BODY_LIMIT_BYTES = 3 * 1024 * 1024;

/** `/mutate`, `/mutate/` and any query (the apiserver appends `?timeout=10s`), any case, as express matched it. */
export function isMutatePath(url: string | undefined): boolean {
  const q = url?.indexOf('?') ?? -1;
  const path = (q < 0 ? url : url?.slice(0, q))?.toLowerCase();
  return path === '/mutate' || path === '/mutate/';
}

/**
 * The body goes out as a Buffer, not a string: a string handed to a TLS socket that cannot
 * take it yet stays on the V8 heap until written, so a few slow readers of large patches
 * (a pod of many containers) held the heap's limit; a Buffer lives outside it.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length });
  res.end(bytes);
}

/** An exception nobody expected: logged with its type, message and stack (never a body), answered 500. */
export function sendInternalError(res: ServerResponse, err: unknown, logger: Logger): void {
  const e = err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : { type: typeof err };
  logger.error({ err: e }, 'unexpected error answering a request');
  sendJson(res, 500, { error: 'internal error' });
}

export function handleMutate(req: IncomingMessage, res: ServerResponse, deps: AppDeps, metrics: InjectorMetrics): void {
  const started = process.hrtime.bigint();
  const fail = (code: number, reason: string): void => {
    metrics.requests.inc({ code: String(code) });
    deps.logger.warn({ status: code, reason }, 'rejected malformed admission request');
    sendJson(res, code, { error: reason });
  };
  if (!isJsonContentType(req.headers['content-type'])) {
    req.resume();
    return fail(400, 'Content-Type must be application/json');
  }
  readBody(req, BODY_LIMIT_BYTES, (read) => {
    if (!read.ok) return fail(read.status, read.reason);
    try {
      const result = decide(read.body, deps);
      if (typeof result === 'string') return fail(400, result);
      record(result, deps, metrics);
      metrics.requests.inc({ code: '200' });
      metrics.duration.observe({ outcome: result.outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      sendJson(res, 200, result.body);
    } catch (err) {
      metrics.requests.inc({ code: '500' });
      sendInternalError(res, err, deps.logger);
    }
  });
}

/** The decision, or the reason the request is malformed (400). */
function decide(body: Buffer, deps: AppDeps): ReviewResult | string {
  const parsed = parseJsonBody(body);
  if (!parsed.ok) return parsed.reason;
  try {
    return reviewPod(parseReview(parsed.value), { config: deps.config, detect: deps.detect });
  } catch (err) {
    if (err instanceof ReviewError) return err.message;
    throw err;
  }
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
