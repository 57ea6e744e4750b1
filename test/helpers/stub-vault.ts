 
/**
 * A programmable stand-in for Vault on 127.0.0.1 (node:http) used to inject faults:
 * 5xx, 429, hangs, malformed bodies, 403 policy vs revoked, sealed. It implements just
 * enough of the API for the sidecar's happy path so each fault can be switched on.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { listenLocal } from './net';

export type Fault = { status: number; body?: unknown } | 'hang' | 'malformed' | 'reset';

export interface StubVault {
  url: string;
  /** Every request, in arrival order; `at` is Date.now() when it arrived. */
  requests: { method: string; path: string; token?: string; body: any; at: number }[];
  /** Faults by path prefix (without /v1/); consumed once when `times` is set. */
  fault(prefix: string, fault: Fault, times?: number): void;
  clear(): void;
  kv: Map<string, { version: number; data: Record<string, unknown> }>;
  tokens: Map<string, { accessor: string; ttl: number; renewable: boolean; policies: string[] }>;
  /** Paths the policy denies (403 while the token is valid). */
  denied: Set<string>;
  config: { tokenTtl: number; tokenRenewable: boolean; renewTtl?: number; leaseTtl: number; leaseRenewable: boolean; certTtl: number; jwt?: string };
  revokeAll(): void;
  leases: Map<string, { revoked: boolean }>;
  count(method: string, prefix: string): number;
  close(): Promise<void>;
}

const id = (): string => randomBytes(8).toString('hex');

export async function startStubVault(): Promise<StubVault> {
  const faults: { prefix: string; fault: Fault; times?: number }[] = [];
  const stub: Omit<StubVault, 'url' | 'close'> = {
    requests: [],
    fault: (prefix, fault, times) => faults.push({ prefix, fault, times }),
    clear: () => faults.splice(0),
    kv: new Map(),
    tokens: new Map(),
    denied: new Set(),
    leases: new Map(),
    config: { tokenTtl: 3600, tokenRenewable: true, leaseTtl: 600, leaseRenewable: true, certTtl: 3600 },
    revokeAll: () => stub.tokens.clear(),
    count: (method, prefix) => stub.requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length,
  };
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\/v1\//, '');
      let body: any;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      } catch {
        body = {};
      }
      const token = req.headers['x-vault-token'] as string | undefined;
      stub.requests.push({ method: req.method ?? '', path, token, body, at: Date.now() });
      const f = faults.find((x) => path.startsWith(x.prefix));
      if (f) {
        if (f.times !== undefined && --f.times <= 0) faults.splice(faults.indexOf(f), 1);
        if (f.fault === 'hang') return void hanging.push(res);
        if (f.fault === 'reset') return void req.socket.destroy();
        if (f.fault === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"trunc');
        return void res.writeHead(f.fault.status, { 'content-type': 'application/json' }).end(JSON.stringify(f.fault.body ?? { errors: ['stub fault'] }));
      }
      const [status, out] = route(stub, req.method ?? 'GET', path, token, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 204 ? undefined : JSON.stringify(out));
    });
  });
  const port = await listenLocal(server);
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        hanging.forEach((h) => h.destroy());
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

const denied = { errors: ['1 error occurred:\n\t* permission denied\n\n'] };

