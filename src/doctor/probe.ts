/**
 * doctor's I/O: each check asks the network or Vault once, in order, and stops the
 * checks that depend on it when it fails. The JWT and the token it gets stay in this
 * module: neither is logged, printed or returned.
 */
import net from 'node:net';
import tls from 'node:tls';
import { TransportError } from '../errors';
import { mountFor, type DeclaredMount } from '../policy/mounts';
import { rulesFor } from '../policy/rules';
import type { PodSecretsSpec } from '../spec';
import { createTransport, type RawResponse } from '../vault/transport';
import { basePath } from '../vault/paths';
import type { MountInfo } from '../vault/types';
import { authMount, capabilityChecks, check, expiry, health, kvVersion, loginFailure, tlsFailure, type Check } from './diagnose';

export interface DoctorOptions {
  addr: string;
  ca?: Buffer;
  authPath: string;
  vaultNamespace: string;
  role: string;
  jwt: string;
  spec: PodSecretsSpec;
  revokeOnShutdown: boolean;
  auditHashDevice: string;
  timeoutMs: number;
  now: () => Date;
}

/** Runs every check in order; a failed reachability, TLS or login check skips what needs it. */
export async function runChecks(o: DoctorOptions): Promise<Check[]> {
  const url = new URL(o.addr);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const reached = await reach(url.hostname, port, o.timeoutMs);
  if (reached.status === 'fail') return [reached, skipped('tls, auth mount, login, capabilities')];
  const secured = url.protocol === 'https:' ? await inspectTls(url.hostname, port, o) : check('tls', 'skip', 'plain http to a loopback address');
  if (secured.status === 'fail') return [reached, secured, skipped('auth mount, login, capabilities')];
  return [reached, secured, ...(await vaultChecks(o))];
}

async function vaultChecks(o: DoctorOptions): Promise<Check[]> {
  const transport = createTransport({ ...(o.ca && { ca: o.ca }), timeoutMs: o.timeoutMs, userAgent: 'secrets-broker-doctor' });
  const headers = (token?: string): Record<string, string> => ({ ...(token && { 'X-Vault-Token': token }), ...(o.vaultNamespace && { 'X-Vault-Namespace': o.vaultNamespace }) });
  const call = (method: string, path: string, json?: unknown, token?: string): Promise<RawResponse> =>
    transport({ method, uri: `${o.addr.replace(/\/$/, '')}/v1/${path}`, headers: headers(token), ...(json !== undefined && { json }) });
  const checks: Check[] = [];
  try {
    checks.push(health((await call('GET', 'sys/health')).statusCode));
    if (checks[0]?.status === 'fail') return [...checks, skipped('auth mount, login, capabilities')];
    checks.push(authMount((await call('POST', `${o.authPath}/login`, {})).statusCode, o.authPath));
    if (checks[1]?.status === 'fail') return [...checks, skipped('login, capabilities')];
    const login = await call('POST', `${o.authPath}/login`, { role: o.role, jwt: o.jwt });
    const token = clientToken(login.body);
    if (login.statusCode !== 200 || !token) return [...checks, loginFailure(login.statusCode, errorsOf(login.body), o.role, o.authPath), skipped('capabilities')];
    checks.push(check('login', 'ok', `logged in to ${o.authPath} as role ${o.role}`));
    checks.push(...(await secretChecks(o, (m, p, j) => call(m, p, j, token))));
    await call('POST', 'auth/token/revoke-self', {}, token).catch(() => undefined);
  } catch (err) {
    checks.push(check('vault', 'fail', err instanceof TransportError ? `request failed: ${err.message}` : 'request failed'));
  } finally {
    transport.close();
  }
  return checks;
}

type Call = (method: string, path: string, json?: unknown) => Promise<RawResponse>;

/** The mount of each secret, then every rule the sidecar needs against the token's capabilities. */
async function secretChecks(o: DoctorOptions, call: Call): Promise<Check[]> {
  const checks: Check[] = [];
  const declared: DeclaredMount[] = [];
  for (const s of o.spec.secrets) {
    const r = await call('GET', `sys/internal/ui/mounts/${basePath(s.path)}`);
    const mount = r.statusCode === 200 ? mountOf(r.body) : undefined;
    const unknown = !mount && !mountFor(basePath(s.path), []);
    checks.push(unknown ? check(`mount ${s.path}`, 'fail', 'neither Vault nor the path shape says which engine holds it: grant the token access to the mount') : kvVersion(s.path, mount));
    if (mount) declared.push({ path: mount.path, kind: mount.kvVersion === 2 ? 'kv2' : mount.kvVersion === 1 ? 'kv1' : mount.type === 'pki' ? 'pki' : 'other' });
  }
  const rules = rulesFor(o.spec, o, declared);
  const caps = await call('POST', 'sys/capabilities-self', { paths: rules.rules.map((r) => r.path) });
  if (caps.statusCode !== 200 || typeof caps.body !== 'object' || caps.body === null) {
    return [...checks, check('capabilities', 'warn', `the token may not call sys/capabilities-self (HTTP ${caps.statusCode}): the rules cannot be checked`)];
  }
  return [...checks, ...capabilityChecks(rules.rules, caps.body as Record<string, string[]>)];
}

function skipped(what: string): Check {
  return check(what, 'skip', 'not checked: an earlier check failed');
}

function reach(host: string, port: number, timeoutMs: number): Promise<Check> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (c: Check): void => {
      socket.destroy();
      resolve(c);
    };
    socket.once('connect', () => done(check('reachability', 'ok', `${host}:${port} accepts connections`)));
    socket.once('timeout', () => done(check('reachability', 'fail', `${host}:${port} did not answer within ${timeoutMs} ms: a firewall or NetworkPolicy, or the wrong VAULT_ADDR`)));
    socket.once('error', (err: NodeJS.ErrnoException) => done(check('reachability', 'fail', `cannot connect to ${host}:${port} (${err.code ?? 'error'}): check VAULT_ADDR and that Vault runs`)));
  });
}

function inspectTls(host: string, port: number, o: DoctorOptions): Promise<Check> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(o.ca && { ca: o.ca }), rejectUnauthorized: true, timeout: o.timeoutMs });
    const done = (c: Check): void => {
      socket.destroy();
      resolve(c);
    };
    socket.once('secureConnect', () => done(expiry(new Date(socket.getPeerCertificate().valid_to), o.now())));
    socket.once('timeout', () => done(check('tls', 'fail', 'the TLS handshake timed out')));
    socket.once('error', (err: NodeJS.ErrnoException) => done(check('tls', 'fail', tlsFailure(err.code ?? '', host))));
  });
}

function clientToken(body: unknown): string | undefined {
  const auth = (body as { auth?: { client_token?: unknown } } | undefined)?.auth;
  return typeof auth?.client_token === 'string' && auth.client_token !== '' ? auth.client_token : undefined;
}

function errorsOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
}

function mountOf(body: unknown): MountInfo | undefined {
  const data = (body as { data?: { path?: unknown; type?: unknown; options?: { version?: unknown } | null } } | undefined)?.data;
  if (typeof data?.path !== 'string' || typeof data.type !== 'string') return undefined;
  const kv = data.type === 'kv' || data.type === 'generic';
  return { path: data.path, type: data.type, kvVersion: kv ? (data.options?.version === '2' ? 2 : 1) : 0 };
}
