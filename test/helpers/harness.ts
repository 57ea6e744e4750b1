/** Runs the real sidecar (sidecar/main.ts) in-process against a stub Vault, capturing every output. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Agent } from '../../sidecar/agent';
import { runSidecar } from '../../sidecar/main';
import type { PodSecretsSpec, SecretSpec } from '../../src/spec';

export interface Harness {
  mount: string;
  tokenFile: string;
  jwt: string;
  env: Record<string, string>;
  out: () => string;
  err: () => string;
  audit: () => Record<string, any>[];  
  streams: { stdout: PassThrough; stderr: PassThrough };
  agent?: Agent;
  exit?: Promise<number>;
}

export function secret(name: string, p: string, extra: Partial<SecretSpec> = {}): SecretSpec {
  return { name, path: p, file: `${name}.json`, format: 'json', mode: 0o440, ...extra };
}

export function makeHarness(vaultUrl: string, secrets: SecretSpec[], opts: Partial<PodSecretsSpec> = {}, env: Record<string, string> = {}): Harness {
  const mount = mkdtempSync(path.join(os.tmpdir(), 'sb-sidecar-'));
  const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-token-')), 'token');
  const jwt = `eyJ${randomBytes(24).toString('base64url')}.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
  writeFileSync(tokenFile, jwt);
  const spec: PodSecretsSpec = { version: 1, role: 'app', mountPath: mount, lifecycle: 'sidecar', rotateIntervalSeconds: 10, notify: { kind: 'none' }, secrets, ...opts };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const h: Harness = {
    mount,
    tokenFile,
    jwt,
    env: {
      SECRETS_BROKER_SPEC: JSON.stringify(spec),
      VAULT_ADDR: vaultUrl,
      SIDECAR_TOKEN_FILE: tokenFile,
      SIDECAR_HEALTH_PORT: '0',
      SIDECAR_REQUEST_TIMEOUT: '2s',
      SIDECAR_SHUTDOWN_TIMEOUT: '3s',
      LOG_LEVEL: 'debug',
      POD_NAME: 'web-1',
      POD_NAMESPACE: 'shop',
      ...env,
    },
    out: () => out,
    err: () => err,
    audit: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    streams: { stdout, stderr },
  };
  return h;
}

/** Starts the long-running sidecar; resolves once the agent exists. */
export async function start(h: Harness): Promise<Agent> {
  const { stdout, stderr } = h.streams;
  let resolveAgent: (a: Agent) => void = () => undefined;
  const got = new Promise<Agent>((r) => (resolveAgent = r));
  h.exit = runSidecar({ env: h.env, once: false, stdout, stderr, onAgent: resolveAgent });
  h.exit.catch(() => undefined);
  h.agent = await Promise.race([got, h.exit.then(() => { throw new Error(`sidecar exited: ${h.err()}`); })]);
  return h.agent;
}

export async function once(h: Harness): Promise<number> {
  const { stdout, stderr } = h.streams;
  return runSidecar({ env: h.env, once: true, stdout, stderr });
}

export async function get(port: number, p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, body: await res.text() };
}