function route(s: Omit<StubVault, 'url' | 'close'>, method: string, path: string, token: string | undefined, body: any): [number, unknown] {
  if (path.endsWith('/login')) {
    if (s.config.jwt !== undefined && body.jwt !== s.config.jwt) return [403, denied];
    const t = `hvs.${id()}`;
    s.tokens.set(t, { accessor: id(), ttl: s.config.tokenTtl, renewable: s.config.tokenRenewable, policies: ['app'] });
    return [200, { request_id: id(), auth: { client_token: t, accessor: s.tokens.get(t)!.accessor, lease_duration: s.config.tokenTtl, renewable: s.config.tokenRenewable, policies: ['app'] } }];
  }
  const tok = token ? s.tokens.get(token) : undefined;
  if (!tok) return [403, denied];
  if (s.denied.has(path.split('?')[0]!)) return [403, denied];
  if (path === 'auth/token/renew-self') {
    const ttl = s.config.renewTtl ?? s.config.tokenTtl;
    return [200, { request_id: id(), auth: { client_token: token, accessor: tok.accessor, lease_duration: ttl, renewable: s.config.tokenRenewable, policies: tok.policies } }];
  }
  if (path === 'auth/token/lookup-self') return [200, { request_id: id(), data: { accessor: tok.accessor, ttl: tok.ttl, renewable: tok.renewable } }];
  if (path === 'auth/token/revoke-self') {
    s.tokens.delete(token!);
    return [204, undefined];
  }
  if (path.startsWith('sys/internal/ui/mounts/')) return mounts(path.slice('sys/internal/ui/mounts/'.length));
  if (path.startsWith('sys/audit-hash/')) return [200, { hash: `hmac-sha256:${Buffer.from(String(body.input)).toString('base64url').length.toString(16)}${id()}` }];
  if (path === 'sys/leases/renew') {
    const l = s.leases.get(body.lease_id);
    if (!l || l.revoked) return [400, { errors: ['lease not found or lease is not renewable'] }];
    return [200, { request_id: id(), lease_id: body.lease_id, lease_duration: s.config.leaseTtl, renewable: s.config.leaseRenewable }];
  }
  if (path === 'sys/leases/revoke') {
    const l = s.leases.get(body.lease_id);
    if (l) l.revoked = true;
    return [204, undefined];
  }
  return secrets(s, method, path);
}

function mounts(p: string): [number, unknown] {
  const m = p.split('/')[0];
  const table: Record<string, unknown> = {
    secret: { path: 'secret/', type: 'kv', options: { version: '2' } },
    kv1: { path: 'kv1/', type: 'kv', options: { version: '1' } },
    database: { path: 'database/', type: 'database', options: null },
    pki: { path: 'pki/', type: 'pki', options: null },
  };
  return table[m!] ? [200, { data: table[m!] }] : [400, { errors: ['no handler for route'] }];
}

function secrets(s: Omit<StubVault, 'url' | 'close'>, method: string, path: string): [number, unknown] {
  const kv2 = /^secret\/(data|metadata)\/(.+)$/.exec(path);
  if (kv2) {
    const e = s.kv.get(kv2[2]!);
    if (!e) return [404, { errors: [] }];
    if (kv2[1] === 'metadata') return [200, { request_id: id(), data: { current_version: e.version } }];
    return [200, { request_id: id(), lease_id: '', lease_duration: 0, renewable: false, data: { data: e.data, metadata: { version: e.version } } }];
  }
  if (path.startsWith('kv1/')) {
    const e = s.kv.get(path);
    return e ? [200, { request_id: id(), lease_duration: 2764800, data: e.data }] : [404, { errors: [] }];
  }
  if (path.startsWith('database/creds/')) {
    const leaseId = `${path}/${id()}`;
    s.leases.set(leaseId, { revoked: false });
    return [200, { request_id: id(), lease_id: leaseId, lease_duration: s.config.leaseTtl, renewable: s.config.leaseRenewable, data: { username: `v-${id()}`, password: `P-${id()}` } }];
  }
  if (path.startsWith('pki/issue/') && method === 'POST') {
    const serial = id();
    const exp = Math.floor(Date.now() / 1000) + s.config.certTtl;
    return [200, { request_id: id(), lease_id: '', lease_duration: 0, data: { certificate: `-----BEGIN CERTIFICATE-----\n${serial}\n-----END CERTIFICATE-----`, issuing_ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----', private_key: `-----BEGIN RSA PRIVATE KEY-----\nK${serial}\n-----END RSA PRIVATE KEY-----`, serial_number: serial, expiration: exp } }];
  }
  return [404, { errors: [] }];
}
