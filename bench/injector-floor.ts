/**
 * The floor of `npm run bench injector`: the least a webhook on this node can be. A
 * bare HTTPS server (node's own `https`, the same certificate, node and heap flags as ours)
 * that reads each body, `JSON.parse`s it and answers one fixed allow. Whatever an injector
 * on this runtime does, it does at least this, so its peak RSS and its CPU per request
 * under the same load bound what ours can reach. Run as its own process:
 * `node injector-floor.js` with INJECTOR_PORT, INJECTOR_TLS_CERT_FILE and
 * INJECTOR_TLS_KEY_FILE set.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

export const FLOOR_ANSWER = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'floor', allowed: true } });

export function serveFloor(env: NodeJS.ProcessEnv): void {
  const answer = Buffer.from(FLOOR_ANSWER);
  const tls = { cert: readFileSync(env.INJECTOR_TLS_CERT_FILE!), key: readFileSync(env.INJECTOR_TLS_KEY_FILE!) };
  createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
      res.end(answer);
    });
  }).listen(Number(env.INJECTOR_PORT), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

if (require.main === module) serveFloor(process.env);
