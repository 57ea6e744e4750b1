/**
 * Access to the running test stack (test/stack/up.sh) for end-to-end tests: its env file,
 * kubectl, Vault's HTTP API with the stack's CA, psql, and stopping/starting Vault.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from '../../helpers/cache-dir';
import { startProcess } from '../../helpers/process';

const run = promisify(execFile);

export interface StackEnv {
  SB_BIN: string;
  SB_STACK_DIR: string;
  KUBECONFIG: string;
  KUBE_API_URL: string;
  STACK_CA_CERT: string;
  STACK_SERVER_CERT: string;
  STACK_SERVER_KEY: string;
  VAULT_ADDR: string;
  VAULT_CACERT: string;
  VAULT_TOKEN: string;
  VAULT_UNSEAL_KEY: string;
  VAULT_CONFIG: string;
  VAULT_AUDIT_LOG: string;
  PGHOST: string;
  PGPORT: string;
  PGUSER: string;
  PGPASSWORD: string;
  PGDATABASE: string;
}

/** Path of the env file the stack writes. */
export function envFilePath(): string {
  return join(process.env.SB_STACK_DIR ?? join(cacheDir(), 'stack'), 'env');
}

let cached: StackEnv | undefined;

/** The running stack's settings; throws with the command to run when there is no stack. */
export function stack(): StackEnv {
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(envFilePath(), 'utf8');
  } catch {
    throw new Error(`no running test stack (${envFilePath()} missing): run npm run stack:up, or npm run test:e2e`);
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  cached = env as unknown as StackEnv;
  return cached;
}

/** Runs kubectl against the stack; resolves stdout, rejects with stderr in the message. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const s = stack();
  const bin = join(s.SB_BIN, 'kubectl');
  if (input === undefined) {
    const { stdout } = await run(bin, args, { env: { ...process.env, KUBECONFIG: s.KUBECONFIG }, maxBuffer: 64 << 20 });
    return stdout;
  }
  const child = startProcess(bin, args, { env: { ...process.env, KUBECONFIG: s.KUBECONFIG }, input });
  const code = await child.ended;
  if (code !== 0) throw new KubectlError(code ?? -1, child.stdout(), child.stderr());
  return child.stdout() + child.stderr();
}

export class KubectlError extends Error {
  constructor(
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`kubectl exited ${exitCode}: ${stderr.trim()}`);
  }
}

/** The stderr of a kubectl call that must be refused (a denied object); throws when it succeeds or fails another way. */
export async function refusal(call: Promise<unknown>): Promise<string> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  if (err instanceof KubectlError) return err.stderr;
  throw new Error(err === undefined ? 'kubectl was expected to be refused and succeeded' : `kubectl was expected to be refused and failed another way: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
}

export interface VaultResponse {
  status: number;
  body: any;
}

/** One Vault API call with the stack's CA; `token` defaults to the stack's root token. */
export function vault(method: string, path: string, body?: unknown, token: string | null = stack().VAULT_TOKEN): Promise<VaultResponse> {
  const s = stack();
  const url = new URL(`/v1/${path.replace(/^\//, '')}`, s.VAULT_ADDR);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: readFileSync(s.VAULT_CACERT),
        headers: { ...(token ? { 'X-Vault-Token': token } : {}), ...(payload ? { 'Content-Type': 'application/json' } : {}) },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`vault ${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs psql against the stack's database as the given user; resolves stdout. */
export async function psql(user: string, password: string, sql: string): Promise<string> {
  const s = stack();
  const { stdout } = await run('psql', ['-qtAX', '-h', s.PGHOST, '-p', s.PGPORT, '-U', user, '-d', s.PGDATABASE, '-c', sql], {
    env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
  });
  return stdout.trim();
}

/** Stops the Vault server (SIGTERM) and waits for it to exit. */
export async function stopVault(): Promise<void> {
  await run('bash', [join(__dirname, '..', '..', 'stack', 'vault-ctl.sh'), 'stop']);
}

/** Starts the Vault server again and unseals it. */
export async function startVault(): Promise<void> {
  await run('bash', [join(__dirname, '..', '..', 'stack', 'vault-ctl.sh'), 'start']);
}

/** Lines of Vault's file audit log, parsed. */
export function vaultAuditEntries(): any[] {
  return readFileSync(stack().VAULT_AUDIT_LOG, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** A unique, DNS-safe name for test objects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/**
 * Namespace `ns` with service account `app` and a pod named `pod` that is never scheduled
 * (an image that cannot be pulled, no node picks it): a token bound to it is what the
 * kubelet gives a real pod. Returns such a token for audience `vault`.
 */
export async function podBoundToken(ns: string, pod: string, duration = '1h'): Promise<string> {
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
  await kubectl(['-n', ns, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: ns }, spec: { serviceAccountName: 'app', automountServiceAccountToken: false, containers: [{ name: pod, image: `registry.invalid/${pod}:1` }] } }));
  return (await kubectl(['-n', ns, 'create', 'token', 'app', '--duration', duration, '--audience', 'vault', '--bound-object-kind', 'Pod', '--bound-object-name', pod])).trim();
}
