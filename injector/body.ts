/**
 * Reads one request body into a Buffer, within a byte limit: the one stage of express
 * (body-parser) that the profile showed to cost, replaced with the same outcomes. A body
 * over the limit is read off and discarded before the 413, as body-parser does, so the
 * client sees the answer instead of a reset; the request timeout bounds a slow sender.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; status: 400 | 413 | 415; reason: string };

/** `application/json`, with or without parameters (`; charset=utf-8`), any case. */
export function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && /^\s*application\/json\s*(?:;|$)/i.test(header);
}

/** A declared length above the limit is refused without buffering anything. */
function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

export function readBody(req: IncomingMessage, limit: number, done: (result: BodyResult) => void): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  // The apiserver never compresses webhook requests; inflating would let a small body grow past the limit.
  if (encoding !== 'identity') {
    req.resume();
    done({ ok: false, status: 415, reason: 'Content-Encoding must be identity' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = declaredTooLarge(req, limit);
  let finished = false;
  const finish = (result: BodyResult): void => {
    if (finished) return;
    finished = true;
    done(result);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) over = true;
    if (!over) chunks.push(chunk);
  });
  req.on('end', () => {
    if (over) finish({ ok: false, status: 413, reason: `body larger than ${limit} bytes` });
    else finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
  });
  req.on('aborted', () => finish({ ok: false, status: 400, reason: 'request aborted' }));
  req.on('error', () => finish({ ok: false, status: 400, reason: 'request aborted' }));
}
