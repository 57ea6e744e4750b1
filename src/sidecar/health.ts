/** The health server's request handler (the agent listens): /healthz, /readyz, /metrics. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SidecarMetrics } from './metrics';

export interface HealthState {
  ready: () => boolean;
  live: () => boolean;
  metrics: SidecarMetrics;
  now: () => number;
}

export function healthHandler(state: HealthState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (url === '/healthz') return state.live() ? send(200, 'ok\n') : send(503, 'shutting down\n');
    if (url === '/readyz') return state.ready() ? send(200, 'ready\n') : send(503, 'not ready\n');
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
