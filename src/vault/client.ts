/**
 * The one facade over node-vault. It narrows node-vault's `Promise<any>` answers into
 * types.ts shapes and turns every failure into a VaultError with a kind and status, and
 * never a Vault error body (it can echo values). node-vault's renewal timers are never
 * started: scheduling belongs to the sidecar agent.
 */
import type NodeVault from 'node-vault';
import { VaultError, type VaultErrorKind } from '../errors';
import { loadNodeVault } from './node-vault';
import { createTransport, TransportError, type RawRequest, type RawResponse, type Transport } from './transport';
import { isRecord, type AuthInfo, type LeaseInfo, type MountInfo, type SecretResponse, type TokenLookup } from './types';

export interface VaultClientOptions {
  addr: string;
  ca?: Buffer;
  namespace?: string;
  timeoutMs: number;
  /** Replaces the HTTP layer (tests). */
  transport?: Transport;
}

// Phrases of Vault's own error texts that carry no value and help an operator; nothing else is surfaced.
const SAFE_REASONS = ['permission denied', 'Vault is sealed', 'invalid role name', 'not authorized', 'missing client token', 'lease not found', 'invalid lease', 'no handler for route', 'unsupported path', 'expired', 'invalid audience', 'signature'];

type NvClient = NodeVault.client;

export class VaultClient {
  private readonly nv: NvClient;
  private readonly transport: Transport;

  constructor(opts: VaultClientOptions) {
    this.transport = opts.transport ?? createTransport({ ca: opts.ca, timeoutMs: opts.timeoutMs });
    const transport = this.transport;
    this.nv = loadNodeVault()({
      endpoint: opts.addr,
      namespace: opts.namespace,
      // Its default debug() prints request bodies (JWTs, written values) when DEBUG is set.
      debug: (): void => undefined,
      'request-promise': { defaults: () => (req: RawRequest): Promise<RawResponse> => transport(req) },
    });
    this.nv.token = '';
  }

  /** The token requests carry; empty before the first login. */
  set token(value: string) {
    this.nv.token = value;
  }

  /** Kubernetes or JWT auth: both are `POST <authPath>/login {role, jwt}`. */
  async login(authPath: string, role: string, jwt: string): Promise<AuthInfo> {
    const body = await this.call('POST', `${authPath}/login`, { role, jwt });
    return toAuth(body, `${authPath}/login`);
  }

  async renewSelf(increment?: number): Promise<AuthInfo> {
    const body = await this.call('POST', 'auth/token/renew-self', increment ? { increment: `${increment}s` } : {});
    return toAuth(body, 'auth/token/renew-self');
  }

  async lookupSelf(): Promise<TokenLookup> {
    const data = dataOf(await this.call('GET', 'auth/token/lookup-self'), 'auth/token/lookup-self');
    return { accessor: str(data.accessor), ttl: num(data.ttl), renewable: data.renewable === true };
  }

  async revokeSelf(): Promise<void> {
    await this.call('POST', 'auth/token/revoke-self', {});
  }

  /** GET, or POST with parameters (PKI issue). */
  async readSecret(path: string, params?: Record<string, string>): Promise<SecretResponse> {
    const body = params ? await this.call('POST', path, params) : await this.call('GET', path);
    if (!isRecord(body) || !isRecord(body.data)) throw malformed(path);
    return {
      requestId: str(body.request_id),
      leaseId: str(body.lease_id),
      leaseDuration: num(body.lease_duration),
      renewable: body.renewable === true,
      data: body.data,
    };
  }

  async renewLease(leaseId: string, increment: number): Promise<LeaseInfo> {
    const body = await this.call('PUT', 'sys/leases/renew', { lease_id: leaseId, increment });
    if (!isRecord(body)) throw malformed('sys/leases/renew');
    return { requestId: str(body.request_id), leaseDuration: num(body.lease_duration), renewable: body.renewable === true };
  }

  async revokeLease(leaseId: string): Promise<void> {
    await this.call('PUT', 'sys/leases/revoke', { lease_id: leaseId });
  }

  async mountInfo(path: string): Promise<MountInfo> {
    const data = dataOf(await this.call('GET', `sys/internal/ui/mounts/${path}`), 'sys/internal/ui/mounts');
    const options = isRecord(data.options) ? data.options : {};
    const type = str(data.type);
    const kvVersion = type === 'kv' || type === 'generic' ? (options.version === '2' ? 2 : 1) : 0;
    return { path: str(data.path), type, kvVersion };
  }

  /** HMAC of a value as the named audit device would log it (`sys/audit-hash/<device>`). */
  async auditHash(device: string, input: string): Promise<string> {
    const body = await this.call('POST', `sys/audit-hash/${device}`, { input });
    if (!isRecord(body) || typeof body.hash !== 'string') throw malformed('sys/audit-hash');
    return body.hash;
  }

  close(): void {
    this.transport.close();
  }

  private async call(method: string, path: string, json?: unknown): Promise<unknown> {
    try {
      return (await this.nv.request({ method, path: `/${path}`, ...(json !== undefined && { json }) })) as unknown;
    } catch (err) {
      throw toVaultError(err, method, path.split('?')[0] ?? path);
    }
  }
}

function toAuth(body: unknown, where: string): AuthInfo {
  if (!isRecord(body) || !isRecord(body.auth) || typeof body.auth.client_token !== 'string') throw malformed(where);
  const a = body.auth;
  return {
    clientToken: a.client_token as string,
    accessor: str(a.accessor),
    leaseDuration: num(a.lease_duration),
    renewable: a.renewable === true,
    policies: Array.isArray(a.policies) ? a.policies.filter((p): p is string => typeof p === 'string') : [],
    requestId: str(body.request_id),
  };
}

function dataOf(body: unknown, where: string): Record<string, unknown> {
  if (!isRecord(body) || !isRecord(body.data)) throw malformed(where);
  return body.data;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const malformed = (where: string): VaultError => new VaultError('malformed', `Vault ${where}: malformed response`);

/** Classifies any failure; the message names method, path, kind and status, plus a known-safe reason. */
export function toVaultError(err: unknown, method: string, path: string): VaultError {
  if (err instanceof VaultError) return err;
  if (err instanceof TransportError) {
    const kind: VaultErrorKind = err.reason === 'too-large' ? 'malformed' : err.reason;
    return new VaultError(kind, `Vault ${method} ${path}: ${err.message}`);
  }
  const response = isRecord(err) && isRecord(err.response) ? err.response : undefined;
  const status = typeof response?.statusCode === 'number' ? response.statusCode : undefined;
  if (status === undefined) return new VaultError('network', `Vault ${method} ${path}: request failed`);
  const text = errorText(response?.body);
  const kind = kindOf(status, text);
  const reason = SAFE_REASONS.find((r) => text.toLowerCase().includes(r.toLowerCase()));
  return new VaultError(kind, `Vault ${method} ${path}: ${kind} (HTTP ${status}${reason ? `, ${reason}` : ''})`, status);
}

function errorText(body: unknown): string {
  if (!isRecord(body) || !Array.isArray(body.errors)) return '';
  return body.errors.filter((e): e is string => typeof e === 'string').join(' ');
}

function kindOf(status: number, text: string): VaultErrorKind {
  if (status === 503 && /sealed/i.test(text)) return 'sealed';
  if (status === 429) return 'throttled';
  if (status === 403 || status === 401) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status >= 500) return 'server';
  if (status >= 400) return 'bad-request';
  if (status >= 300) return 'server';
  return 'malformed';
}
