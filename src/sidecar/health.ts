/**
 * The health server's request handler (the agent listens): /healthz, /readyz, /metrics.
 * `GET /readyz?wait=<seconds>` holds the answer until the sidecar is ready (200) or the
 * wait ends (503): the injector's start gate (src/inject/gate.ts) asks it once per start.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SidecarMetrics } from './metrics';
import type { ReadyWaiters } from './ready-waiters';

export interface HealthState {
  ready: () => boolean;
  live: () => boolean;
  metrics: SidecarMetrics;
  now: () => number;
  waiters: ReadyWaiters;
}

/** The longest `?wait=` accepted, in seconds (the gate's own bound is below it). */
export const MAX_READY_WAIT_SECONDS = 600;

/** The seconds of `?wait=`, `undefined` without one, `null` when malformed or out of range. */
export function readyWait(query: string | undefined): number | undefined | null {
  if (query === undefined || query === '') return undefined;
  const m = /^wait=(\d{1,4})$/.exec(query);
  const s = m ? Number(m[1]) : NaN;
  return s >= 1 && s <= MAX_READY_WAIT_SECONDS ? s : null;
}

export function healthHandler(state: HealthState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const [url, query] = (req.url ?? '/').split('?', 2);
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (url === '/healthz') return state.live() ? send(200, 'ok\n') : send(503, 'shutting down\n');
    if (url === '/readyz') return readyz(state, readyWait(query), req, send);
    if (url === '/metrics') {
      state.metrics.render(state.now(), state.ready()).then(
        (m) => send(200, m.body, m.contentType),
        () => send(500, 'metrics unavailable\n'),
      );
      return;
    }
    send(404, 'not found\n');
  };
}

function readyz(state: HealthState, wait: number | undefined | null, req: IncomingMessage, send: (status: number, body: string) => void): void {
  if (wait === null) return send(400, `wait must be whole seconds from 1 to ${MAX_READY_WAIT_SECONDS}\n`);
  if (state.ready() || wait === undefined) return state.ready() ? send(200, 'ready\n') : send(503, 'not ready\n');
  const held = state.waiters.wait(wait * 1000);
  if (!held) return send(503, 'not ready (too many waiting)\n');
  req.socket.once('close', held.cancel);
  void held.ready.then((ok) => {
    req.socket.off('close', held.cancel);
    if (!req.socket.destroyed) send(ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n');
  });
}
