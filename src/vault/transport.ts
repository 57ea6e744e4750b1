/**
 * The HTTP layer under node-vault (injected as its `request-promise`): TLS verification
 * always on with the operator's CA, a total deadline per request, a body size limit, no
 * redirects, keep-alive. Replaces node-vault's axios path, whose `timeout` is an idle
 * timer a trickling server can dodge, and which honours VAULT_SKIP_VERIFY.
 */
import http from 'node:http';
import https from 'node:https';
import { TransportError } from '../errors';
import { packageVersion } from '../version';

export interface TransportOptions {
  /** PEM CA bundle; the system roots when absent. */
  ca?: Buffer;
  /** Total time for one request, connect to last byte. */
  timeoutMs: number;
  maxBodyBytes?: number;
  /** Names the client in Vault's audit log when the operator audits the User-Agent header. */
  userAgent?: string;
}

/** What node-vault passes to its request function. */
export interface RawRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  timeout?: number;
}

/** What node-vault expects back. `body` is undefined when the answer was not JSON. */
export interface RawResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

/** Transport failures carry a code node-vault leaves alone; client.ts classifies them. */
export { TransportError };

export type Transport = ((req: RawRequest) => Promise<RawResponse>) & { close(): void };

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|SSL|EPROTO/;

export function createTransport(opts: TransportOptions): Transport {
  const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const userAgent = opts.userAgent ?? `secrets-broker/${packageVersion()}`;
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: opts.ca, rejectUnauthorized: true });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  const send = (req: RawRequest): Promise<RawResponse> =>
    new Promise<RawResponse>((resolve, reject) => {
      const url = new URL(req.uri);
      const body = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json));
      const isHttps = url.protocol === 'https:';
      const signal = AbortSignal.timeout(req.timeout ?? opts.timeoutMs);
      const options: https.RequestOptions = {
        method: req.method,
        headers: { ...req.headers, accept: 'application/json', 'user-agent': userAgent, ...(body && { 'content-type': 'application/json', 'content-length': body.length }) },
        agent: isHttps ? httpsAgent : httpAgent,
        signal,
        ...(isHttps && { ca: opts.ca, rejectUnauthorized: true }),
      };
      const request = (isHttps ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBody) request.destroy(new TransportError('too-large', 'response body over the limit'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: parse(Buffer.concat(chunks)), request: { path: url.pathname } }));
        res.on('error', (err) => reject(classify(err, signal)));
      });
      request.on('error', (err) => reject(classify(err, signal)));
      request.end(body);
    });

  return Object.assign(send, {
    close: (): void => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  });
}

function parse(buf: Buffer): unknown {
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function classify(err: Error, signal: AbortSignal): TransportError {
  if (err instanceof TransportError) return err;
  if (signal.aborted) return new TransportError('timeout', 'request timed out');
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_CODES.test(code)) return new TransportError('tls', `TLS verification failed (${code})`);
  return new TransportError('network', `connection failed (${code || 'unknown'})`);
}
