/**
 * Work the sidecar's start does, run while the start-up snapshot is built so that V8 keeps
 * its code compiled in the snapshot (src/start/warm.ts runs the pure part):
 *
 * - `sidecar --once` against canned Vault answers (no socket) into a temporary directory:
 *   the Vault client and node-vault's request path, the session, the controller, the audit
 *   records, the file write;
 * - a loopback TCP exchange: node's listen (with its address lookup), connect, write and
 *   read, which the health server and the TLS socket under every Vault request run too.
 *
 * Everything is closed and removed before it resolves (a snapshot cannot hold a handle),
 * and nothing here draws from `crypto.randomUUID`, whose pool would be in every start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runSidecar } from '../../sidecar/main';
import { SIDECAR_ENV } from '../sidecar-env';
import type { RawRequest, RawResponse, Transport } from '../vault/transport';

const SECRET = 'secret/data/warm';
const ANSWERS: Record<string, unknown> = {
  'POST /v1/auth/kubernetes/login': { request_id: 'warm', auth: { client_token: 'warm', accessor: 'warm', lease_duration: 3600, renewable: true, policies: ['warm'] } },
  [`GET /v1/sys/internal/ui/mounts/${SECRET}`]: { data: { path: 'secret/', type: 'kv', options: { version: '2' } } },
  [`GET /v1/${SECRET}`]: { request_id: 'warm', lease_id: '', lease_duration: 0, renewable: false, data: { data: { user: 'warm', password: 'warm' }, metadata: { version: 1 } } },
};

/** Vault as the warm-up sees it: the answers above, 404 for anything else. Each request is pushed onto `seen` (`METHOD /path`). */
export function cannedTransport(seen: string[] = []): Transport {
  const send = (req: RawRequest): Promise<RawResponse> => {
    const path = new URL(req.uri).pathname;
    const key = `${req.method} ${path}`;
    seen.push(key);
    const body = ANSWERS[key];
    return Promise.resolve({ statusCode: body === undefined ? 404 : 200, body: body ?? { errors: [] }, request: { path } });
  };
  return Object.assign(send, { close: (): void => undefined });
}

const discard = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

/** `sidecar --once` rendering one secret; rejects when it does not exit 0, naming the requests it made. */
export async function warmOnce(transport?: Transport): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-warm-'));
  try {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'warm', { mode: 0o600 });
    const spec = { version: 1, role: 'warm', mountPath: dir, lifecycle: 'sidecar', rotateIntervalSeconds: 60, notify: { kind: 'none' }, secrets: [{ name: 'warm', path: SECRET, file: 'warm.json', format: 'json', mode: 0o440 }] };
    const env = {
      [SIDECAR_ENV.spec]: JSON.stringify(spec),
      [SIDECAR_ENV.vaultAddr]: 'https://127.0.0.1:8200',
      [SIDECAR_ENV.tokenFile]: tokenFile,
      [SIDECAR_ENV.podName]: 'warm',
      [SIDECAR_ENV.podNamespace]: 'warm',
      [SIDECAR_ENV.logLevel]: 'info',
    };
    const seen: string[] = [];
    const code = await runSidecar({ env, once: true, stdout: discard(), stderr: discard(), transport: transport ?? cannedTransport(seen) });
    if (code !== 0) throw new Error(`the start-up snapshot's warm-up run exited ${code} (requests: ${seen.join(', ') || 'none seen'})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A client connects to a server on 127.0.0.1, sends, is answered and both sides close. */
export async function warmLoopback(): Promise<void> {
  const closed: Promise<void>[] = [];
  const server = createServer((socket) => {
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.resume();
    socket.end('warm');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => socket.write('warm', 'latin1'));
      socket.resume().once('close', () => resolve()).once('error', reject);
    });
    await Promise.all(closed);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function warmSidecarRun(): Promise<void> {
  await warmLoopback();
  await warmOnce();
}
