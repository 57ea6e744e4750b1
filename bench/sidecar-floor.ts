/**
 * The floor of `npm run bench sidecar`: the least a Node.js sidecar on this node can do to
 * put the secret in a file. Node's own `https` (one kept-alive connection, the same CA), the
 * same login with the same token file and role, the same read, the file written with the
 * same mode, then wait for SIGTERM as a sidecar would: no settings, validation, renewal, audit or health server. Whatever
 * a sidecar on this runtime does, it does at least this, so its time to the first file and
 * its CPU per start bound ours. Run as its own process with VAULT_ADDR, VAULT_CACERT,
 * SIDECAR_TOKEN_FILE and FLOOR_OUT (the file) set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

type Json = Record<string, unknown>;

function call(agent: Agent, base: URL, method: string, path: string, body?: Json, token?: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', ...(token && { 'X-Vault-Token': token }) };
    const req = request({ host: base.hostname, port: base.port, method, path: `/v1/${path}`, agent, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as Json) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

export async function floor(env: NodeJS.ProcessEnv, role: string, secretPath: string): Promise<void> {
  const base = new URL(env.VAULT_ADDR!);
  const agent = new Agent({ keepAlive: true, ca: readFileSync(env.VAULT_CACERT!) });
  const jwt = readFileSync(env.SIDECAR_TOKEN_FILE!, 'utf8').trim();
  const login = await call(agent, base, 'POST', 'auth/kubernetes/login', { role, jwt });
  const token = (login.auth as { client_token: string }).client_token;
  const secret = await call(agent, base, 'GET', secretPath, undefined, token);
  writeFileSync(env.FLOOR_OUT!, JSON.stringify((secret.data as Json).data), { mode: 0o440 });
  agent.destroy();
}

if (require.main === module) {
  process.on('SIGTERM', () => process.exit(0));
  floor(process.env, process.argv[2] ?? 'app', process.argv[3] ?? 'secret/data/app/bench').then(
    () => setInterval(() => undefined, 1 << 30),
    (err: unknown) => {
      process.stderr.write(`floor: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
